"""Reading saved pages from a local folder as if they had just been fetched.

Analysts often hold collections scraped earlier (single ``.html`` files, or ``.jsonl`` dumps of
``{"url", "html", "fetched_at"}``); turning them into ``RawPage`` lets every later stage treat them
like live fetches. A page's URL is what it says about itself (rel=canonical, og:url) so it
deduplicates against the live copy; ``requested_url`` keeps the file (and line) it came from so any
figure can be traced back to the file on disk.

What a folder holds is not trusted: a symlink out of it (to ``/etc/passwd``) is refused, and a
dump line must name an http(s) page in valid Unicode (a ``javascript:`` URL would become a link
in the report; a lone surrogate cannot be stored), or it is rejected alone and the rest loads.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from lxml import etree, html

from tasks.dedupe.urls import UrlRules, is_http_url, trusted_canonical
from tasks.records import RawPage, Reject

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
# A jsonl dump holds text already decoded, so re-encoded bytes are UTF-8 whatever the page said.
JSONL_HEADERS = {"content-type": "text/html; charset=utf-8"}
CANONICAL_HREF = (
    "//link[contains(concat(' ', normalize-space(translate(@rel,"
    " 'CANONICAL', 'canonical')), ' '), ' canonical ')]/@href"
)
TEXT_FIELDS = ("url", "listed_date", "listed_title")


def read_archive(folder: Path, source_id: str, rules: UrlRules) -> Iterator[RawPage | Reject]:
    """Every saved page under ``folder`` (recursively, in path order), or a reject per problem.

    A symlink (to a file or a folder) whose target lies outside ``folder`` is a reject; links
    that stay inside are read like the files they point to.
    """
    if not folder.is_dir():
        yield Reject("discover", "archive_missing", source_id, str(folder), "not a directory")
        return
    root = folder.resolve()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()):
        name = path.name.lower()
        locator = f"archive://{source_id}/{path.relative_to(folder).as_posix()}"
        target = path.resolve()
        if not target.is_relative_to(root):
            detail = f"a link to {target}, outside the archive folder"
            yield Reject("fetch", "outside_archive", source_id, locator, detail)
            continue
        try:
            if name.endswith(HTML_SUFFIXES):
                yield _html_file(path, locator, source_id, rules)
            elif name.endswith(JSONL_SUFFIXES):
                yield from _jsonl_file(path, locator, source_id)
        except (OSError, EOFError, zlib.error) as exc:
            yield Reject("fetch", "unreadable_file", source_id, locator, str(exc)[:300])


def _html_file(path: Path, locator: str, source_id: str, rules: UrlRules) -> RawPage:
    body = _open(path).read()
    return RawPage(
        url=self_declared_url(body, rules) or locator,
        source_id=source_id,
        body=body,
        fetched_at=datetime.fromtimestamp(path.stat().st_mtime, UTC),
        requested_url=locator,
    )


def _jsonl_file(path: Path, locator: str, source_id: str) -> Iterator[RawPage | Reject]:
    with _open(path) as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            line_locator = f"{locator}#L{number}"  # one reject row per bad line
            page = _jsonl_page(line, source_id, line_locator)
            if isinstance(page, str):
                detail = f"line {number}: {page}"
                yield Reject("fetch", "bad_archive_line", source_id, line_locator, detail)
            else:
                yield page


def _jsonl_page(line: bytes, source_id: str, locator: str) -> RawPage | str:
    """One ``{"url", "html", "fetched_at"}`` line as a page, or what is wrong with it."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        return f"not JSON: {exc}"[:200]
    if not isinstance(record, dict):
        return "not a JSON object"
    url, body, fetched = record.get("url"), record.get("html"), record.get("fetched_at")
    if not isinstance(url, str) or not url.strip():
        return "missing 'url'"
    if not is_http_url(url.strip()):
        return f"'url' is not an http(s) URL: {url!r}"[:200]
    unstorable = next((f for f in TEXT_FIELDS if _has_lone_surrogate(record.get(f))), None)
    if unstorable:
        return f"{unstorable!r} is not valid Unicode (a lone surrogate)"
    if not isinstance(body, str):
        return "missing 'html'"
    fetched_at = _utc(fetched)
    if fetched_at is None:
        return f"bad 'fetched_at': {fetched!r}"[:200]
    return RawPage(
        url=url.strip(),
        source_id=source_id,
        body=body.encode("utf-8", errors="replace"),
        fetched_at=fetched_at,
        headers=dict(JSONL_HEADERS),
        requested_url=locator,
        listed_date=_optional_text(record.get("listed_date")),
        listed_title=_optional_text(record.get("listed_title")),
    )


def self_declared_url(body: bytes, rules: UrlRules) -> str | None:
    """The URL a saved page gives for itself, if trustworthy: rel=canonical, else og:url.

    The rules are ``urls.trusted_canonical``'s, so a template that declares the home page for
    every article does not give every file one URL (all but the first would be dropped as
    already seen). og:url, when trustworthy, stands for the page's own address: a canonical on
    another site (a syndicated copy pointing at the original) gives way to it.
    """
    try:
        document = html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return None
    canonical = _first(document.xpath(CANONICAL_HREF))
    own = _first(document.xpath("//meta[@property='og:url']/@content"))
    own = own if own and trusted_canonical(own, rules=rules) else None
    if canonical and trusted_canonical(canonical, own, rules=rules):
        return canonical
    return own


def _first(values: list[object]) -> str | None:
    return str(values[0]).strip() if values else None


def _utc(value: object) -> datetime | None:
    """An ISO 8601 time as UTC; a time without offset is taken to be UTC already."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _has_lone_surrogate(value: object) -> bool:
    """JSON may escape half a UTF-16 pair (``"\\ud800"``); no UTF-8 column can hold it."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _optional_text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _open(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")
