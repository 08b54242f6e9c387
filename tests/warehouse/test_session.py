"""One writer at a time; analysts read a snapshot that a run replaces atomically."""

import subprocess
import sys
import threading

import duckdb
import pytest

from config.settings import Settings
from tests.waiting import PATIENCE_SECONDS, wait_until
from warehouse.runs import start_run
from warehouse.session import WarehouseBusyError, open_working, reader, writer, writer_lock


@pytest.fixture
def settings(tmp_path):
    return Settings(db_path=tmp_path / "news.duckdb")


def test_a_write_is_published_to_the_snapshot(settings):
    with writer(settings) as con:
        start_run(con, "r", "ingest", {})
    con = reader(settings)
    assert con.execute("SELECT run_id FROM pipeline_runs").fetchall() == [("r",)]


def test_an_analyst_holding_the_snapshot_open_does_not_block_a_run(settings):
    with writer(settings):
        pass
    analyst = duckdb.connect(str(settings.db_path))  # read-write, as the CLI opens it by default
    with writer(settings) as con:
        start_run(con, "r2", "ingest", {})
    assert analyst.execute("SELECT count(*) FROM pipeline_runs").fetchone() == (0,)
    analyst.close()
    assert reader(settings).execute("SELECT count(*) FROM pipeline_runs").fetchone() == (1,)


def test_a_second_writer_waits_for_the_first_and_says_so(settings):
    said: list[str] = []
    order: list[str] = []

    def second() -> None:
        with writer_lock(settings.db_path, log=said.append):
            order.append("second")

    with writer_lock(settings.db_path, log=said.append):
        thread = threading.Thread(target=second)
        thread.start()
        wait_until(lambda: said, "the second writer finding the lock taken")
        order.append("first")
    thread.join(PATIENCE_SECONDS)
    assert order == ["first", "second"]
    assert said[0].startswith("waiting for the writer lock")


def test_a_working_file_held_by_another_process_fails_with_advice(settings):
    with writer(settings):
        pass
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb; c=duckdb.connect({str(settings.work_db_path)!r}); print('open', "
            "flush=True); input()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(WarehouseBusyError, match="analysts should open"):
            open_working(settings, log=lambda _: None, attempts=2)
    finally:
        holder.kill()
        holder.wait()


def test_a_lost_working_file_is_seeded_from_the_snapshot(settings):
    with writer(settings) as con:
        start_run(con, "r", "ingest", {})
    settings.work_db_path.unlink()
    con = open_working(settings, log=lambda _: None)
    assert con.execute("SELECT count(*) FROM pipeline_runs").fetchone() == (1,)
