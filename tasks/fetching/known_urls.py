"""Which article URLs no source should fetch again, shared by every source of one run.

A URL is fetched once however many sources list it: one stored by an earlier run (by any
source) is known, and in a run where several sources are harvested at once the first to claim
a URL fetches it while the others only note that they listed it. Claims remember their source,
so a harvest retried after a transient failure may fetch what it claimed itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable


class KnownUrls:
    """URLs stored by earlier runs plus those claimed by a source this run (thread-safe)."""

    def __init__(self, stored: Iterable[str] = ()) -> None:
        self._stored = frozenset(stored)
        self._claims: dict[str, str] = {}
        self._guard = threading.Lock()

    def known_to(self, url: str, source_id: str) -> bool:
        """Stored already, or claimed by another source: not this source's to fetch."""
        if url in self._stored:
            return True
        with self._guard:
            return self._claims.get(url, source_id) != source_id

    def claim(self, url: str, source_id: str) -> bool:
        """Take ``url`` for ``source_id``; False if it is stored or another source took it."""
        if url in self._stored:
            return False
        with self._guard:
            return self._claims.setdefault(url, source_id) == source_id
