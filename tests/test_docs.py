"""The documentation follows the code: the command reference, help texts, doc links.

``docs/reference.md`` is generated from ``--help`` (``python -m alusage_ledger.docgen``);
these tests fail when a command or an option is missing from it or when it is stale.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from conftest import PROJECT, run_subprocess

from alusage_ledger.cli._click import click
from alusage_ledger.docgen import REFERENCE, _root, command_tree, help_text, reference

DOCS = PROJECT / "docs"


def _sections(text: str) -> dict[str, str]:
    """``{"alusage-ledger invoice add": its help block}`` from the reference's headings."""
    parts = re.split(r"^#{2,4} (alusage-ledger.*)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _missing_from(text: str, root: Any) -> list[str]:
    """Commands and options of ``root`` that the reference ``text`` does not show."""
    sections = _sections(text)
    missing = []
    for path, command in command_tree(root):
        title = " ".join(("alusage-ledger", *path))
        if title not in sections:
            missing.append(f"command {title!r}")
            continue
        for param in command.params:
            if getattr(param, "hidden", False):
                continue
            for opt in (*param.opts, *getattr(param, "secondary_opts", ())):
                shown = sections[title]
                if not opt.startswith("-"):  # an argument: its name, as a metavar
                    opt, shown = str(param.name).lower(), shown.lower()
                if opt not in shown:
                    missing.append(f"{title}: {opt}")
    return missing


def test_the_reference_is_up_to_date() -> None:
    expected = reference()
    current = REFERENCE.read_text(encoding="utf-8")
    assert current == expected, (
        "docs/reference.md is stale: run 'python -m alusage_ledger.docgen' "
        "(or 'python -m alusage_ledger.docgen --check' to see it fail)"
    )


def test_every_command_and_option_is_in_the_reference() -> None:
    assert _missing_from(REFERENCE.read_text(encoding="utf-8"), _root()) == []


def _brand_new() -> Any:
    """A real Typer command with one option, as another issue would add it."""
    extra = typer.Typer()

    @extra.command("brand-new")
    def brand_new(
        brand_new_option: Annotated[
            bool, typer.Option("--brand-new-option", help="Something new.")
        ] = False,
    ) -> None:
        """A new command."""

    return typer.main.get_command(extra)


def test_a_new_option_makes_the_reference_stale() -> None:
    """The acceptance test: an option added without regenerating the reference fails."""
    root = _root()
    check = root.get_command(click.Context(root), "check")
    check.params.append(_brand_new().params[0])
    current = REFERENCE.read_text(encoding="utf-8")
    assert reference(root) != current
    assert _missing_from(current, root) == ["alusage-ledger check: --brand-new-option"]
    assert "--brand-new-option" in help_text(root, ["check"])


def test_a_new_command_makes_the_reference_stale() -> None:
    root = _root()
    root.add_command(_brand_new(), "brand-new")
    current = REFERENCE.read_text(encoding="utf-8")
    assert reference(root) != current
    assert _missing_from(current, root) == ["command 'alusage-ledger brand-new'"]


COMMANDS = command_tree()


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else ""
)
def test_every_command_and_option_has_a_help_text(path: tuple[str, ...], command: Any) -> None:
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
    for param in command.params:
        if getattr(param, "hidden", False) or param.name in ("help",):
            continue
        assert (getattr(param, "help", None) or "").strip(), (
            f"{' '.join(path) or '(root)'}: {param.name} has no help text"
        )


def test_docgen_check_mode_through_the_console() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "alusage_ledger.docgen", "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_every_doc_link_of_the_readme_and_docs_resolves() -> None:
    files = [PROJECT / "README.md", *sorted(DOCS.glob("*.md"))]
    broken = []
    for file in files:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", file.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (file.parent / target).exists():
                broken.append(f"{file.relative_to(PROJECT)} -> {target}")
    assert broken == []


def test_the_readme_lists_every_command_and_every_doc() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for path, _command in COMMANDS:
        if len(path) == 1:
            assert f"`alusage-ledger {path[0]}" in readme, f"README lacks {path[0]}"
    for doc in sorted(DOCS.glob("*.md")):
        assert f"docs/{doc.name}" in readme, f"README does not link docs/{doc.name}"


def test_shell_completion_is_offered() -> None:
    result = run_subprocess("--help")
    assert "--install-completion" in result.stdout
    assert "--install-completion" in (DOCS / "guide.fr.md").read_text(encoding="utf-8")
    assert "--install-completion" in (DOCS / "guide.md").read_text(encoding="utf-8")


def test_reference_file_is_english_and_complete_header() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    assert text.startswith("# Command reference")
    assert "Utilisation" not in text
    assert Path(DOCS / "reference.md") == REFERENCE
