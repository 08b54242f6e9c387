import random
from datetime import UTC, datetime, timedelta

import pytest

from config.settings import Settings
from tasks.dedupe.copies import (
    DedupeCandidate,
    DuplicateLink,
    NearDuplicateIndex,
    assign_duplicates,
    figures,
    figures_agree,
)
from tasks.dedupe.minhash import content_hash, estimated_jaccard, signature

THRESHOLD: float = Settings.model_fields["near_duplicate_threshold"].default
DAY = datetime(2020, 10, 4, 9, 0, tzinfo=UTC)

WIRE = (
    "Azerbaijan's Defence Ministry said Armenian armed forces shelled Ganja, a city of more than "
    "500,000 residents in western Azerbaijan, killing one civilian and wounding at least four "
    "others. Baku said Ganja was under fire, including from areas outside of Karabakh, adding that "
    "the shelling was provocative and expanded the zone of hostilities. An adviser to the "
    "president said heavy artillery and rockets had also been used against the towns of Tartar, "
    "Fuzuli, Jabrayil and Goradiz. Later on Sunday the president announced that Jabrayil had been "
    "taken and demanded a timetable for withdrawal, saying military action would not stop until "
    "then. Turkey condemned the attacks on civilians in a statement from its foreign ministry."
)
SAME_TOPIC = (
    "Rockets hit Stepanakert, the main city of Nagorno-Karabakh, overnight, local officials said, "
    "killing two civilians and wounding eleven as fighting with Azerbaijani forces entered its "
    "second week. Armenia's defence ministry said Azerbaijani drones had struck positions along "
    "the line of contact and that its forces had repelled an attack in the south. Baku denied "
    "targeting civilians and said it was responding to shelling of Ganja and Tartar. The "
    "ethnic Armenian authorities said power had been cut in parts of the city and residents "
    "spent the night in basements. France, Russia and the United States called for a ceasefire."
)


def edited(text: str, share: float, seed: int = 7) -> str:
    """A copy with ``share`` of its words replaced, as a sub-editor would."""
    words = text.split()
    rng = random.Random(seed)
    for position in rng.sample(range(len(words)), round(len(words) * share)):
        words[position] = rng.choice(["reportedly", "also", "on Sunday", "officials", "new"])
    return " ".join(words)


def article(article_id: str, body: str, hours: float = 0.0) -> DedupeCandidate:
    return DedupeCandidate(
        article_id=article_id,
        url=f"https://{article_id}.test/story",
        published_at=DAY + timedelta(hours=hours),
        content_hash=content_hash(body),
        signature=signature(body),
        figures=figures(body),
    )


def pairs(links: list[DuplicateLink]) -> set[tuple]:
    return {(link.member_article_id, link.canonical_article_id, link.method) for link in links}


def run(*articles: DedupeCandidate, index: NearDuplicateIndex | None = None) -> set[tuple]:
    """Every link of the clusters the batch touched, as (member, canonical, method)."""
    index = index if index is not None else NearDuplicateIndex(THRESHOLD)
    return pairs(assign_duplicates(list(articles), index).links)


def test_exact_copy_under_another_url_points_at_the_earlier_published_article():
    links = assign_duplicates(
        [article("late", WIRE, hours=3), article("early", WIRE.upper())],
        NearDuplicateIndex(THRESHOLD),
    ).links
    assert links == [DuplicateLink("https://late.test/story", "late", "early", "exact", 1.0)]


def test_equal_publication_times_make_the_smaller_article_id_canonical():
    assert run(article("b", WIRE), article("a", WIRE)) == {("b", "a", "exact")}


def test_lightly_edited_copy_is_a_near_duplicate_with_its_similarity():
    links = assign_duplicates(
        [article("wire", WIRE), article("repost", edited(WIRE, 0.05), hours=5)],
        NearDuplicateIndex(THRESHOLD),
    ).links
    assert [(link.member_article_id, link.method) for link in links] == [("repost", "near")]
    assert THRESHOLD <= links[0].similarity < 1.0


def test_unrelated_articles_get_no_link():
    assert run(article("a", WIRE), article("b", SAME_TOPIC)) == set()


def test_a_copy_of_a_copy_points_at_the_cluster_canonical():
    words = [f"w{i}" for i in range(200)]
    first, middle, last = (" ".join(words[i : i + 100]) for i in (0, 30, 60))
    assert estimated_jaccard(signature(first), signature(last)) < THRESHOLD
    links = run(article("first", first), article("middle", middle, 1), article("last", last, 2))
    assert links == {("middle", "first", "near"), ("last", "first", "near")}


