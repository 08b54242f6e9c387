"""Schema migrations run once each, in order, and are recorded."""

import duckdb
import pytest

from warehouse.db import LEDGER_DDL, connect, migrate, migrations


def test_a_new_database_gets_every_migration_recorded(tmp_path):
    con = connect(tmp_path / "n.duckdb")
    recorded = [
        r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    ]
    assert recorded == [version for version, _, _ in migrations()]


def test_migrating_again_applies_nothing(tmp_path):
    con = connect(tmp_path / "n.duckdb")
    assert migrate(con) == []


def test_timestamps_are_shown_in_utc(tmp_path):
    con = connect(tmp_path / "n.duckdb")
    (shown,) = con.execute("SELECT TIMESTAMPTZ '2020-10-04 12:00:00+04'::VARCHAR").fetchone()
    assert shown.startswith("2020-10-04 08:00:00")


def test_a_database_from_before_migration_6_keeps_its_runs_and_accepts_cancelled(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(LEDGER_DDL)
    for version, name, sql in migrations()[:5]:
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
    con.execute(
        "INSERT INTO pipeline_runs VALUES ('r', 'ingest', '{}', now(), now(), 'crashed', '{}', '')"
    )
    con.close()
    con = connect(path)
    assert con.execute("SELECT run_id, status FROM pipeline_runs").fetchall() == [("r", "crashed")]
    con.execute("UPDATE pipeline_runs SET status = 'cancelled'")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("UPDATE pipeline_runs SET status = 'paused'")
