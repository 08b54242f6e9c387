"""One real deployment: server, `newsdesk deploy`, a worker, two triggered ingests of the sample.

Slow (about a minute): it starts `prefect server start` on 127.0.0.1 with its own PREFECT_HOME
in tmp_path, so it never touches a developer's Prefect setup or the repository's data/.
"""

import pytest

from bench.orchestration import PrefectStack, measure


@pytest.mark.slow
def test_triggered_ingest_loads_the_sample_once_and_a_rerun_changes_nothing(tmp_path, capsys):
    with PrefectStack(tmp_path) as stack:
        figures = measure(stack)
        first, rerun = figures["first_run"], figures["unchanged_rerun"]
        with capsys.disabled():
            print(
                f"\norchestration: requested→done {first['requested_to_done_seconds']:.1f}s, "
                f"ran {first['running_seconds']:.1f}s, {first['pages_per_second']:.1f} pages/s; "
                f"unchanged rerun (fixed cost) requested→done "
                f"{rerun['requested_to_done_seconds']:.1f}s, ran {rerun['running_seconds']:.1f}s"
            )
        assert first["state"] == "Completed"
        assert first["pipeline_status"] == "completed"
        assert figures["counts_after_first"]["articles"] > 0
        assert rerun["state"] == "Completed"
        assert rerun["pipeline_status"] == "completed"
        assert figures["counts_after_second"] == figures["counts_after_first"]
    assert not stack.running(), "a server or worker process outlived the test"
