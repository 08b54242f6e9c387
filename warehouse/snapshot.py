"""The published snapshot: checked before it is published, seeded atomically, never half-written.

A run copies its working database to a staging file, checks the copy (it opens read-only, its
schema version is the one the code ships, every block of every table reads back with a valid
checksum), and only then renames it over the snapshot. The snapshot it replaces is kept as
``<name>.prev`` so a damaged snapshot still leaves one good copy to seed from. Every step that
writes a file the pipeline later trusts writes a temporary file first and renames it, so a
process killed at any moment leaves either the old file or the new one, plus a leftover that the
next start removes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from warehouse.db import migrations

# What DuckDB says when the file is not a database or is cut short; anything else is not ours.
DAMAGE_MARKERS = (
    "not a valid DuckDB database",
    "Could not read enough bytes",
    "Corrupt database file",
    "checksum",
    "checkpoint iteration",
    "Serialization Error",
    "INTERNAL Error",
)
LOCK_MARKERS = ("Could not set lock", "Conflicting lock")
LEFTOVER_SUFFIXES = (".publishing", ".seeding", ".prev-linking")


class SnapshotCheckError(RuntimeError):
    """A database file failed the check that guards publishing and seeding."""


def is_lock_error(exc: BaseException) -> bool:
    """DuckDB refuses a file another process holds open: wait, it is not damage."""
    return any(marker in str(exc) for marker in LOCK_MARKERS)


def is_damage(exc: BaseException) -> bool:
    """DuckDB's errors for a file that is cut short, garbled or not a database at all."""
    return not is_lock_error(exc) and any(marker in str(exc) for marker in DAMAGE_MARKERS)


def latest_schema_version() -> int:
    return migrations()[-1][0]


def verify(path: Path) -> int:
    """Open ``path`` read-only and read every table in full; returns its schema version.

    DuckDB has no ``PRAGMA integrity_check``; it checks a block's checksum whenever it reads the
    block, so hashing every column of every row makes it read them all. Raises
    ``SnapshotCheckError`` naming the file and what was wrong.
    """
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise SnapshotCheckError(f"{path} does not open read-only: {exc}") from exc
    try:
        (version,) = con.execute("SELECT max(version) FROM schema_migrations").fetchone()
        if version != latest_schema_version():
            raise SnapshotCheckError(
                f"{path} is at schema version {version}, expected {latest_schema_version()}"
            )
        tables = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
        for (table,) in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            con.execute(f"SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM {quoted}").fetchall()
    except SnapshotCheckError:
        raise
    except duckdb.Error as exc:
        raise SnapshotCheckError(f"{path} does not read back: {exc}") from exc
    finally:
        con.close()
    return version


def copy_atomically(source: Path, target: Path, suffix: str) -> Path:
    """Copy ``source`` to a temporary name beside ``target``, flush it, return the temp path."""
    staging = target.with_name(f".{target.name}.{os.getpid()}{suffix}")
    shutil.copyfile(source, staging)
    with open(staging, "rb") as handle:
        os.fsync(handle.fileno())
    return staging


def seed(snapshot: Path, work: Path) -> Path | None:
    """Seed the working file from the snapshot (or ``.prev`` when the snapshot is damaged).

    Returns the file seeded from, or None when neither exists (a new database). Raises
    ``SnapshotCheckError`` when copies exist but none passes the check.
    """
    candidates = [p for p in (snapshot, previous(snapshot)) if p.exists()]
    problems = []
    for candidate in candidates:
        try:
            verify(candidate)
        except SnapshotCheckError as exc:
            problems.append(str(exc))
            continue
        staging = copy_atomically(candidate, work, ".seeding")
        os.chmod(staging, 0o644)
        os.replace(staging, work)
        _sync_directory(work.parent)
        return candidate
    if problems:
        raise SnapshotCheckError(
            "; ".join(problems) + f". Delete {snapshot} and {previous(snapshot)} to start an "
            "empty database (every source is fetched again)"
        )
    return None


def previous(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name + ".prev")


def publish(work: Path, snapshot: Path) -> Path:
    """Check a copy of the (closed) working database, then rename it over the snapshot.

    The old snapshot becomes ``.prev`` (a hard link, so it costs no copy) before the rename,
    and any WAL left beside the old snapshot by a writer that died is removed, since DuckDB
    would replay it onto the new file and every reader would fail. The new snapshot is made
    read-only on disk (0444): that stops a plain ``duckdb.connect()`` by anyone but root.
    """
    staging = copy_atomically(work, snapshot, ".publishing")
    try:
        verify(staging)
        os.chmod(staging, 0o444)
        if snapshot.exists():
            _keep_previous(snapshot)
        _remove_wal(snapshot)
        os.replace(staging, snapshot)
        _remove_wal(snapshot)
    finally:
        staging.unlink(missing_ok=True)
    _sync_directory(snapshot.parent)
    return snapshot


def _keep_previous(snapshot: Path) -> None:
    link = snapshot.with_name(f".{snapshot.name}.{os.getpid()}.prev-linking")
    link.unlink(missing_ok=True)
    try:
        os.link(snapshot, link)
    except OSError:  # a file system without hard links
        shutil.copyfile(snapshot, link)
    os.replace(link, previous(snapshot))


def _remove_wal(database: Path) -> None:
    database.with_name(database.name + ".wal").unlink(missing_ok=True)


def remove_leftovers(snapshot: Path, work: Path) -> list[Path]:
    """Temporary files of this database's killed runs; call with the writer lock held."""
    removed = []
    for owner in (snapshot, work):
        for path in owner.parent.glob(f".{owner.name}.*"):
            if path.name.endswith(LEFTOVER_SUFFIXES) and path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def _sync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut."""
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
