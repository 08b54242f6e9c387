"""The word lists extraction reads, parsed and compiled once per reader from ``config/``.

Everything event-, site- or region-specific lives in YAML so analysts can extend it without
touching code; this module only turns it into compiled patterns. A ``Lexicons`` keeps what it
compiled on itself, not in the module, so a worker process, a test or an evaluation can hold
another set side by side.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

from config.settings import CONFIG_DIR
from tasks.incidents.alternations import factor_alternations

LEXICON_DIR = CONFIG_DIR / "lexicons"
Built = TypeVar("Built")


def load_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


class Lexicons:
    """The lexicon files of one folder by stem (``lex["events"]``), and their patterns."""

    def __init__(self, tables: Mapping[str, dict[str, Any]]) -> None:
        self._tables = dict(tables)
        self._patterns: dict[str, re.Pattern[str]] = {}
        self._built: dict[Callable[[Lexicons], Any], Any] = {}

    @classmethod
    def load(cls, directory: Path = LEXICON_DIR) -> Lexicons:
        return cls({path.stem: load_yaml(path) for path in sorted(directory.glob("*.yaml"))})

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self._tables[name]

    def words(self, alternatives: str) -> re.Pattern[str]:
        """Whole-word, case-insensitive: "mine" must not fire inside "determined"."""
        return self.regex(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

    def regex(self, source: str) -> re.Pattern[str]:
        """``source`` compiled case-insensitively, once, its word lists as tries (they are
        long, and ``re`` would try every word at every place)."""
        pattern = self._patterns.get(source)
        if pattern is None:
            compiled = re.compile(factor_alternations(source), re.IGNORECASE)
            pattern = self._patterns[source] = compiled
        return pattern

    def built(self, build: Callable[[Lexicons], Built]) -> Built:
        """What ``build`` makes of these lexicons, made on first use and kept with them."""
        if build not in self._built:
            self._built[build] = build(self)
        return self._built[build]
