"""Extraction, date and near-duplicate quality may not drop below what was measured on the
shared eval set.

Uses every page (181 extraction + 200 pubdate pages, about 25 s on 2 cores). Floors sit a little
under the figures measured on 2026-11-25 (F1 0.958, exact day 0.89, no date 2.5%); see
``python -m bench.eval_text --eval-dir ../shared/eval``. Planted near copies: the issue's floor of
0.95 for precision and recall (measured 1.0 and 0.997, ``python -m bench.near_duplicates``).
"""

from bench import near_duplicates
from bench.eval_text import extraction_scores, prf, pubdate_scores
from tests.shared_data import require_eval


def test_shingle_f1_counts_only_four_token_runs_both_sides_share():
    precision, recall, f1 = prf("a b c d e", "A b, c d x")
    assert (precision, recall) == (0.5, 0.5)
    assert f1 == 0.5
    assert prf("", "a b c d") == (0.0, 0.0, 0.0)


def test_extraction_f1_stays_at_or_above_the_trafilatura_baseline():
    scores = extraction_scores(require_eval("extraction").parent, timing=False)
    assert scores["documents"] == 181
    assert scores["ours"]["f1"] >= 0.945
    assert scores["ours"]["precision"] >= 0.93


def test_publication_dates_are_right_to_the_day_on_most_pages():
    scores = pubdate_scores(require_eval("pubdates").parent)
    assert scores["pages"] == 200
    assert scores["exact_day_accuracy"] >= 0.91
    assert scores["no_date_share"] <= 0.045  # a copyright year alone is no date


def test_planted_copies_with_up_to_a_tenth_of_words_changed_are_found():
    scores = near_duplicates.run(require_eval("extraction").parent, articles=3000, batch=1000)
    assert scores["precision"] >= 0.95
    assert scores["recall"] >= 0.95
