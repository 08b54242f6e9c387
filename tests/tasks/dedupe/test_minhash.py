import numpy as np

from config.settings import Settings
from tasks.dedupe.minhash import (
    Banding,
    band_keys,
    content_hash,
    estimated_jaccard,
    fingerprints,
    signature,
    signature_values,
)
from tests.tasks.dedupe.test_copies import SAME_TOPIC, THRESHOLD, WIRE, edited


def test_content_hash_ignores_spacing_case_punctuation_and_mojibake():
    respaced = "  azerbaijan’s defence   ministry said\n\nARMENIAN armed forces shelled Ganja;"
    original = "Azerbaijan's Defence Ministry said Armenian armed forces shelled Ganja."
    mojibake = original.replace("'", "â€™")
    assert content_hash(respaced) == content_hash(original) == content_hash(mojibake)


def test_content_hash_changes_when_one_word_changes():
    assert content_hash(WIRE) != content_hash(WIRE.replace("four", "five"))


def test_signature_is_the_permutation_count_in_uint32_values_and_stable():
    assert len(signature(WIRE)) == Settings.model_fields["minhash_permutations"].default * 4
    assert signature(WIRE) == signature(WIRE.upper())
    assert estimated_jaccard(signature(WIRE), signature(WIRE)) == 1.0


def test_five_percent_edited_copy_scores_below_point_eight_but_above_the_threshold():
    similarity = estimated_jaccard(signature(WIRE), signature(edited(WIRE, 0.05)))
    assert THRESHOLD <= similarity < 0.8


def test_same_topic_report_is_far_below_the_threshold():
    assert estimated_jaccard(signature(WIRE), signature(SAME_TOPIC)) < 0.1


def test_a_batch_fingerprints_each_body_as_it_would_alone():
    bodies = [WIRE, SAME_TOPIC, "too short", ""]
    assert fingerprints(bodies) == [fingerprints([body])[0] for body in bodies]
    assert fingerprints([WIRE])[0].content_hash == content_hash(WIRE)


def test_the_bands_for_the_default_threshold_find_ten_percent_edited_copies():
    banding = Banding.for_threshold(THRESHOLD)
    assert (banding.bands, banding.rows) == (42, 3)
    found = 1 - (1 - 0.42**banding.rows) ** banding.bands  # Jaccard of a 10% edited copy
    assert found > 0.95


def test_copies_share_band_keys_and_unrelated_texts_none():
    banding = Banding.for_threshold(THRESHOLD)
    keys = [
        set(band_keys(signature_values(signature(text)), banding)[0].tolist())
        for text in (WIRE, edited(WIRE, 0.05), SAME_TOPIC)
    ]
    assert keys[0] & keys[1] and not keys[0] & keys[2]


def test_equal_values_in_different_bands_make_different_keys():
    values = np.zeros((1, 128), dtype=np.uint32)
    assert len(set(band_keys(values, Banding(42, 3))[0].tolist())) == 42
