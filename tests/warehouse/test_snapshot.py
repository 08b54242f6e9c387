"""A failed or damaged run never replaces the good snapshot; leftovers and stale WALs go."""

import os
import subprocess
import sys

import duckdb
import pytest

from config.settings import Settings
from warehouse.runs import start_run
from warehouse.session import WarehouseDamagedError, reader, writer


@pytest.fixture
def settings(tmp_path):
    settings = Settings(db_path=tmp_path / "news.duckdb")
    with writer(settings) as con:
        start_run(con, "good", "ingest", {})
    return settings


def run_ids(settings):
    con = reader(settings)
    try:
        rows = con.execute("SELECT run_id FROM pipeline_runs ORDER BY 1").fetchall()
        return [r for (r,) in rows]
    finally:
        con.close()


def test_a_failed_run_does_not_publish(settings):
    with pytest.raises(RuntimeError), writer(settings) as con:
        start_run(con, "bad", "ingest", {})
        raise RuntimeError("the run failed")
    assert run_ids(settings) == ["good"]


def test_a_truncated_working_file_fails_with_what_to_do_and_keeps_the_snapshot(settings):
    work = settings.work_db_path
    os.truncate(work, work.stat().st_size // 2)
    advice = "delete it and run again: it is re-seeded"
    with pytest.raises(WarehouseDamagedError, match=advice), writer(settings):
        pass
    assert run_ids(settings) == ["good"]
    work.unlink()
    with writer(settings) as con:
        start_run(con, "after", "ingest", {})
    assert run_ids(settings) == ["after", "good"]


def test_a_garbled_working_file_is_damage_not_a_lock(settings):
    with open(settings.work_db_path, "r+b") as handle:
        handle.write(os.urandom(8192))
    with pytest.raises(WarehouseDamagedError, match="is damaged"), writer(settings):
        pass


def test_a_damaged_snapshot_seeds_from_the_previous_one(settings):
    with writer(settings) as con:
        start_run(con, "second", "ingest", {})
    settings.work_db_path.unlink()
    os.chmod(settings.db_path, 0o644)
    os.truncate(settings.db_path, settings.db_path.stat().st_size // 2)
    with writer(settings) as con:
        assert con.execute("SELECT count(*) FROM pipeline_runs").fetchone() == (1,)


def test_a_stale_wal_beside_the_snapshot_is_removed_by_publishing(settings):
    wal = settings.db_path.with_name(settings.db_path.name + ".wal")
    wal.write_bytes(os.urandom(4096))
    with writer(settings) as con:
        start_run(con, "next", "ingest", {})
    assert not wal.exists()
    assert run_ids(settings) == ["good", "next"]


def test_the_snapshot_is_read_only_on_disk_and_the_previous_one_kept(settings):
    with writer(settings):
        pass
    assert settings.db_path.stat().st_mode & 0o777 == 0o444
    prev = settings.db_path.with_name(settings.db_path.name + ".prev")
    duckdb.connect(str(prev), read_only=True).close()


def test_leftover_staging_files_of_a_killed_run_are_removed_at_the_next_start(settings):
    leftover = settings.db_path.with_name(f".{settings.db_path.name}.999.publishing")
    leftover.write_bytes(b"half a copy")
    with writer(settings):
        pass
    assert not leftover.exists()


def test_an_analyst_process_that_died_writing_to_the_snapshot_does_not_break_readers(settings):
    # As root the 0444 mode does not stop the write; removing the WAL it leaves is the fix.
    analyst = (
        f"import duckdb, os; c = duckdb.connect({str(settings.db_path)!r}); "
        "c.execute('CREATE TABLE scratch AS SELECT 1 AS x'); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", analyst], check=False)
    with writer(settings) as con:
        start_run(con, "next", "ingest", {})
    assert run_ids(settings) == ["good", "next"]


def test_a_stopped_run_is_recorded_cancelled_and_not_published(settings):
    with pytest.raises(KeyboardInterrupt), writer(settings) as con:
        start_run(con, "stopped", "ingest", {})
        raise KeyboardInterrupt
    assert run_ids(settings) == ["good"]
    with writer(settings) as con:
        status = con.execute("SELECT status FROM pipeline_runs WHERE run_id = 'stopped'")
        assert status.fetchone() == ("cancelled",)


def test_a_run_killed_while_seeding_leaves_no_half_copy_behind(settings):
    settings.work_db_path.unlink()
    half = settings.work_db_path.with_name(f".{settings.work_db_path.name}.999.seeding")
    half.write_bytes(settings.db_path.read_bytes()[:4096])
    with writer(settings) as con:
        start_run(con, "after", "ingest", {})
    assert not half.exists()
    assert run_ids(settings) == ["after", "good"]
