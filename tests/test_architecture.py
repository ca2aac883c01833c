"""The house rules of the source tree (docs/architecture.md), checked.

- the import contracts of ``.importlinter`` hold (layers, domains, no cycle), and
  ``lint-imports`` does fail when a layer violation or a cycle is planted in a copy;
- every import left inside a function says why, on the line above (``# lazy: ...``);
- no private name (``_x``) is imported or reached into from another module;
- every package says what it owns and may import; modules stay readable in one sitting.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SRC = PROJECT / "src" / "alusage_ledger"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

#: A module longer than this is split by meaning (the issue asks for ~800).
MAX_LINES = 800


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package under ``root/src``, with ``root/.importlinter``."""
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    shutil.copytree(SRC, root / "src" / "alusage_ledger", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy2(PROJECT / ".importlinter", root / ".importlinter")
    return root


def test_the_import_contracts_hold() -> None:
    result = _lint_imports(PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def _plant(root: Path, rel: str, line: str) -> str:
    path = root / "src" / "alusage_ledger" / rel
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "\n" + line + "\n", encoding="utf-8")
    return original


def test_a_planted_layer_violation_fails(source_copy: Path) -> None:
    """core importing the books: the layers contract breaks and names the import."""
    rel = "core/money.py"
    original = _plant(source_copy, rel, "from alusage_ledger.books import ledger  # planted")
    try:
        result = _lint_imports(source_copy)
    finally:
        (source_copy / "src" / "alusage_ledger" / rel).write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert "alusage_ledger.core.money -> alusage_ledger.books.ledger" in result.stdout


def test_a_planted_cycle_inside_a_function_fails(source_copy: Path) -> None:
    """A function-level import that closes a cycle between two modules of a package
    (``core.periods`` imports ``core.errors``; the planted import goes back)."""
    rel = "core/errors.py"
    planted = "def _planted() -> None:\n    from alusage_ledger.core import periods  # noqa: F401"
    original = _plant(source_copy, rel, planted)
    try:
        result = _lint_imports(source_copy)
    finally:
        (source_copy / "src" / "alusage_ledger" / rel).write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert "alusage_ledger.core" in result.stdout
    assert ".errors" in result.stdout and ".periods" in result.stdout


def test_a_domain_reaching_into_another_domains_module_fails(source_copy: Path) -> None:
    """Another domain is used through its package's interface, not its modules."""
    rel = "domains/year/__init__.py"
    planted = "from alusage_ledger.domains.sales import rules  # noqa: F401  planted"
    original = _plant(source_copy, rel, planted)
    try:
        result = _lint_imports(source_copy)
    finally:
        (source_copy / "src" / "alusage_ledger" / rel).write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert "alusage_ledger.domains.sales.rules" in result.stdout


def _function_imports(tree: ast.Module) -> list[ast.stmt]:
    """Imports inside a function (not those under ``if TYPE_CHECKING:``)."""
    found: dict[int, ast.stmt] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found[id(inner)] = inner
    return sorted(found.values(), key=lambda node: node.lineno)


def test_every_function_level_import_says_why() -> None:
    """The reason stands on the line above the import, or above the run of imports it
    belongs to (one comment for two imports of one command's domain)."""
    missing = []
    for path in _modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        nodes = _function_imports(ast.parse("\n".join(lines)))
        covered = {n for node in nodes for n in range(node.lineno, (node.end_lineno or 0) + 1)}
        for node in nodes:
            above = node.lineno - 1
            while above in covered:
                above -= 1
            reason = lines[above - 1].strip() if above >= 1 else ""
            if not reason.startswith("# lazy:") or len(reason) < len("# lazy: ") + 10:
                missing.append(f"{path.relative_to(PROJECT)}:{node.lineno}")
    assert not missing, "function-level imports without a '# lazy: <reason>' line:\n" + "\n".join(
        missing
    )


def _private_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("alusage_ledger"):
            for alias in node.names:
                name = alias.name
                if name.startswith("_") and not name.startswith("__") and name != "_":
                    found.append(f"{path.relative_to(PROJECT)}:{node.lineno} imports {name}")
                modules.add(alias.asname or name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("alusage_ledger"):
                    modules.add((alias.asname or alias.name).split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            found.append(
                f"{path.relative_to(PROJECT)}:{node.lineno} uses {node.value.id}.{node.attr}"
            )
    return found


def test_no_private_name_is_used_outside_its_module() -> None:
    found = [use for path in _modules() for use in _private_uses(path)]
    assert not found, "\n".join(found)


def test_every_package_says_what_it_owns() -> None:
    bare = []
    for init in sorted(SRC.rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        if init.parent != SRC and (not doc or "import" not in doc):
            bare.append(str(init.relative_to(PROJECT)))
    assert not bare, "packages whose docstring does not say what they own and import: " + ", ".join(
        bare
    )


def test_modules_are_readable_in_one_sitting() -> None:
    long = {
        str(p.relative_to(PROJECT)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long
