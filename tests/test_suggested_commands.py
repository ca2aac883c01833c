"""Every command a message suggests exists, with options that exist (issue 23, item 5).

The messages are the catalogue's: every user-facing sentence is a msgid (English) with its
French msgstr (tests/test_i18n.py guarantees both). Each ``alusage-ledger …`` command line
quoted in one of them, and each ``--option`` named next to a command (``'bill add --date …'``,
``shares --post --replace``), is resolved against the Typer application: the command path
must lead to a command, and every option must be one of that command's parameters. Bare
options (``run again with --replace``) must belong to the command the message names, or —
when it names none — to at least one command, and the message must say which.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
from conftest import Cli, snapshot

from alusage_ledger.cli.app import app
from alusage_ledger.core.i18n import catalog
from alusage_ledger.core.i18n.extract import messages

# "alusage-ledger" followed by the words of a command line, up to the end of the quote,
# parenthesis or sentence.
SUGGESTION = re.compile(r"(?<!\w)['`(\"«]\s?alusage-ledger((?:\s+[^\s'\"`)»]+)+)")
# A command line in quotes without the program name: 'bill add --date ...'.
QUOTED = re.compile(r"(?:['`]|«\s)([a-z][a-z-]*(?:\s+[^'`«»]+?)?)(?:['`]|\s»)")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


@functools.cache
def _root() -> Any:
    # Typer 0.29 carries its own copy of click (typer._click): duck typing, not isinstance.
    return typer.main.get_command(app)


def _is_group(command: Any) -> bool:
    return hasattr(command, "list_commands")


def _context(command: Any) -> Any:
    return command.context_class(command)


def _options(command: Any) -> set[str]:
    names: set[str] = {"--help"}
    for param in command.params:
        if getattr(param, "param_type_name", "") == "option":
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def _global_options() -> set[str]:
    return _options(_root())


def resolve(words: list[str]) -> tuple[Any, list[str]]:
    """The command reached by ``words`` and the words left after it."""
    command: Any = _root()
    rest = list(words)
    ctx = _context(command)
    while rest and _is_group(command):
        word = rest[0]
        if word.startswith("-") or not re.fullmatch(r"[a-z][a-z0-9-]*", word):
            break
        sub = command.get_command(ctx, word)
        if sub is None:
            return None, rest
        command = sub
        rest.pop(0)
    return command, rest


def all_commands() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []

    def walk(prefix: str, command: Any) -> None:
        if _is_group(command):
            ctx = _context(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    walk(f"{prefix} {name}".strip(), sub)
        else:
            found.append((prefix, command))

    walk("", _root())
    return found


def _problems_in_line(line: str) -> list[str]:
    words = line.split()
    if words and words[0].startswith("{"):
        # 'alusage-ledger {job}': the command is a value (the journal's job, 'close 2026-12'),
        # checked where it is made (tests/test_close_journal.py runs it).
        return []
    command, rest = resolve(words)
    if command is None:
        return [f"no command {' '.join(words[: len(words) - len(rest) + 1])!r}"]
    if _is_group(command) and not any(w.startswith("--") for w in rest):
        # 'alusage-ledger year close' names a command; 'alusage-ledger year' alone is a group.
        return [] if not rest else [f"{' '.join(words)!r} stops at a group"]
    known = _options(command) | _global_options()
    return [
        f"{option} is not an option of {command.name!r}"
        for option in OPTION.findall(" ".join(rest))
        if option not in known
    ]


def suggestions(text: str) -> list[str]:
    """The command lines a message suggests (with the program name, or quoted)."""
    lines = [m.group(1).strip() for m in SUGGESTION.finditer(text)]
    for m in QUOTED.finditer(text):
        candidate = m.group(1).strip()
        first = candidate.split()[0]
        command, _rest = resolve(candidate.split())
        if command is None or _is_group(command) or first == "alusage-ledger":
            continue  # prose in quotes ('export CSV d'…), or already taken above
        lines.append(candidate)
    return lines


def _catalogue_texts() -> list[tuple[str, str]]:
    french = catalog("fr")
    texts: list[tuple[str, str]] = []
    for msgid in messages():
        texts.append((msgid, msgid))
        if french.get(msgid):
            texts.append((msgid, french[msgid]))
    return texts


def test_the_parser_finds_commands_and_refuses_what_does_not_exist() -> None:
    assert _problems_in_line("close 2026-11") == []
    assert _problems_in_line("shares --post --replace") == []
    assert _problems_in_line("year close --entity alusage --exercice 2026") == []
    assert _problems_in_line("close --replace") == ["--replace is not an option of 'close'"]
    assert _problems_in_line("invoice add --piece-date 2026-11-02") == [
        "--piece-date is not an option of 'add'"
    ]
    assert _problems_in_line("frobnicate now")[0].startswith("no command")


def test_every_suggested_command_line_exists_with_its_options() -> None:
    problems: list[str] = []
    for msgid, text in _catalogue_texts():
        for line in suggestions(text):
            problems += [f"{p}  <- {msgid[:90]!r}" for p in _problems_in_line(line)]
    assert problems == [], "\n".join(problems)


def test_every_bare_option_in_a_message_exists_in_some_command() -> None:
    every: set[str] = set(_global_options())
    for _name, command in all_commands():
        every |= _options(command)
    problems = []
    for msgid, text in _catalogue_texts():
        # Options inside a suggested command line were checked against that command.
        stripped = SUGGESTION.sub(" ", text)
        stripped = QUOTED.sub(lambda m: " " if suggestions(m.group(0)) else m.group(0), stripped)
        for option in OPTION.findall(stripped):
            if option not in every:
                problems.append(f"{option} <- {msgid[:90]!r}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("run 'alusage-ledger shares --post --replace' to re-post", ["shares --post --replace"]),
        (
            "e.g. 'bill add --date <today> --piece-date 2026-11-02'",
            ["bill add --date <today> --piece-date 2026-11-02"],
        ),
        ("see 'alusage-ledger invoice list'.", ["invoice list"]),
    ],
)
def test_suggestions_are_extracted(message: str, expected: list[str]) -> None:
    assert suggestions(message) == expected


def assert_suggestions_exist(output: str) -> list[str]:
    """The command lines ``output`` suggests, each checked against the application."""
    text = " ".join(output.split())
    lines = suggestions(text)
    problems = [p for line in lines for p in _problems_in_line(line)]
    assert problems == [], f"{problems} in {text!r}"
    return lines


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_document_refused_in_a_closed_month_is_told_an_existing_fix(
    example_ws: Path, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALUSAGE_TODAY", "2026-02-15")
    cli = Cli(example_ws)
    assert cli("close", "2026-01").exit_code == 0
    before = snapshot(example_ws)
    result = cli(
        "bill", "add", "--entity", "alusage", "--supplier", "Hébergeur Coop", "--account",
        "Charges:Achats:Logiciels", "--amount-ht", "12.00", "--piece-ref", "HC-LATE",
        "--date", "2026-01-30", lang=lang,
    )  # fmt: skip
    assert result.exit_code == 4, result.output
    assert snapshot(example_ws) == before
    lines = assert_suggestions_exist(result.output)
    assert any(line.startswith("reopen") for line in lines)
    # The message is the writer's, for any document: it used to send every document, invoices
    # included, to 'bill add --piece-date' (invoices have no --piece-date).
    assert "bill add" not in result.output
    assert "--piece-date" in result.output
