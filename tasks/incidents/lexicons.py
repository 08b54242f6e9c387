"""The word lists extraction reads, loaded once per process from ``config/``.

Everything event-, site- or region-specific lives in YAML so analysts can extend it without
touching code; this module only turns it into compiled patterns.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from config.settings import CONFIG_DIR

LEXICON_DIR = CONFIG_DIR / "lexicons"


@cache
def load_yaml(path: Path) -> dict[str, Any]:
    """Cached so every sentence of every article shares one parsed copy."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def lexicon(name: str) -> dict[str, Any]:
    """One lexicon file of ``config/lexicons`` by its stem."""
    return load_yaml(LEXICON_DIR / f"{name}.yaml")


@cache
def word_pattern(alternatives: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive: "mine" must not fire inside "determined"."""
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)