def test_the_outcome_does_not_depend_on_batch_order():
    batch = [
        article("a", WIRE, 2),
        article("b", edited(WIRE, 0.05), 1),
        article("c", WIRE, 3),
        article("d", SAME_TOPIC),
        article("e", edited(SAME_TOPIC, 0.1, seed=3), 4),
    ]
    outcomes = set()
    for seed in range(5):
        random.Random(seed).shuffle(batch)
        outcomes.add(frozenset(assign_duplicates(batch, NearDuplicateIndex(THRESHOLD)).links))
    assert len(outcomes) == 1
    assert {(link.member_article_id, link.canonical_article_id) for link in outcomes.pop()} == {
        ("a", "b"),
        ("c", "b"),
        ("e", "d"),
    }


def test_a_later_run_links_a_new_copy_to_an_article_an_earlier_run_stored():
    index = NearDuplicateIndex.from_stored([article("stored", WIRE)], THRESHOLD)
    assert run(article("new", edited(WIRE, 0.05), hours=30), index=index) == {
        ("new", "stored", "near")
    }


def test_a_new_copy_rewrites_its_whole_cluster_but_only_the_new_link_counts_as_changed():
    index = NearDuplicateIndex(THRESHOLD)
    assert run(article("first", WIRE), article("copy", WIRE, 1), index=index)
    copies = assign_duplicates([article("third", WIRE, 2)], index)
    assert pairs(copies.links) == {("copy", "first", "exact"), ("third", "first", "exact")}
    assert copies.members == {"first", "copy", "third"}
    assert pairs(copies.changed) == {("third", "first", "exact")}


def test_a_canonical_redated_after_its_copy_becomes_the_copy():
    index = NearDuplicateIndex(THRESHOLD)
    run(article("a", WIRE, 0), article("b", WIRE, 24), index=index)
    copies = assign_duplicates([article("a", WIRE, 48)], index)
    assert pairs(copies.links) == pairs(copies.changed) == {("a", "b", "exact")}
    assert copies.members == {"a", "b"}


def test_a_canonical_rewritten_into_another_story_leaves_its_old_copy_to_be_unlinked():
    index = NearDuplicateIndex(THRESHOLD)
    run(article("a", WIRE, 0), article("b", WIRE, 24), index=index)
    copies = assign_duplicates([article("a", SAME_TOPIC, 0)], index)
    assert copies.links == [] and copies.members == {"a", "b"}


def test_a_retired_canonical_leaves_the_index_and_the_next_earliest_takes_over():
    index = NearDuplicateIndex(THRESHOLD)
    run(article("a", WIRE, 0), article("b", WIRE, 24), article("c", WIRE, 48), index=index)
    copies = assign_duplicates([], index, retired=["a"])
    assert pairs(copies.links) == pairs(copies.changed) == {("c", "b", "exact")}
    assert index.get("a") is None and copies.members == {"b", "c"}


def test_an_earlier_published_newcomer_takes_over_and_old_links_are_repointed():
    index = NearDuplicateIndex(THRESHOLD)
    run(article("old", WIRE, 5), article("old-copy", edited(WIRE, 0.05), 6), index=index)
    assert run(article("original", WIRE, 0), index=index) == {
        ("old", "original", "exact"),
        ("old-copy", "original", "near"),
    }


def test_a_newcomer_bridging_two_stored_stories_merges_them_under_the_earliest():
    words = [f"w{i}" for i in range(200)]
    first, middle, last = (" ".join(words[i : i + 100]) for i in (0, 30, 60))
    index = NearDuplicateIndex(THRESHOLD)
    assert run(article("first", first), article("last", last, 2), index=index) == set()
    assert run(article("middle", middle, 1), index=index) == {
        ("middle", "first", "near"),
        ("last", "first", "near"),
    }


def test_reprocessing_an_article_replaces_its_old_text_instead_of_matching_it():
    index = NearDuplicateIndex(THRESHOLD)
    run(article("a", WIRE), index=index)
    assert run(article("a", SAME_TOPIC), index=index) == set()
    assert len(index) == 1


def test_a_signature_of_another_length_is_refused():
    short = DedupeCandidate("a", "u", DAY, content_hash(WIRE), signature(WIRE, num_perm=64))
    with pytest.raises(ValueError, match="not 128 values"):
        NearDuplicateIndex(THRESHOLD).add(short)


def test_figures_are_the_numbers_a_body_states_however_they_are_written():
    assert figures("500,000 residents; 500000 people; 4 others; 2.5 km") == {"500000", "4", "2.5"}


def test_a_report_from_the_same_template_with_other_figures_is_not_a_copy():
    template = (
        WIRE.replace("killing one civilian", "killing 12 civilians")
        .replace("at least four", "at least 31")
        .replace("500,000", "80,000")
    )
    assert estimated_jaccard(signature(WIRE), signature(template)) >= THRESHOLD
    assert not figures_agree(figures(WIRE), figures(template))
    assert run(article("wire", WIRE), article("template", template, hours=24)) == set()


def test_a_copy_that_drops_a_paragraph_keeps_agreeing_on_its_figures():
    trimmed = WIRE.split(". Baku said")[0] + "."
    assert figures_agree(figures(WIRE), figures(trimmed))
    assert figures_agree(frozenset(), figures(WIRE))
