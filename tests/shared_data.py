"""Where the tests find material they do not ship, and the seed report they do.

``../shared/eval`` (real pages and records written by others) is never copied into the
repository. Outside CI a test that needs it is skipped when it is missing; under CI (``CI=true``)
it fails instead, because a quality floor that silently skips checks nothing.

The seed report needs no ``../shared``: the sample corpus keeps it verbatim, paragraph by
paragraph, as ``samples/archive/aa-example/armenian-forces-target-ganja.html``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import lxml.html
import pytest

from bench.eval_incidents import eval_dir_from_env

REPO = Path(__file__).resolve().parents[1]
EVAL_DIR = eval_dir_from_env()
SHARED_SEED = EVAL_DIR.parent / "seed" / "000_705da89ffcbe6bb3.txt"
SEED_PAGE = REPO / "samples" / "archive" / "aa-example" / "armenian-forces-target-ganja.html"


def require_eval(folder: str = "") -> Path:
    """``EVAL_DIR / folder``; skipped when absent, but a failure under CI."""
    path = EVAL_DIR / folder
    if not path.exists():
        message = f"evaluation data not found at {path}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}: CI must run the quality floors", pytrace=False)
        pytest.skip(message)
    return path


def seed_report() -> tuple[str, datetime]:
    """The seed report's body (paragraphs joined by blank lines) and its publication day."""
    tree = lxml.html.fromstring(SEED_PAGE.read_bytes())
    paragraphs = [node.text_content() for node in tree.xpath('//div[@class="article-body"]/*')]
    (ld,) = tree.xpath('//script[@type="application/ld+json"]/text()')
    day = json.loads(ld)["datePublished"][:10]
    return "\n\n".join(paragraphs), datetime.fromisoformat(day)
