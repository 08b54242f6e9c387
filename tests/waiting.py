"""Waiting on what a test needs to have happened, never on how long it should take.

A fixed ``time.sleep`` guesses how fast the machine is today; on a loaded machine the guess is
wrong and the test fails for nothing. Waiting for the condition itself, with a deadline far
beyond any machine's slowness, fails only when the condition never comes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

PATIENCE_SECONDS = 60.0


def wait_until(condition: Callable[[], object], what: str, timeout: float = PATIENCE_SECONDS):
    """Poll ``condition`` until it is truthy and return its value; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout:.0f} s"
        time.sleep(0.01)
    return value
