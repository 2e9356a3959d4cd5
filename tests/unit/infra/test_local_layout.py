"""The local stack's shape: modules small enough to read, and a stack that knows no concrete trigger."""

from __future__ import annotations

import ast
from pathlib import Path

from infra.local.template import ROOT

INFRA = ROOT / "infra"
MAX_LINES = 450


def python_files() -> list[Path]:
    return [path for path in INFRA.rglob("*.py") if "node_modules" not in path.parts]


def test_no_module_of_infra_is_over_450_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in python_files()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }

    assert too_long == {}


def test_the_stack_names_no_concrete_trigger() -> None:
    # Adding a trigger type is adding a module to infra.local.triggers, not editing the stack.
    tree = ast.parse((INFRA / "local" / "stack.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}

    assert {module for module in imported if module.startswith("infra.local.triggers.")} == set()
