"""What an incident is: the contract between extraction, storage and reports.

Field names follow ACLED/UCDP usage where they exist so analysts can join and compare.
Casualty figures are ranges; ``None`` means the text did not report a figure, ``0`` means it
reported none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Shelling/artillery/missile attack",
        "Air/drone strike",
        "Remote explosive/landmine/IED",
        "Suicide bomb",
        "Grenade",
        "Chemical weapon",
    ),
    "Violence against civilians": (
        "Attack",
        "Abduction/forced disappearance",
        "Sexual violence",
    ),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}

CLAIM_STATUSES = ("reported", "claimed", "denied", "disputed")


@dataclass(frozen=True)
class Casualties:
    """A reported figure as a range; low <= best <= high whenever they are set."""

    low: int | None = None
    best: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Mention:
    """One sentence of one article that reports (part of) an incident: the evidence."""

    sentence: str
    start: int  # character offsets of the sentence in the article body
    end: int
    killed: Casualties = Casualties()
    injured: Casualties = Casualties()
    article_id: str | None = None  # filled in by the warehouse; None for free text
    url: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Incident:
    """One distinct event (type x place x day x actors) as one article reports it.

    Reports of the same event from several articles are merged downstream; ``incident_key``
    is what they share.
    """

    event_type: str
    sub_event_type: str
    event_date: date
    date_start: date
    date_end: date
    time_precision: int  # 1 exact day, 2 week, 3 month
    date_basis: str  # the phrase the date came from, e.g. "Later on Sunday"
    location: str | None
    admin1: str | None
    country: str | None  # ISO 3166-1 alpha-3
    latitude: float | None
    longitude: float | None
    geonameid: int | None
    geo_precision: int | None  # 1 named town, 2 near a town / part of a region, 3 region only
    actor1: str | None
    actor2: str | None
    killed: Casualties = Casualties()
    injured: Casualties = Casualties()
    civilian_killed: bool | None = None
    claim_status: str = "reported"
    claimed_by: str | None = None
    denied_by: str | None = None
    mentions: tuple[Mention, ...] = field(default_factory=tuple)

    @property
    def incident_key(self) -> str:
        """Deterministic identity of the event, independent of which article reported it.

        Actors are left out because outlets name them differently ("Armenian forces", "Armenian
        armed forces"); a contested claim is kept apart from an undisputed report of the same
        type at the same place and day (a denied airbase strike is not the city's shelling).
        """
        place = str(self.geonameid) if self.geonameid is not None else (self.location or "?")
        contested = "contested" if self.claim_status in ("denied", "disputed") else ""
        return "|".join(
            (self.event_type, self.sub_event_type, place, self.event_date.isoformat(), contested)
        )
