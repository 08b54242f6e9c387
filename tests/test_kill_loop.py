"""The kill loop itself works: a few kills at random moments, each run again, nothing differs.

``make kill-test`` runs it with 20 kills and more; this keeps the mechanism tested in CI.
"""

import pytest

from tests.kill_loop import kill_loop

pytestmark = pytest.mark.slow


def test_runs_killed_at_random_moments_and_run_again_equal_one_clean_run(tmp_path):
    report = kill_loop(kills=3, seed=11, workdir=tmp_path, log=lambda line: None)
    assert report.problems == []
    assert sum(report.kills.values()) == 3
    assert report.survived == 3
