"""Command: extract, the cleaning and dating stages on saved pages, without a database.

Reads HTML files (plain or ``.html.gz``) and prints one JSON line per file, so a page that came
out wrong in a run can be re-examined by hand, and extraction can be compared with other tools::

    newsdesk extract saved/*.html.gz --url https://example.org/2020/10/04/story

``published_at`` is written in the page's own offset (``2020-02-15T00:30:00+02:00``, not the
UTC instant's 14 February), and ``published_local_date`` is the day the page shows: UTC when the
page wrote only UTC and its URL dates it another day, since its offset is then unknown. Both are
null when the page itself states no usable date: there is no feed date or fetch time to fall
back on here, and inventing one would hide the problem being looked at.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from config.settings import Settings
from flows.commands.options import zone_option
from flows.commands.progress import progress_bar
from tasks.records import PublishedDate, RawPage, Reject
from tasks.text.clean import clean_page
from tasks.text.pubdate import choose_published, on_page_clock

OUTPUT_FIELDS = (
    "title",
    "body",
    "language",
    "published_at",
    "published_local_date",
    "published_at_source",
)


def extract(
    files: Annotated[list[Path], typer.Argument(help="HTML files, plain or .html.gz.")],
    url: Annotated[
        str | None, typer.Option(help="URL the pages came from (for URL dates); default file://.")
    ] = None,
    timezone: Annotated[str, zone_option("IANA zone for naive times in pages.")] = "UTC",
    language: Annotated[str | None, typer.Option(help="Language when pages do not say.")] = None,
) -> None:
    """Print title, body, language and publication date of saved pages as JSON lines."""
    settings = Settings()
    now = datetime.now(UTC)
    for path in progress_bar(files, len(files), "extracting pages"):
        record = extracted_record(
            path, settings, now, url=url, timezone=timezone, language=language
        )
        typer.echo(json.dumps(record, ensure_ascii=False))


def extracted_record(
    path: Path,
    settings: Settings,
    now: datetime,
    *,
    url: str | None,
    timezone: str,
    language: str | None,
) -> dict[str, object]:
    """One output line; a file that cannot be read or cleaned gets a ``reject`` reason instead."""
    record: dict[str, object] = {"file": str(path)} | dict.fromkeys(OUTPUT_FIELDS)
    try:
        body = _read(path)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return {**record, "reject": "unreadable_file", "detail": str(exc)}
    page = RawPage(url=url or path.resolve().as_uri(), source_id="file", body=body, fetched_at=now)
    cleaned = clean_page(page, language_hint=language, min_words=settings.min_body_words)
    if isinstance(cleaned, Reject):
        return {**record, "reject": cleaned.reason, "detail": cleaned.detail}
    dated = choose_published(
        cleaned.date_signals,
        tz_hint=timezone,
        fetched_at=None,
        earliest=date.fromisoformat(settings.earliest_date),
        now=now,
    )
    record.update(title=cleaned.title, body=cleaned.body, language=cleaned.language)
    page_time = on_page_clock(dated) if isinstance(dated, PublishedDate) else None
    if isinstance(dated, PublishedDate) and page_time is not None:
        record.update(
            published_at=page_time.isoformat(),
            published_local_date=dated.local_date.isoformat(),
            published_at_source=dated.source,
        )
    return record


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    app.command()(extract)
