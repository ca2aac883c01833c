"""Terminal manners: ask for a missing required option, only when a person is there.

On a terminal (standard input *and* output are TTYs), a command started without one of
its required options asks for it, with the option's help as the question, instead of
failing with "Missing option" (``alusage-ledger vat`` asks for the entity, then the
period). In a script, a pipe, CI or a test runner nothing is asked: the command fails
with exit 2 as before, so a non-interactive run never waits for an answer.
``ALUSAGE_NO_PROMPT=1`` turns the questions off on a terminal too.

Click already knows how to prompt for an option (``Option.prompt``); this module only
sets that attribute on required options of the command tree, generically, when the
process runs on a terminal. Flags and hidden options are never asked for.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from alusage_ledger.books import answers


def interactive() -> bool:
    """A person at a terminal: stdin and stdout are TTYs, and prompts are not turned off."""
    if os.environ.get("ALUSAGE_NO_PROMPT"):
        return False
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def _asking(ask: Any) -> Any:
    """``ask``, noting that the run's answer depends on what the person typed."""

    def asking(ctx: Any) -> Any:
        answers.taint("a question was asked")
        return ask(ctx)

    return asking


def question(param: Any) -> str:
    """The question asked for an option: its (translated) help, then the option's name."""
    text = " ".join((getattr(param, "help", None) or "").split()).rstrip(".")
    name = max(param.opts, key=len) if param.opts else str(param.name)
    return f"{text} ({name})" if text else name


def enable_prompts(command: Any, *, on: bool | None = None) -> None:
    """Make the required options of ``command`` and its subcommands ask on a terminal."""
    active = interactive() if on is None else on
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", "") != "option":
            continue
        ours = getattr(param, "_alusage_prompt", False)
        if not active:
            if ours:
                param.prompt = None
                param._alusage_prompt = False
            continue
        if (
            param.required
            and not getattr(param, "is_flag", False)
            and not getattr(param, "hidden", False)
            and (param.prompt is None or ours)
        ):
            param.prompt = question(param)
            param._alusage_prompt = True
            if "prompt_for_value" not in vars(param):
                param.prompt_for_value = _asking(param.prompt_for_value)
    for sub in getattr(command, "commands", {}).values():
        enable_prompts(sub, on=active)
