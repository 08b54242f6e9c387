"""One Prefect test harness (a temporary local API and database) for the whole session."""

import pytest
from prefect.testing.utilities import prefect_test_harness


@pytest.fixture(scope="session")
def prefect_harness():
    """Starting the harness costs seconds, so flow tests share one."""
    with prefect_test_harness(server_startup_timeout=180):
        yield
