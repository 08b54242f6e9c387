"""Command groups whose command modules are imported only when a command is looked up.

Why: each module under ``flows/commands`` imports what its own commands need (trafilatura,
pyarrow, DuckDB, and Prefect through the flows). Importing them all before any command runs made
``newsdesk incidents`` start in over a second; looked up by name, a command pays for its own
module alone, while ``newsdesk --help`` still imports every module to list every command.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import Any, ClassVar

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup


def commands_of(module_name: str) -> dict[str, TyperCommand]:
    """The commands a module's ``register(app)`` adds, built the way Typer builds an app's."""
    app = typer.Typer()
    import_module(module_name).register(app)
    return dict(typer.main.get_group(app).commands)


class CommandsOnDemand(Mapping[str, TyperCommand]):
    """Command name -> command, importing the module that defines a command on first access.

    Names and their order come from the table, so listing names (for help, or for a typo's
    suggestions) imports nothing.
    """

    def __init__(self, modules: Mapping[str, tuple[str, ...]]) -> None:
        self._module_of = {name: module for module, names in modules.items() for name in names}
        self._loaded: dict[str, TyperCommand] = {}

    def __getitem__(self, name: str) -> TyperCommand:
        if name not in self._loaded:
            self._loaded.update(commands_of(self._module_of[name]))
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._module_of)

    def __len__(self) -> int:
        return len(self._module_of)


class LazyGroup(TyperGroup):
    """A Typer group whose commands are those ``modules`` register, each loaded when looked up.

    Subclass it with ``modules`` set to ``{"package.module": ("command", ...)}`` and pass the
    subclass as ``typer.Typer(cls=...)``; the app itself registers no commands.
    """

    modules: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        if self.commands:
            raise TypeError(f"{type(self).__name__} takes its commands from `modules` only")
        self.commands = CommandsOnDemand(self.modules)  # read-only: add_command() raises
