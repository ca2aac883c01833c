"""Translations: gettext catalogs (``.po``) for French, English as the source language.

Every user-facing string is written in English in the code and wrapped in ``_()``
(or marked with ``N_()`` where it must be translated later, e.g. Typer help texts,
which are translated when the command tree is built, see ``cli.app``).
The catalogs live in ``i18n/<lang>/*.po``, one file per area of the product, and are
read with a small parser (no compilation step, no Babel import at start-up).

The language is chosen by ``--lang``, then ``ALUSAGE_LANG``, then ``LANG``.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

SUPPORTED = ("en", "fr")
_HERE = Path(__file__).resolve().parent
_current = "en"


def N_(message: str) -> str:
    """Mark a string for translation without translating it now."""
    return message


def resolve_language(cli_lang: str | None = None, environ: dict[str, str] | None = None) -> str:
    """``--lang``, then ``ALUSAGE_LANG``, then ``LANG``/``LC_ALL``; English otherwise."""
    env = os.environ if environ is None else environ
    for candidate in (cli_lang, env.get("ALUSAGE_LANG"), env.get("LC_ALL"), env.get("LANG")):
        if not candidate:
            continue
        code = candidate.split(".")[0].split("_")[0].split("-")[0].lower()
        if code in SUPPORTED:
            return code
        if candidate is cli_lang or candidate is env.get("ALUSAGE_LANG"):
            # An explicit but unknown language falls back to English rather than failing.
            return "en"
    return "en"


def set_language(lang: str) -> None:
    global _current
    _current = lang if lang in SUPPORTED else "en"


def get_language() -> str:
    return _current


def babel_locale() -> str:
    return {"fr": "fr_FR", "en": "en_GB"}.get(_current, "en_GB")


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _unquote(line: str) -> str:
    match = _STRING.search(line)
    if not match:
        return ""
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), match.group(1))


def parse_po(text: str) -> dict[str, str]:
    """Parse a gettext ``.po`` file into ``{msgid: msgstr}``.

    Multi-line strings and escapes are read; fuzzy, empty and plural entries are skipped.
    """
    catalog: dict[str, str] = {}
    msgid: list[str] = []
    msgstr: list[str] = []
    current: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        nonlocal msgid, msgstr, current, fuzzy
        key, value = "".join(msgid), "".join(msgstr)
        if key and value and not fuzzy:
            catalog[key] = value
        msgid, msgstr, current, fuzzy = [], [], None, False

    # Only "\n" ends a line: str.splitlines() would also split inside a msgid on
    # characters such as U+2028 or U+0085.
    for raw in text.split("\n"):
        line = raw.strip(" \t\r")
        if not line:
            flush()
        elif line.startswith("#"):
            if msgstr:  # a comment after a complete entry starts the next one
                flush()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
        elif line.startswith("msgid "):
            if msgid or msgstr:
                flush()
            msgid = [_unquote(line[6:])]
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [_unquote(line[7:])]
            current = msgstr
        elif line.startswith('"'):
            if current is not None:
                current.append(_unquote(line))
        else:  # msgctxt, msgid_plural, msgstr[n]: not used by this project
            fuzzy = True
            current = None
    flush()
    return catalog


@cache
def catalog(lang: str) -> dict[str, str]:
    """Every ``.po`` file of a language, merged."""
    merged: dict[str, str] = {}
    folder = _HERE / lang
    if folder.is_dir():
        for po in sorted(folder.glob("*.po")):
            merged.update(parse_po(po.read_text(encoding="utf-8")))
    return merged


def _(message: str) -> str:
    """Translate ``message`` into the current language (English is the source)."""
    if _current == "en":
        return message
    return catalog(_current).get(message, message)


def translate(message: str, lang: str) -> str:
    if lang == "en":
        return message
    return catalog(lang).get(message, message)
