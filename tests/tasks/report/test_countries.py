"""Country names are ACLED's, so an ACLED-profile export joins ACLED's file on the name."""

import csv

from tasks.report.countries import country_names, iso3_of
from tests.shared_data import require_eval

# ACLED's export keeps a code ISO retired in 2002; the warehouse keeps ISO's.
ACLED_LEGACY_CODES = {"ROM": "ROU"}


def test_codes_and_names_are_read_in_any_case():
    names = country_names()
    assert iso3_of("aze", names) == iso3_of(" Azerbaijan ", names) == "AZE"
    assert iso3_of("Narnia", names) is None


def test_every_country_in_acleds_export_has_acleds_name():
    acled = require_eval("acled-dev") / "acled-2020-dev.csv"
    with acled.open(newline="", encoding="utf-8") as handle:
        pairs = {(row["iso3"], row["country"]) for row in csv.DictReader(handle) if row["iso3"]}
    names = country_names()
    differing = {
        (code, name)
        for code, name in pairs
        if names.get(ACLED_LEGACY_CODES.get(code, code)) != name
    }
    assert len(pairs) > 90 and differing == set()
