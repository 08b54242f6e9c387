"""Shared fixtures: the labelled cases and the seed report."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from tasks.incidents.reader import default_reader
from tests.shared_data import seed_report

# The shipped reader (gazetteer, lexicons, type model), built once for every test here.
READER = default_reader()
LEX = READER.lexicons
GAZETTEER = READER.gazetteer
LABELLED = yaml.safe_load((Path(__file__).parent / "labelled.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_article() -> tuple[str, datetime]:
    """The seed report's body and publication day."""
    return seed_report()
