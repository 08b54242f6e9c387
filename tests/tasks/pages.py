"""Builders shared by the fetching tests: a loopback server, fast settings, listing documents."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from config.settings import Settings
from config.sources import Source
from tasks.fetching.fetch import Fetcher


@contextmanager
def loopback_server() -> Iterator[HTTPServer]:
    """A real HTTP server on 127.0.0.1; unknown paths get 404, like a site without robots.txt."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    reset_server(server)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def reset_server(server: HTTPServer) -> None:
    """Forget handlers and log between tests (``clear`` alone puts unknown paths back to 500)."""
    server.clear()
    server.no_handler_status_code = 404


def fast_settings(**overrides: Any) -> Settings:
    """Tiny backoff so retry tests take milliseconds; timeouts a loaded machine cannot trip
    (a test about timeouts sets its own, against a server that never answers in time)."""
    values: dict[str, Any] = {
        "connect_timeout": 30.0,
        "read_timeout": 30.0,
        "max_retries": 2,
        "backoff_base": 0.001,
        "backoff_max": 0.01,
    }
    return Settings(**(values | overrides))


class SleepLog:
    """Stands in for time.sleep in the retry loop: remembers the delays, waits for none."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_fetcher(
    tmp_path: Path, settings: Settings | None = None, sleep: SleepLog | None = None
) -> Fetcher:
    return Fetcher(
        settings or fast_settings(),
        state_dir=tmp_path / "pacing",
        sleep=sleep or SleepLog(),
        jitter=lambda: 0.5,
    )


def web_source(kind: str, url: str, **fields: Any) -> Source:
    """A source that may hit the loopback server fast (pacing is tested on its own), whatever
    its configured URL says (tests of the address policy set ``allow_private_network``)."""
    fields.setdefault("allow_private_network", True)
    return Source(id="test", kind=kind, url=url, rate_per_second=1000.0, **fields)


def rss(*items: tuple[str, str, str]) -> bytes:
    """An RSS 2.0 feed of (link, title, pubDate) items."""
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate></item>"
        for link, title, date in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<rss version="2.0"><channel><title>Test</title>{entries}</channel></rss>'
    ).encode()


def urlset(*entries: tuple[str, str | None]) -> bytes:
    """A plain sitemap of (loc, lastmod) entries."""
    return _sitemap_document("urlset", "url", entries)


def sitemap_index(*entries: tuple[str, str | None]) -> bytes:
    """A sitemap index of (loc, lastmod) children."""
    return _sitemap_document("sitemapindex", "sitemap", entries)


def _sitemap_document(root: str, child: str, entries: tuple[tuple[str, str | None], ...]) -> bytes:
    items = "".join(
        f"<{child}><loc>{loc}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</{child}>"
        for loc, lastmod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</{root}>'
    ).encode()


def article(title: str, canonical: str | None = None) -> bytes:
    """A small article page, optionally stating its canonical URL."""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f"<html><head><title>{title}</title>{link}</head>"
        f"<body><h1>{title}</h1><p>Shelling was reported overnight.</p></body></html>"
    ).encode()


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)
