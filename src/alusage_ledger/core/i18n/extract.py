"""Find every translatable string in the source and the ones a catalog lacks.

    python -m alusage_ledger.core.i18n.extract            # list missing French translations
    python -m alusage_ledger.core.i18n.extract --add AREA # append them, empty, to fr/AREA.po

A string is translatable when it is the literal first argument of ``_()`` or ``N_()``.
The test suite fails while any of them has no French translation.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from alusage_ledger.core.i18n import catalog

PACKAGE = Path(__file__).resolve().parents[2]


def messages(root: Path = PACKAGE) -> dict[str, str]:
    """``{msgid: "file:line"}`` for every ``_("...")``/``N_("...")`` literal in the package."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(root)}:{node.lineno}")
    return found


def missing(lang: str = "fr") -> dict[str, str]:
    known = catalog(lang)
    return {msgid: where for msgid, where in messages().items() if msgid not in known}


def _po_quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def main(argv: list[str]) -> int:
    todo = missing("fr")
    if len(argv) == 2 and argv[0] == "--add":
        target = Path(__file__).resolve().parent / "fr" / f"{argv[1]}.po"
        with open(target, "a", encoding="utf-8") as handle:
            for msgid, where in todo.items():
                handle.write(f'\n#: {where}\nmsgid {_po_quote(msgid)}\nmsgstr ""\n')
        print(f"{len(todo)} message(s) appended to {target}")
        return 0
    for msgid, where in todo.items():
        print(f"{where}: {msgid!r}")
    return 1 if todo else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
