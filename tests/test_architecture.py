"""The import direction is flows → tasks → warehouse/config, and stages never import Prefect."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"flows": 3, "tasks": 2, "warehouse": 1, "config": 0}


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
def test_stages_are_plain_python_without_prefect(package):
    for module in modules_in(package):
        assert "prefect" not in imports_of(module), f"{module.relative_to(ROOT)} imports prefect"
