"""What an incident is: the contract between extraction, storage and reports.

Field names follow ACLED/UCDP usage where they exist so analysts can join and compare.
Casualty figures are ranges; ``None`` means the text did not report a figure, ``0`` means it
reported none.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
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
    # The claim comes from actor1's own side ("Armenian soldiers said they destroyed an airbase
    # in Ganja"): a side announcing its strike, not a report of an attack on the other side.
    claimed_by_actor1: bool = False
    # What decided the event type: "rule: <trigger>" or "model" (with its probability).
    type_basis: str | None = None
    type_probability: float | None = None
    mentions: tuple[Mention, ...] = field(default_factory=tuple)

    @property
    def incident_key(self) -> str:
        """Deterministic identity of the event, independent of which article reported it.

        Actors are left out because outlets name them differently ("Armenian forces", "Armenian
        armed forces"), and so is the claim status, so that one article's accusation and
        another's denial merge into one disputed event. A side's claim about its own strike is
        kept apart from reports of attacks at the same place and day (the claimed destruction of
        an airbase is not the shelling of the city's homes that the other side reported).
        """
        place = (
            str(self.geonameid)
            if self.geonameid is not None
            else (self.location or self.country or "?")
        )
        own_claim = "own-claim" if self.claimed_by_actor1 else ""
        return "|".join(
            (self.event_type, self.sub_event_type, place, self.event_date.isoformat(), own_claim)
        )


FIGURE_ENDS = ("low", "best", "high")
# Incident fields stored as columns of their own; the casualty ranges are flattened instead.
CODING_FIELDS = tuple(
    f.name for f in fields(Incident) if f.name not in ("killed", "injured", "mentions")
)
FIGURE_COLUMNS = tuple(f"{kind}_{end}" for kind in ("killed", "injured") for end in FIGURE_ENDS)
