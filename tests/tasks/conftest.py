"""A real HTTP server on 127.0.0.1 for the fetching tests, started once per module."""

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from tests.tasks.pages import loopback_server, reset_server


@pytest.fixture(scope="module")
def _loopback() -> Iterator[HTTPServer]:
    with loopback_server() as server:
        yield server


@pytest.fixture
def web(_loopback: HTTPServer) -> Iterator[HTTPServer]:
    """The module's server, with this test's handlers and request log forgotten afterwards."""
    yield _loopback
    reset_server(_loopback)
