"""Below the CLI nothing spells a command-line flag or an `ecoport ...` command: services,
core and store name fields (``field="sector"``) and write ``{option:force}`` or
``{command:fx set}`` in their messages; the CLI spells them in one place
(ecoport.cli.common.option_name and spelled)."""

import ast
import re
from pathlib import Path

import pytest

from ecoport.cli.common import option_name, spelled
from ecoport.errors import Conflict
from tests.conftest import Run

PACKAGE = Path(__file__).resolve().parent.parent / "ecoport"
FLAG = re.compile(r"(?<![\w{:-])--[a-z][a-z-]*")
COMMAND = re.compile(r"`ecoport [a-z]")
PLACEHOLDER = re.compile(r"\{command:[^{}]*\}")


def _docstrings(tree: ast.AST) -> set[int]:
    """Ids of the string constants that are docstrings (module, class, function, attribute)."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        for stmt in (
            getattr(node, "body", []) if isinstance(getattr(node, "body", None), list) else []
        ):
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                ids.add(id(stmt.value))
    return ids


def _spelled_below_the_cli() -> list[str]:
    found = []
    for layer in ("services", "core", "store"):
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docs = _docstrings(tree)
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docs
                    and (
                        FLAG.search(unnamed := PLACEHOLDER.sub("", node.value))
                        or COMMAND.search(unnamed)
                    )
                ):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value!r}")
    return found


def test_no_flag_or_command_is_spelled_below_the_cli() -> None:
    assert _spelled_below_the_cli() == []


def test_the_cli_spells_fields_and_commands() -> None:
    assert option_name("new_company") == "--new-company"
    text = "pass {option:allow_duplicate}, or see {command:init --seed} and {command:fx set}"
    assert (
        spelled(text) == "pass --allow-duplicate, or see `ecoport init --seed` and `ecoport fx set`"
    )
    assert spelled("{not a placeholder}") == "{not a placeholder}"
    assert str(Conflict("x", field="sector")) == "sector: x"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["add-stake", "--investor", "Xiaomi", "--startup", "Newco", "--date", "2020"],
            "ecoport: error: --sector: 'Newco' is a new company: give its sector "
            "(for example --sector iot/wearables)",
        ),
        (
            ["add-stake", "--investor", "Xioami", "--startup", "Roborock", "--date", "2021"],
            "pass --new-company to create it",
        ),
        (["report", "--investor", "Nobody Here"], "ecoport: error: --investor: no company named"),
    ],
)
def test_errors_from_below_name_the_commands_options(
    run: Run, seeded: Path, args: list[str], line: str
) -> None:
    del seeded
    result = run(*args)
    assert result.exit_code != 0
    assert line in result.stderr, result.stderr
    assert "{option:" not in result.stderr and "{command:" not in result.stderr
