"""`newsdesk deploy/worker/trigger`, the backfill flow's checks and the prefect.yaml contract.

No Prefect server here: PREFECT_API_URL points at a closed local port, so a trigger that was
not refused up front would fail loudly instead of creating a run. tests/e2e runs the real thing.
"""

import inspect
import sys
from datetime import UTC, date, datetime, timedelta
from importlib import import_module

import pytest
import yaml
from typer.testing import CliRunner

from config.settings import Settings
from config.sources import SourceConfigError
from flows.backfill import backfill
from flows.cli import app
from flows.deployments import (
    PROJECT_DIR,
    WORK_POOL,
    check_parameters,
    parse_params,
    run_day,
    trailing_days,
    worker_command,
)

DEPLOYMENTS = {
    f"{d['entrypoint'].rsplit(':', 1)[1]}/{d['name']}": d
    for d in yaml.safe_load((PROJECT_DIR / "prefect.yaml").read_text())["deployments"]
}


@pytest.fixture
def sources_file(tmp_path, monkeypatch):
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        "  - {id: sample, kind: archive, path: pages}\n"
        "  - {id: wire, kind: feed, url: 'http://127.0.0.1:9/feed.xml', enabled: false}\n"
    )
    monkeypatch.setenv("NEWSDESK_SOURCES_FILE", str(path))
    monkeypatch.setenv("NEWSDESK_DB_PATH", str(tmp_path / "news.duckdb"))
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    return path


def trigger(*args: str):
    return CliRunner().invoke(app, ["trigger", *args])


def test_param_values_are_read_as_json_when_they_parse_and_as_text_otherwise():
    assert parse_params(
        ['sources=["sample"]', "since=2024-05-01", "reprocess=true", "days_back=1", "note=a=b"]
    ) == {
        "sources": ["sample"],
        "since": "2024-05-01",
        "reprocess": True,
        "days_back": 1,
        "note": "a=b",
    }


def test_param_without_an_equals_sign_is_refused_naming_it():
    with pytest.raises(ValueError, match="'sources'"):
        parse_params(["sources"])


def test_trigger_with_an_unknown_source_fails_at_once_naming_it(sources_file):
    result = trigger("ingest/frequent", "--param", 'sources=["sample", "bbc"]')
    assert result.exit_code == 2
    assert "unknown source id(s): bbc" in result.output


def test_trigger_with_a_reversed_range_fails_naming_both_dates(sources_file):
    result = trigger("backfill/manual", "-p", "since=2024-05-07", "-p", "until=2024-05-01")
    assert result.exit_code == 2
    assert "2024-05-07" in result.output and "2024-05-01" in result.output


def test_trigger_with_a_malformed_date_fails_naming_it(sources_file):
    result = trigger("backfill/manual", "-p", "since=2024-13-01")
    assert result.exit_code == 2
    assert "since must be a date YYYY-MM-DD, got '2024-13-01'" in result.output


def test_sources_given_as_a_bare_id_are_refused_with_the_list_form(sources_file):
    result = trigger("ingest/frequent", "-p", "sources=sample")
    assert result.exit_code == 2
    assert "'sample'" in result.output and '["sample"]' in result.output


def test_a_disabled_source_may_be_named_explicitly(sources_file):
    check_parameters({"sources": ["wire"], "since": "2024-05-01"}, Settings())


def test_backfill_refuses_an_unknown_source_before_ingesting_anything(sources_file):
    with pytest.raises(SourceConfigError, match="unknown source id\\(s\\): nope"):
        backfill.fn(since=date(2024, 5, 1), until=date(2024, 5, 2), sources=["nope"])


def test_backfill_refuses_a_range_that_ends_before_it_starts(sources_file):
    with pytest.raises(ValueError, match=r"since \(2024-05-02\) is after until \(2024-05-01\)"):
        backfill.fn(since=date(2024, 5, 2), until=date(2024, 5, 1))


@pytest.fixture
def today(monkeypatch) -> date:
    """The run day, fixed: a test that reads the clock twice could straddle midnight."""
    fixed = date(2024, 5, 9)
    monkeypatch.setattr("flows.deployments.run_day", lambda: fixed)
    monkeypatch.setattr("flows.backfill.run_day", lambda: fixed)
    return fixed


def test_backfill_without_until_runs_up_to_today_so_a_future_since_is_refused(sources_file, today):
    tomorrow = today + timedelta(days=1)
    with pytest.raises(ValueError, match=f"since \\({tomorrow}\\) is after until"):
        backfill.fn(since=tomorrow)


def test_the_run_day_is_todays_date_in_utc():
    before = datetime.now(UTC).date()
    assert run_day() in {before, datetime.now(UTC).date()}


def test_trailing_days_cover_the_run_day_and_the_days_before_it(today):
    assert trailing_days(1) == (today - timedelta(days=1), today)
    assert trailing_days(0) == (today, today)
    with pytest.raises(ValueError, match="-1"):
        trailing_days(-1)


def test_worker_runs_this_environments_prefect_on_the_newsdesk_pool():
    command = worker_command(limit=2)
    assert command[:3] == [sys.executable, "-m", "prefect"]
    assert command[3:] == [
        "worker",
        "start",
        "--pool",
        WORK_POOL,
        "--type",
        "process",
        "--limit",
        "2",
    ]
    assert "--limit" not in worker_command()


def test_the_three_deployments_are_declared():
    assert set(DEPLOYMENTS) == {"ingest/frequent", "summarize/daily", "backfill/manual"}


@pytest.mark.parametrize("name", ["ingest/frequent", "summarize/daily"])
def test_scheduled_deployments_use_cron_in_an_explicit_timezone(name):
    (schedule,) = DEPLOYMENTS[name]["schedules"]
    assert schedule["timezone"] == "UTC" and len(schedule["cron"].split()) == 5


def test_backfill_runs_only_when_asked():
    assert DEPLOYMENTS["backfill/manual"]["schedules"] == []


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_each_deployment_runs_on_the_pool_one_run_at_a_time(name):
    deployment = DEPLOYMENTS[name]
    assert deployment["work_pool"]["name"] == WORK_POOL
    assert deployment["concurrency_limit"]["limit"] == 1


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_each_deployment_passes_only_parameters_its_flow_accepts(name):
    path, function = DEPLOYMENTS[name]["entrypoint"].rsplit(":", 1)
    flow = getattr(import_module(path.removesuffix(".py").replace("/", ".")), function)
    accepted = inspect.signature(flow.fn).parameters
    assert flow.name == name.split("/")[0]
    assert set(DEPLOYMENTS[name]["parameters"]) <= set(accepted)


def test_runs_start_in_the_project_directory_recorded_at_deploy_time():
    document = yaml.safe_load((PROJECT_DIR / "prefect.yaml").read_text())
    (build,) = document["build"]
    (pull,) = document["pull"]
    step_id = build["prefect.deployments.steps.run_shell_script"]["id"]
    directory = pull["prefect.deployments.steps.set_working_directory"]["directory"]
    assert directory == f"{{{{ {step_id}.stdout }}}}"
