"""Shared fixtures: the labelled cases and the seed report."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml

LABELLED = yaml.safe_load((Path(__file__).parent / "labelled.yaml").read_text(encoding="utf-8"))
SHARED = Path(
    os.environ.get(
        "NEWSDESK_EVAL_DIR", Path(__file__).resolve().parents[3].parent / "shared" / "eval"
    )
).parent
SEED = SHARED / "seed" / "000_705da89ffcbe6bb3.txt"


@pytest.fixture(scope="session")
def seed_article() -> tuple[str, datetime]:
    """The seed report's body and publication day (its first words are ``date YYYY-MM-DD``)."""
    if not SEED.exists():
        pytest.skip(f"seed report not found at {SEED}")
    raw = SEED.read_text(encoding="utf-8")
    header = re.match(r"\s*date (\d{4}-\d{2}-\d{2}) ", raw)
    assert header, "the seed report lost its date header"
    return raw[header.end() :], datetime.fromisoformat(header.group(1))
