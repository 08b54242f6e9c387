"""The published snapshot: Parquet partitions behind a small file of views, never half-written.

A publish (``publish``) fingerprints every partition of every table in the working database
(``warehouse.partitions``), writes only the partitions that differ from the last publish to new
Parquet files (temporary name, fsync, rename), reads each new file back, records the new
publish in ``published_partitions``, then writes a new views file (``warehouse.snapshot_views``),
checks it (it opens read-only, carries the current schema version, every view binds and every
file it names exists) and renames it over the snapshot. So a run's publish writes what the run
changed, not the history; files are never modified, only added and, once no recent publish names
them, deleted. The views file it replaces is kept as ``<name>.prev``. A process killed at any
moment leaves the old views file or the new one, plus leftovers the next start removes.

The partitions also carry the pipeline's own tables (the raw pages with their bytes, fetches,
validators, the extraction ledger), so a damaged working database is rebuilt from them
(``seed``): only the MinHash signatures are not published, so articles stored before the damage
are then found as copies by URL and exact text only, not as near-duplicates.
"""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import duckdb

from warehouse import publish_ledger as ledger
from warehouse.db import connect, migrations
from warehouse.partitions import STAGING_SUFFIX, quote
from warehouse.snapshot_views import parts_folder, write_views_file

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
LEFTOVER_SUFFIXES = (".publishing", ".seeding", ".seeding.wal", ".prev-linking")


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


def verify(path: Path, parts: Path) -> int:
    """Open the views file read-only, bind every view and stat every file of ``parts`` it names.

    Returns its schema version; raises ``SnapshotCheckError`` naming the file and the problem.
    The Parquet files themselves were read back when they were written.
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
        missing = [f for (f,) in con.execute("SELECT file FROM snapshot_files").fetchall()
                   if not (parts / f).is_file()]  # fmt: skip
        if missing:
            raise SnapshotCheckError(f"{path} names {len(missing)} missing files: {missing[0]}")
        views = con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal "
            "AND database_name = current_database()"
        ).fetchall()
        for (view,) in views:
            con.execute(f"SELECT * FROM {quote(view)} LIMIT 0").fetchall()
    except SnapshotCheckError:
        raise
    except duckdb.Error as exc:
        raise SnapshotCheckError(f"{path} does not read back: {exc}") from exc
    finally:
        con.close()
    return version


def seed(snapshot: Path, work: Path) -> Path | None:
    """Rebuild the working file from the snapshot (or ``.prev`` when the snapshot is damaged).

    Returns the file seeded from, or None when neither exists (a new database). Raises
    ``SnapshotCheckError`` when copies exist but none passes the check.
    """
    candidates = [p for p in (snapshot, previous(snapshot)) if p.exists()]
    problems = []
    for candidate in candidates:
        try:
            verify(candidate, parts_folder(snapshot))
        except SnapshotCheckError as exc:
            problems.append(str(exc))
            continue
        staging = work.with_name(f".{work.name}.{os.getpid()}.seeding")
        staging.unlink(missing_ok=True)
        restore(candidate, parts_folder(snapshot), staging)
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


def publish(con: duckdb.DuckDBPyConnection, snapshot: Path, *, keep: timedelta) -> Path:
    """Publish the working database ``con`` holds: its changed partitions, then the views file.

    The old views file becomes ``.prev`` (a hard link, so it costs no copy) before the rename,
    and any WAL left beside the old snapshot by a writer that died is removed, since DuckDB
    would replay it onto the new file and every reader would fail. The new file is made
    read-only on disk (0444): that stops a plain ``duckdb.connect()`` by anyone but root.
    Files that no publish of the last ``keep`` (nor the last three) names are then deleted.
    """
    parts = parts_folder(snapshot)
    generation = ledger.write_changed_partitions(con, parts)
    staging = snapshot.with_name(f".{snapshot.name}.{os.getpid()}.publishing")
    staging.unlink(missing_ok=True)
    try:
        write_views_file(con, staging, parts, generation)
        verify(staging, parts)
        os.chmod(staging, 0o444)
        if snapshot.exists():
            _keep_previous(snapshot)
        _remove_wal(snapshot)
        os.replace(staging, snapshot)
        _remove_wal(snapshot)
    finally:
        staging.unlink(missing_ok=True)
    _sync_directory(snapshot.parent)
    ledger.collect_garbage(con, parts, keep)
    return snapshot


def restore(views_file: Path, parts: Path, target: Path) -> None:
    """A new working database at ``target`` holding every table the snapshot's files hold."""
    source = duckdb.connect(str(views_file), read_only=True)
    try:
        manifest = source.execute(
            "SELECT table_name, part, file, row_count, fingerprint FROM snapshot_files"
        ).fetchall()
    finally:
        source.close()
    con = connect(target)
    try:
        ledger.restore_tables(con, parts, manifest)
        con.execute("CHECKPOINT")
    finally:
        con.close()


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
    for path in parts_folder(snapshot).glob("*/*.tmp"):
        path.unlink(missing_ok=True)
        removed.append(path)
    for path in parts_folder(snapshot).glob(f".*{STAGING_SUFFIX}"):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _sync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut."""
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
