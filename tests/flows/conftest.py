"""Fixtures the flow tests share: one Prefect test harness (a temporary local API and database)
and one database built from the bundled sample, each for the whole session."""

from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness

from config.settings import Settings
from flows.ingest import ingest


@pytest.fixture(scope="session")
def prefect_harness():
    """Starting the harness costs seconds, so flow tests share one."""
    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def sample_db(prefect_harness, tmp_path_factory) -> Path:
    """The bundled sample ingested once; tests read it (a re-run must leave its state as is)."""
    db = tmp_path_factory.mktemp("sample") / "news.duckdb"
    run = ingest(sources=["sample"], sources_file=str(Settings().sources_file), db_path=str(db))
    assert run["status"] == "completed"
    return db
