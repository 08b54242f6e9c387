"""Incidents and evidence as the warehouse returns them, for the report tests."""

from datetime import date
from typing import Any

DAY = date(2020, 10, 4)
# A topology without countries: the map's points and legend, without the cost of the outlines.
NO_OUTLINES = {
    "type": "Topology",
    "objects": {"countries": {"type": "GeometryCollection", "geometries": []}},
    "arcs": [],
}
FIGURES = [f"{kind}_{end}" for kind in ("killed", "injured") for end in ("low", "best", "high")]


def incident(incident_id: str = "ab12", **changes: Any) -> dict[str, Any]:
    """The shelling of Ganja: 1–2 killed, disputed, the attacker named, no target."""
    row = {
        "incident_id": incident_id, "event_date": DAY, "event_type": "Explosions/Remote violence",
        "sub_event_type": "Shelling/artillery/missile attack", "location": "Ganja",
        "admin1": "Ganja", "country": "AZE", "latitude": 40.68, "longitude": 46.36,
        "geo_precision": 1, "actor1": "Military Forces of Armenia", "actor2": None,
        "killed_low": 1, "killed_best": 2, "killed_high": 2, "injured_low": None,
        "injured_best": None, "injured_high": None, "claim_status": "disputed",
        "claimed_by": "Baku", "denied_by": "Yerevan", "num_articles": 2, "num_sources": 1,
        "time_precision": 1,
    }  # fmt: skip
    return {**row, **changes}


def evidence(sentence: str, incident_id: str = "ab12", **changes: Any) -> dict[str, Any]:
    """A sentence of the wire's article that gave no figure unless ``changes`` say so."""
    row = {
        "incident_id": incident_id, "source_id": "wire", "source_name": "Wire Service",
        "url": "https://wire.test/a?x=1#top", "sentence": sentence,
        **dict.fromkeys(FIGURES),
    }  # fmt: skip
    return {**row, **changes}
