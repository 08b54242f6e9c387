"""Shared fixtures: the labelled cases and the seed report."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from tests.shared_data import seed_report

LABELLED = yaml.safe_load((Path(__file__).parent / "labelled.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_article() -> tuple[str, datetime]:
    """The seed report's body and publication day."""
    return seed_report()
