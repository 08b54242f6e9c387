"""The throughput corpus: the extraction set's real pages republished under new URLs.

Each of the 181 pages of ``<eval-dir>/extraction/html`` is written ``copies`` times (6 by
default: 1,086 pages) into a temporary ``archive`` folder, each time under a new URL (every
place the page names its own address is rewritten, so ``rel=canonical`` and ``og:url`` agree
with it) and with a small edit at the start of its first paragraph, as a site republishing a
story would. Every page is then a distinct article that dedupe must compare with its siblings.
Built from ``../shared`` on every run, never committed.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from config.settings import Settings
from tasks.dedupe.urls import UrlRules
from tasks.fetching.archive import self_declared_url

FIRST_PARAGRAPH = re.compile(rb"(<p\b[^>]*>)", re.IGNORECASE)


def originals(eval_dir: Path) -> list[tuple[str, bytes]]:
    """(URL, HTML bytes) of every page of the extraction set, in id order."""
    folder = eval_dir / "extraction"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        (truth[i]["url"], gzip.decompress((folder / "html" / f"{i}.html.gz").read_bytes()))
        for i in sorted(truth)
    ]


def republished_url(url: str, edition: int) -> str:
    """The same address with ``-r<edition>`` at the end of its path."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}-r{edition}"))


def republish(url: str, body: bytes, edition: int, rules: UrlRules) -> bytes:
    """The page as edition ``edition``: its own addresses rewritten, its first paragraph edited."""
    for own in {url, self_declared_url(body, rules)} - {None}:
        body = body.replace(own.encode(), republished_url(own, edition).encode())
    marker = f"Edition {edition}: ".encode()
    return FIRST_PARAGRAPH.sub(lambda m: m.group(1) + marker, body, count=1)


def build(eval_dir: Path, folder: Path, copies: int = 6) -> list[bytes]:
    """Write the corpus as ``.html.gz`` files under ``folder``; returns the pages' bytes."""
    pages, sources = [], originals(eval_dir)
    rules = UrlRules.load(Settings().url_rules_file)
    for edition in range(1, copies + 1):
        target = folder / f"edition-{edition}"
        target.mkdir(parents=True, exist_ok=True)
        for number, (url, body) in enumerate(sources):
            page = republish(url, body, edition, rules)
            (target / f"{number:03d}.html.gz").write_bytes(gzip.compress(page, compresslevel=1))
            pages.append(page)
    return pages
