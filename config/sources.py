"""Source definitions: loading and validation of ``sources.yaml``.

A site is added with three lines (``id``, ``kind``, ``url``); everything else has a default.
A bad entry fails loading with a message naming the entry and the field, so a typo never turns
into a silently skipped source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SourceKind = Literal["feed", "sitemap", "html_index", "archive"]


class SourceConfigError(ValueError):
    """The sources file cannot be used; the message says which entry and why."""


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Stable slug used in tables.")
    kind: SourceKind
    url: str | None = Field(None, description="Feed, sitemap or index page (not for archive).")
    path: Path | None = Field(None, description="Folder of saved pages (archive only).")
    name: str | None = Field(None, description="Human name; defaults to the id.")
    link_selector: str | None = Field(None, description="CSS selector for article links.")
    body_selector: str | None = Field(None, description="CSS selector for the article body.")
    language: str | None = Field(None, description="ISO 639-1 hint when pages do not say.")
    timezone: str = Field("UTC", description="IANA zone for naive times on this site.")
    rate_per_second: float = Field(1.0, gt=0, description="Requests per second to one host.")
    concurrency: int = Field(2, ge=1, le=16, description="Parallel requests to one host.")
    max_articles: int | None = Field(None, ge=1, description="Cap on articles per run.")
    enabled: bool = True
    allow_private_network: bool = Field(
        False,
        description="Let fetches reach loopback, private and link-local addresses on any host "
        "(by default only the host of `url` may be on one).",
    )

    @field_validator("url")
    @classmethod
    def _http_only(cls, url: str | None) -> str | None:
        if url is not None and not url.lower().startswith(("http://", "https://")):
            raise ValueError(f"url must be http(s), got {url!r}")
        return url

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {zone!r}") from exc
        return zone

    @model_validator(mode="after")
    def _location_matches_kind(self) -> Source:
        if self.kind == "archive" and self.path is None:
            raise ValueError("an archive source needs 'path'")
        if self.kind != "archive" and self.url is None:
            raise ValueError(f"a {self.kind} source needs 'url'")
        if self.kind == "html_index" and not self.link_selector:
            raise ValueError("an html_index source needs 'link_selector'")
        return self

    @property
    def display_name(self) -> str:
        return self.name or self.id


def load_sources(path: Path) -> list[Source]:
    """Read and validate every entry; relative archive paths are resolved against the file."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SourceConfigError(f"{path}: cannot read sources: {exc}") from exc
    entries = (document or {}).get("sources") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise SourceConfigError(f"{path}: expected a top-level 'sources:' list")
    sources: list[Source] = []
    for index, entry in enumerate(entries):
        label = entry.get("id", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
        try:
            source = Source.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'entry'}: {err['msg']}"
                for err in exc.errors()
            )
            raise SourceConfigError(f"{path}: source {label}: {problems}") from exc
        if source.path is not None and not source.path.is_absolute():
            source = source.model_copy(update={"path": (Path(path).parent / source.path).resolve()})
        sources.append(source)
    ids = [s.id for s in sources]
    if duplicated := sorted({i for i in ids if ids.count(i) > 1}):
        raise SourceConfigError(f"{path}: duplicate source ids: {', '.join(duplicated)}")
    return sources


def select_sources(sources: list[Source], wanted: list[str] | None) -> list[Source]:
    """The enabled sources, or exactly the named ones (enabled or not); unknown ids fail."""
    if not wanted:
        return [s for s in sources if s.enabled]
    by_id = {s.id: s for s in sources}
    if unknown := [w for w in wanted if w not in by_id]:
        raise SourceConfigError(
            f"unknown source id(s): {', '.join(unknown)}; known: {', '.join(sorted(by_id))}"
        )
    return [by_id[w] for w in wanted]
