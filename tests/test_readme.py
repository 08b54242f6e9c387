"""The README documents every command the CLI has, and CI runs the README's test command."""

from pathlib import Path

import typer.main

from flows.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_in_the_readme():
    commands = typer.main.get_command(app).commands
    missing = sorted(name for name in commands if f"newsdesk {name}" not in README)
    assert not missing, f"README does not mention: {missing}"


def test_the_quick_start_is_the_two_make_commands_and_ci_runs_the_second():
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make run" in quick_start and "make test" in quick_start
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.strip().splitlines()[-1] == "make test"
