"""Quality floors on UCDP GED Ukraine: a change that extracts worse figures fails here."""

import pytest

from bench.eval_incidents import evaluate, normalise_admin1
from tests.shared_data import require_eval

SUBSET = 1200  # the first events, so the run stays well under 30 s


@pytest.fixture(scope="module")
def figures():
    return evaluate(require_eval("conflict-ukraine").parent, SUBSET)


def test_admin1_names_are_normalised_before_comparison():
    assert normalise_admin1("Donetsk oblast") == normalise_admin1("Donetsk") == "donetsk"
    assert normalise_admin1("Kiev Special Republican city") == normalise_admin1("Kyiv")


def test_killed_figures_stay_above_their_floors(figures):
    assert figures["killed_in_range"] >= FLOORS["killed_in_range"]
    assert figures["killed_coverage"] >= FLOORS["killed_coverage"]
    assert figures["killed_in_range_when_extracted"] >= FLOORS["killed_in_range_when_extracted"]


def test_admin1_stays_above_its_floor(figures):
    assert figures["admin1_match_when_extracted"] >= FLOORS["admin1_match_when_extracted"]
    assert figures["admin1_coverage"] >= FLOORS["admin1_coverage"]


# A little under what the first 1,200 events measure (0.045, 0.096, 0.470, 0.958, 0.041;
# `python -m bench.eval_incidents --limit 1200`).
FLOORS = {
    "killed_in_range": 0.042,
    "killed_coverage": 0.090,
    "killed_in_range_when_extracted": 0.44,
    "admin1_match_when_extracted": 0.93,
    "admin1_coverage": 0.038,
}
