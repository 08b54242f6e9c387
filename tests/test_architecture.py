"""The import direction is flows → warehouse → tasks → config. Stages (``tasks``) are pure: no
database, no Prefect, so they run in a process pool or on a Dask worker. The database side of a
run (``warehouse``) never imports Prefect. A command imports only its own module (so inspection
commands start quickly, without Prefect)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import COMMANDS
from flows.commands.lazy import commands_of

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"flows": 3, "warehouse": 2, "tasks": 1, "config": 0}
PHASES = ("fetching", "text", "dedupe", "incidents", "report")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def modules_in(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["tasks", "warehouse", "config"])
def test_lower_layers_never_import_a_higher_one(package):
    for module in modules_in(package):
        higher = {n for n in imports_of(module) if LAYERS.get(n, -1) > LAYERS[package]}
        assert not higher, f"{module.relative_to(ROOT)} imports {higher}"


@pytest.mark.parametrize("package", ["tasks", "warehouse", "config"])
def test_nothing_below_the_flows_imports_prefect(package):
    for module in modules_in(package):
        assert "prefect" not in imports_of(module), f"{module.relative_to(ROOT)} imports prefect"


def test_stages_never_touch_the_database():
    for module in modules_in("tasks"):
        found = imports_of(module) & {"duckdb", "warehouse"}
        assert not found, f"{module.relative_to(ROOT)} imports {found}"


def test_stages_keep_no_module_level_caches():
    """What a stage reads (lexicons, rules, a model) is built once by its caller and passed in,
    so a process pool or a Dask worker holds exactly what it was given, and a test another."""
    for module in modules_in("tasks"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        cached = [
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and any("cache" in ast.unparse(d) for d in node.decorator_list)
        ]
        assert not cached, f"{module.relative_to(ROOT)} caches {cached}"


def test_stages_are_grouped_by_phase():
    loose = {p.name for p in (ROOT / "tasks").glob("*.py")} - {"__init__.py"}
    assert loose <= {"records.py", "process.py", "run_counts.py"}, loose
    assert {p.name for p in (ROOT / "tasks").iterdir() if (p / "__init__.py").exists()} == set(
        PHASES
    )


def modules_loaded_by(command: str) -> set[str]:
    """The modules a fresh interpreter holds once the CLI has looked up ``command``."""
    script = (
        "import sys, typer.main\n"
        "from flows.cli import app\n"
        f"typer.main.get_command(app).get_command(None, {command!r})\n"
        "print(' '.join(sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("command", ["incidents", "extract"])
def test_inspection_commands_never_import_prefect(command):
    assert "prefect" not in modules_loaded_by(command)


def test_a_command_imports_only_the_module_that_defines_it():
    loaded = modules_loaded_by("incidents")
    assert {module for module in COMMANDS if module in loaded} == {"flows.commands.incidents"}


@pytest.mark.parametrize("module", sorted(COMMANDS))
def test_the_command_table_names_exactly_what_each_module_registers(module):
    assert tuple(commands_of(module)) == COMMANDS[module]
