"""Pages a harvest fetched, kept on disk until they are stored, read back a batch at a time.

A source can give thousands of pages before the writer stores them; held in memory they made a
run's peak grow with the corpus (871 MiB for 1,086 pages). The spool is an anonymous temporary
file: the system removes it when it is closed or its process dies, even by SIGKILL.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from itertools import islice

from tasks.records import RawPage


class PageSpool:
    """Fetched pages in arrival order: appended one by one, read back in order."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (open as long as the spool lives)
        self._count = 0

    def append(self, page: RawPage) -> None:
        self._file.seek(0, 2)
        pickle.dump(page, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[RawPage]:
        """Every page, read from disk as it is reached (one at a time in memory)."""
        position = 0
        for _ in range(self._count):
            self._file.seek(position)
            page = pickle.load(self._file)
            position = self._file.tell()
            yield page

    def batches(self, size: int) -> Iterator[list[RawPage]]:
        """The pages ``size`` at a time, so storing them holds one batch in memory."""
        pages = iter(self)
        while batch := list(islice(pages, size)):
            yield batch
