"""``newsdesk ingest`` as a process of its own, for tests that kill, signal or watch a run.

One way to start it, so the crash-recovery test, the stop-signal tests and the kill loop run the
pipeline exactly as a scheduler would: the command line, its own Prefect home, its own session
(so a signal to the group reaches its temporary server too).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from config.settings import PROJECT_DIR


def spawn_ingest(
    sources: Path,
    db: Path,
    prefect_home: Path,
    *,
    env: dict[str, str] | None = None,
    stderr: int | None = subprocess.DEVNULL,
    cwd: Path = PROJECT_DIR,
) -> subprocess.Popen:
    """Start ``newsdesk ingest --sources SOURCES --db DB``; ``env`` adds settings to the
    process's environment; pass ``stderr=subprocess.PIPE`` to follow its log."""
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "ingest", "--sources", str(sources), "--db", str(db)],
        env=os.environ | {"PREFECT_HOME": str(prefect_home)} | (env or {}),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
        start_new_session=True,
    )
