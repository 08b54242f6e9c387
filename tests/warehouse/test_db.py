"""Schema migrations run once each, in order, and are recorded."""

from warehouse.db import connect, migrate, migrations


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
