"""Languages: a complete French catalog, French help, language selection, Babel amounts."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from conftest import Cli, run_subprocess
from hypothesis import given
from hypothesis import strategies as st

from alusage_ledger.core.i18n import catalog, parse_po, resolve_language, set_language
from alusage_ledger.core.i18n.extract import _po_quote, messages, missing


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    set_language("en")


# --------------------------------------------------------------------------- (a) catalog


def test_every_message_has_a_french_translation() -> None:
    todo = missing("fr")
    assert not todo, (
        "Messages without a French translation (python -m alusage_ledger.core.i18n.extract):\n"
        + "\n".join(
            f"  {where}: {msgid!r}" for msgid, where in sorted(todo.items(), key=lambda kv: kv[1])
        )
    )


def _fields(text: str) -> list[str] | None:
    try:
        return sorted(
            f"{name}!{conv}:{spec}"
            for _lit, name, spec, conv in string.Formatter().parse(text)
            if name is not None
        )
    except ValueError:
        return None


def test_translations_keep_the_placeholders() -> None:
    """A French text with another placeholder would fail at run time (KeyError)."""
    used = messages()
    wrong = {
        msgid: french
        for msgid, french in catalog("fr").items()
        if msgid in used and _fields(msgid) is not None and _fields(msgid) != _fields(french)
    }
    assert not wrong, wrong


# --------------------------------------------------------------------------- (b) help


def _commands() -> list[tuple[list[str], Any]]:
    import typer.main

    from alusage_ledger.cli.app import app

    root = typer.main.get_command(app)
    found: list[tuple[list[str], Any]] = []

    def walk(command: Any, path: list[str]) -> None:
        found.append((path, command))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if not getattr(sub, "hidden", False):
                walk(sub, [*path, name])

    walk(root, [])
    return found


def _english_help(command: Any) -> list[str]:
    texts = [getattr(command, "_alusage_english", (command.help,))[0]]
    for param in command.params:
        if getattr(param, "hidden", False):
            continue
        texts.append(getattr(param, "_alusage_english", getattr(param, "help", None)))
    return [t for t in texts if t]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _squeezed(text: str) -> str:
    """Without any whitespace: click wraps lines at spaces and after hyphens."""
    return re.sub(r"\s+", "", text)


COMMANDS = _commands()


@pytest.mark.parametrize("path", [p for p, _c in COMMANDS], ids=lambda p: " ".join(p) or "(root)")
def test_help_is_french_with_lang_fr(path: list[str]) -> None:
    command = dict((tuple(p), c) for p, c in COMMANDS)[tuple(path)]
    result = Cli(None)(*path, "--help", lang="fr")
    assert result.exit_code == 0, result.output
    output = _flat(result.output)
    assert output.startswith("Utilisation :"), output[:80]
    assert "Usage:" not in output and "Show this message" not in output
    french = catalog("fr")
    for english in _english_help(command):
        assert english in french, f"help text without a French translation: {english!r}"
        # Click may cut a long help text short in its summary, never in its own page.
        assert _squeezed(french[english]) in _squeezed(output), (english, output)
        if _squeezed(french[english]) != _squeezed(english):
            assert _squeezed(english) not in _squeezed(output)
    for heading in ("Options :", "Afficher cette aide et quitter."):
        assert heading in output


@pytest.mark.parametrize("path", [p for p, _c in COMMANDS], ids=lambda p: " ".join(p) or "(root)")
def test_help_is_english_with_lang_en(path: list[str]) -> None:
    command = dict((tuple(p), c) for p, c in COMMANDS)[tuple(path)]
    result = Cli(None)(*path, "--help", lang="en")
    assert result.exit_code == 0
    output = _flat(result.output)
    assert output.startswith("Usage:")
    assert "Options:" in output and "Show this message and exit." in output
    for english in _english_help(command):
        assert _squeezed(english) in _squeezed(output)


def test_root_help_lists_commands_in_french() -> None:
    result = Cli(None)("--help", lang="fr")
    assert "Commandes" in result.output
    assert "COMMANDE [ARGUMENTS]..." in result.output
    check_help = catalog("fr")[
        "Load every ledger and check every rule; print each problem as file:line: message. "
        "Exit 1 on any error."
    ]
    assert _flat(check_help)[:30] in _flat(result.output)


def test_usage_errors_in_french() -> None:
    cli = Cli(None)
    result = cli("chek", lang="fr")
    assert result.exit_code == 2
    assert "Erreur\u00a0: Commande inconnue\u00a0: 'chek'" in result.output
    assert "vouliez-vous dire 'check'" in result.output
    result = cli("check", "--entitty", "x", lang="fr")
    assert result.exit_code == 2
    assert "Option inconnue" in result.output and "--entity" in result.output
    result = cli("query", lang="fr")
    assert result.exit_code == 2
    assert "Il manque l'argument" in result.output
    result = cli("init", "a", "b", lang="fr")
    assert result.exit_code == 2
    assert "Arguments en trop" in result.output
    assert "Traceback" not in result.output


def test_help_through_the_console_script_in_french() -> None:
    result = run_subprocess("--lang", "fr", "check", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("Utilisation")
    assert "Ne vérifier que cette entité." in result.stdout


# --------------------------------------------------------------------------- (c) selection


@pytest.mark.parametrize(
    ("cli_lang", "env", "expected"),
    [
        (None, {}, "en"),
        (None, {"LANG": "fr_FR.UTF-8"}, "fr"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, {"ALUSAGE_LANG": "fr", "LANG": "en_GB.UTF-8"}, "fr"),
        (None, {"ALUSAGE_LANG": "en", "LANG": "fr_FR.UTF-8"}, "en"),
        ("en", {"ALUSAGE_LANG": "fr", "LANG": "fr_FR.UTF-8"}, "en"),
        ("fr", {"ALUSAGE_LANG": "en", "LANG": "en_GB.UTF-8"}, "fr"),
        ("fr_FR", {}, "fr"),
        (None, {"ALUSAGE_LANG": "fr-FR"}, "fr"),
        ("xx", {"LANG": "fr_FR.UTF-8"}, "en"),  # an explicit unknown language: English
    ],
)
def test_language_selection_order(cli_lang: str | None, env: dict[str, str], expected: str) -> None:
    assert resolve_language(cli_lang, env) == expected


def test_language_from_the_environment_end_to_end(tmp_path: Any) -> None:
    missing_ws = str(tmp_path / "nowhere")
    result = run_subprocess("--workspace", missing_ws, "check", env={"LANG": "fr_FR.UTF-8"})
    assert result.returncode == 3
    assert result.stderr.startswith("Erreur\u00a0: Aucun alusage.toml")
    result = run_subprocess(
        "--workspace", missing_ws, "check", env={"LANG": "fr_FR.UTF-8", "ALUSAGE_LANG": "en"}
    )
    assert result.stderr.startswith("Error: No alusage.toml")
    result = run_subprocess(
        "check", "--workspace", missing_ws, "--lang", "fr", env={"ALUSAGE_LANG": "en"}
    )
    assert result.stderr.startswith("Erreur\u00a0: Aucun alusage.toml")


# --------------------------------------------------------------------------- (d) amounts


def test_french_amounts_use_babel_typography() -> None:
    from alusage_ledger.core import fmt

    set_language("fr")
    assert fmt.money(Decimal("1234.56")) == "1\u202f234,56\u00a0€"
    assert fmt.money(Decimal("-1234567.5")) == "-1\u202f234\u202f567,50\u00a0€"
    assert fmt.number(Decimal("1234.5")) == "1\u202f234,50"
    set_language("en")
    assert fmt.money(Decimal("1234.56")) == "€1,234.56"


def test_json_stays_machine_formatted(capsys: pytest.CaptureFixture[str]) -> None:
    from alusage_ledger.core import fmt
    from alusage_ledger.outputs.render.console import emit_json

    set_language("fr")
    emit_json({"amount": Decimal("1234.56"), "cents": fmt.machine(Decimal("1234.5"))})
    assert json.loads(capsys.readouterr().out) == {"amount": "1234.56", "cents": "1234.50"}


# --------------------------------------------------------------------------- (e) .po parser


def test_po_parser_multiline_escapes_comments_fuzzy() -> None:
    text = (
        "# a comment\n"
        'msgid ""\n'
        'msgstr ""\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        "\n"
        "#: somewhere.py:3\n"
        'msgid ""\n'
        '"first line "\n'
        '"and the rest"\n'
        'msgstr "première "\n'
        '"et \\"la suite\\"\\n\\ttab \\\\ fin"\n'
        "#, fuzzy\n"
        'msgid "unsure"\n'
        'msgstr "incertain"\n'
        'msgid "empty"\n'
        'msgstr ""\n'
        "\r\n"
        'msgid "crlf"\r\n'
        'msgstr "fin de ligne windows"\r\n'
        'msgid "one"\n'
        'msgid_plural "many"\n'
        'msgstr[0] "un"\n'
    )
    parsed = parse_po(text)
    assert parsed == {
        "first line and the rest": 'première et "la suite"\n\ttab \\ fin',
        "crlf": "fin de ligne windows",
    }


@given(st.text(st.characters(codec="utf-8"), min_size=1, max_size=60))
def test_po_quote_and_parse_round_trip(text: str) -> None:
    po = f"msgid {_po_quote(text)}\nmsgstr {_po_quote(text + '!')}\n"
    assert parse_po(po) == {text: text + "!"}
