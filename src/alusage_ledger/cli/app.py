"""The root of the command line: global options, language, errors and exit codes.

Help texts are written in English and marked with ``N_``; the command tree is translated
when a context is made, once the language is known (``--lang``, ``ALUSAGE_LANG``, ``LANG``),
so ``alusage-ledger --lang fr --help`` is French from the first line. Click's and Typer's
own strings ("Usage:", "Show this message and exit.", "Missing option") are translated
through the same catalogs.

Global options work before or after the command (``alusage-ledger --json check`` and
``alusage-ledger check --json`` mean the same): they are moved to the front before parsing.

Library errors (:class:`~alusage_ledger.core.errors.AlusageError`) become one sentence on
stderr and their documented exit code; a traceback only with ``--debug``.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import os
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core as typer_core
import typer.main as typer_main
from typer.core import TyperCommand, TyperGroup

from alusage_ledger import __version__
from alusage_ledger.books import cache, cachetrust
from alusage_ledger.cli import state
from alusage_ledger.cli._click import click
from alusage_ledger.cli.completion import enable_completion
from alusage_ledger.cli.emptyvalues import refuse_empty_values
from alusage_ledger.cli.interactive import enable_prompts
from alusage_ledger.cli.options import optional
from alusage_ledger.core import beancount_messages
from alusage_ledger.core.errors import AlusageError, ExitCode, LedgerErrors
from alusage_ledger.core.i18n import (
    N_,
    _,
    get_language,
    resolve_language,
    set_language,
    translate,
)
from alusage_ledger.core.suggest import did_you_mean
from alusage_ledger.outputs.render.console import emit_json, error, warn

#: Command modules, each with ``register(app)``; imported at start-up, so they import
#: the library (and Beancount) only inside their command functions.
COMMAND_MODULES = (
    "init",
    "check",
    "demo",
    "query",
    "export",
    "close",
    "review",
    "redistribute",
    "report",
    "bill",
    "bill_import",
    "expense",
    "recurring",
    "letter",
    "reverse",
    "invoice",
    "invoice_document",
    "revenue",
    "vat",
    "micro",
    "usage",
    "shares",
    "imports",
    "year",
    "capital",
    "fava",
)

_FLAGS = ("--json", "--no-color", "--wide", "--debug", "--quiet", "-q", "--no-cache")
_VALUED = ("--workspace", "--lang")


def _takes_value(command: Any, option: str) -> bool:
    """Whether ``option`` of ``command`` consumes the next argument (not a flag)."""
    for param in getattr(command, "params", ()):
        names = [*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ())]
        if option in names:
            return not getattr(param, "is_flag", False) and getattr(param, "nargs", 1) != 0
    return False


def hoist_global_options(args: Sequence[str], root: Any = None) -> list[str]:
    """Move global options found after the command to the front (before ``--``).

    A token that is the value of the previous option (``--client -q``) is left alone:
    the command tree (``root``) tells which options take a value.
    """
    front: list[str] = []
    rest: list[str] = []
    items = list(args)
    command = root
    index = 0
    while index < len(items):
        arg = items[index]
        if arg == "--":
            rest.extend(items[index:])
            break
        if arg in _FLAGS:
            front.append(arg)
        elif arg in _VALUED and index + 1 < len(items):
            front.extend([arg, items[index + 1]])
            index += 1
        elif any(arg.startswith(name + "=") for name in _VALUED):
            front.append(arg)
        else:
            rest.append(arg)
            if arg.startswith("-") and "=" not in arg:
                if command is not None and _takes_value(command, arg) and index + 1 < len(items):
                    rest.append(items[index + 1])
                    index += 1
            elif command is not None and arg in getattr(command, "commands", {}):
                command = command.commands[arg]
        index += 1
    return front + rest


def _lang_from_args(args: Sequence[str]) -> str | None:
    """The value of ``--lang``; the last one wins, as for click (before ``--``)."""
    found = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            found = args[index + 1]
        elif arg.startswith("--lang="):
            found = arg.split("=", 1)[1]
    return found


_PATCHED = False


def patch_click_strings(lang: str) -> None:
    """Typer's own strings: gettext in ``typer.core``, literals in its vendored click."""
    global _PATCHED
    typer_core._ = lambda message: translate(message, lang)  # type: ignore[attr-defined]
    # Rich help panels are off (rich_markup_mode=None); importing typer.rich_utils only to
    # translate them would cost a fifth of a second at every start.
    ru = sys.modules.get("typer.rich_utils")
    for name, english in (
        ("ARGUMENTS_PANEL_TITLE", "Arguments"),
        ("OPTIONS_PANEL_TITLE", "Options"),
        ("COMMANDS_PANEL_TITLE", "Commands"),
        ("ERRORS_PANEL_TITLE", "Error"),
        ("ABORTED_TEXT", "Aborted."),
    ):
        if ru is not None:
            setattr(ru, name, translate(english, lang))
    if _PATCHED:
        return
    _PATCHED = True
    formatter_cls = click.formatting.HelpFormatter
    original_usage = formatter_cls.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = _("Usage: ")
        original_usage(self, prog, args, prefix)

    formatter_cls.write_usage = write_usage

    def write_heading(self: Any, heading: str) -> None:
        self.write(" " * self.current_indent + _("{heading}:").format(heading=heading) + "\n")

    formatter_cls.write_heading = write_heading
    command_cls = click.core.Command
    original_help_option = command_cls.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = original_help_option(self, ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    command_cls.get_help_option = get_help_option
    click.exceptions.UsageError.show = _show_usage_error


def usage_error_message(exc: Any) -> str:
    """The one sentence of a usage error, in the user's language."""
    kind = type(exc).__name__
    if kind == "NoSuchOption":
        return _("No such option: {name}{hint}.").format(
            name=exc.option_name, hint=did_you_mean(exc.option_name, exc.possibilities or ())
        )
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint is None and param is not None:
        hint = param.get_error_hint()
    if not isinstance(hint, str) and hint is not None:
        hint = " / ".join(repr(x) for x in hint)
    if kind == "MissingParameter":
        what = {"argument": _("argument"), "option": _("option")}.get(
            getattr(param, "param_type_name", ""), _("parameter")
        )
        return _("Missing {what} {hint}.").format(what=what, hint=hint or "")
    if kind == "BadParameter":
        message = click_text(str(exc.message))
        if hint is None:
            return _("Invalid value: {message}").format(message=message)
        return _("Invalid value for {hint}: {message}").format(hint=hint, message=message)
    return click_text(str(exc.format_message()))


#: Click's and Typer's literal (untranslatable) messages, matched and said again with ``_``.
_CLICK_TEXTS = (
    (
        r"Got unexpected extra arguments? ?(?:\(s\))? \((?P<args>.*)\)",
        N_("Unexpected extra arguments: {args}."),
    ),
    (r"Option (?P<name>'.+') requires an argument\.", N_("The option {name} needs a value.")),
    (
        r"Option (?P<name>'.+') requires (?P<n>\d+) arguments\.",
        N_("The option {name} needs {n} values."),
    ),
    (
        r"Option (?P<name>'.+') does not take a value\.",
        N_("The option {name} does not take a value."),
    ),
    (r"Value (?P<value>.+) is not a valid (?P<kind>.+)\.", N_("{value} is not a valid {kind}.")),
    (r"(?P<value>.+) is not one of (?P<choices>.+)\.", N_("{value} is not one of {choices}.")),
    (r"\w+ (?P<path>'.+') does not exist\.", N_("{path} does not exist.")),
)


def click_text(text: str) -> str:
    """A message of click or Typer (English literals in their code), in the user's language."""
    head, sep, names = text.strip().partition(". Did you mean ")
    if sep and names.endswith("?"):  # Typer's suggestion for a mistyped command
        return _("{message}; did you mean {names}?").format(
            message=click_text(head + ".").rstrip("."), names=names[:-1]
        )
    for pattern, message in _CLICK_TEXTS:
        match = re.fullmatch(pattern, text.strip())
        if match:
            return _(message).format(**match.groupdict())
    return text


def _show_usage_error(self: Any, file: Any = None) -> None:
    out = sys.stderr if file is None else file
    if self.ctx is not None:
        out.write(self.ctx.get_usage() + "\n")
        out.write(
            _("Try '{command} --help' for help.").format(command=self.ctx.command_path) + "\n"
        )
    out.write(_("Error: {message}").format(message=usage_error_message(self)) + "\n")


def translate_tree(command: Any, lang: str) -> None:
    """Translate help texts of a command tree in place (the English stays the key)."""

    def tr(text: str | None) -> str | None:
        return None if text is None else translate(text, lang)

    english = getattr(command, "_alusage_english", None)
    if english is None:
        english = (command.help, command.short_help, command.epilog)
        command._alusage_english = english  # type: ignore[attr-defined]
    command.help, command.short_help, command.epilog = (tr(t) for t in english)
    if getattr(command, "options_metavar", None):
        command.options_metavar = translate(N_("[OPTIONS]"), lang)
    if getattr(command, "subcommand_metavar", None):
        command.subcommand_metavar = translate(N_("COMMAND [ARGS]..."), lang)
    for param in command.params:
        original = getattr(param, "_alusage_english", None)
        if original is None:
            original = getattr(param, "help", None)
            param._alusage_english = original  # type: ignore[attr-defined]
        if hasattr(param, "help"):
            param.help = tr(original)
    if hasattr(command, "commands"):
        for sub in command.commands.values():
            translate_tree(sub, lang)


class AlusageGroup(TyperGroup):
    """The root group: hoists global options, picks the language, maps errors to exit codes."""

    def make_context(  # type: ignore[override]
        self,
        info_name: str | None,
        args: list[str],
        parent: Any = None,
        **extra: Any,
    ) -> Any:
        args = hoist_global_options(args, self)
        lang = resolve_language(_lang_from_args(args))
        set_language(lang)
        patch_click_strings(lang)
        translate_tree(self, lang)
        enable_prompts(self)  # a required option missing on a terminal is asked for
        enable_completion(self)  # values complete from the workspace
        refuse_empty_values()  # --date "" is an error, not today
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except AlusageError as exc:  # an option of the root itself, e.g. --workspace ""
            report_error(exc)
            raise typer.Exit(int(exc.exit_code)) from None

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """A command, built from its Typer registration on first use (see :func:`lazy_root`)."""
        command = self.commands.get(cmd_name)
        if isinstance(command, _Pending) and not getattr(self, "_listing", False):
            command = command.build()
            self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # The list of commands needs their names and short help only: nothing is built.
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except AlusageError as exc:
            report_error(exc)
            raise typer.Exit(int(exc.exit_code)) from None
        except BrokenPipeError:
            # The reader stopped reading (``| head``): not an error of ours, say nothing.
            _silence_stdout()
            raise typer.Exit(int(ExitCode.OK)) from None
        except OSError as exc:
            report_unexpected(exc, ExitCode.IO)
            raise typer.Exit(int(ExitCode.IO)) from None
        except Exception as exc:  # a bug: one sentence, the traceback with --debug
            if _is_control_flow(exc):
                raise
            report_unexpected(exc, ExitCode.LEDGER)
            raise typer.Exit(int(ExitCode.LEDGER)) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests)
        pass


def _is_control_flow(exc: BaseException) -> bool:
    """Typer/click's own exceptions (exit, abort, usage errors) keep their meaning."""
    module = type(exc).__module__
    return module.startswith(("typer", "click"))


def report_error(exc: AlusageError) -> None:
    st = state.current()
    if st.debug:
        traceback.print_exc(file=sys.stderr)
    problems = exc.problems if isinstance(exc, LedgerErrors) else []
    if st.json:
        emit_json(
            {
                "ok": False,
                "exit_code": int(exc.exit_code),
                "error": exc.message,
                "errors": [
                    {"entity": p.entity, "file": p.file, "line": p.line, "message": p.message}
                    for p in problems
                ],
            }
        )
    for problem in problems:
        (warn if problem.severity == "warning" else error)(problem.render())
    error(_("Error: {message}").format(message=exc.message))


def report_unexpected(exc: BaseException, code: ExitCode) -> None:
    if state.current().debug:
        traceback.print_exc(file=sys.stderr)
    error(
        _("Error: unexpected {kind}: {detail} (run again with --debug to see where).").format(
            kind=type(exc).__name__, detail=exc
        )
    )


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"alusage-ledger {__version__}\n")
        raise typer.Exit()


app = typer.Typer(
    cls=AlusageGroup,
    name="alusage-ledger",
    help=N_(
        "Plain-text Beancount bookkeeping for Alusage SAS, Mycéliandre SCIC and le 97: "
        "revenue, shared rent and charges, redistribution to the commons."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    workspace: Annotated[
        Path | None,
        optional(
            "--workspace",
            help=N_("The workspace folder (with alusage.toml); default: found from here."),
        ),
    ] = None,
    lang: Annotated[
        str | None,
        optional(
            "--lang", help=N_("Language of messages: fr or en (default: ALUSAGE_LANG, then LANG).")
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help=N_("Print one JSON document on stdout."))
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help=N_("No colours, plain text tables."))
    ] = False,
    wide: Annotated[
        bool,
        typer.Option(
            "--wide",
            help=N_(
                "Tables keep every column, whatever the width (by default they fit the "
                "terminal, or 100 columns when piped)."
            ),
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help=N_("Print only what was asked for."))
    ] = False,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help=N_("Do not read nor write the cache of loaded ledgers (also ALUSAGE_NO_CACHE=1)."),
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help=N_("Show the traceback of an error."))
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help=N_("Show the version and exit."),
        ),
    ] = False,
) -> None:
    cache.set_enabled(not no_cache)
    cachetrust.set_debug(debug)
    beancount_messages.set_debug(debug)
    state.reset(
        workspace_path=workspace,
        json=json_output,
        color=not no_color,
        debug=debug,
        quiet=quiet,
        wide=wide,
        lang=resolve_language(lang),
    )


for _name in COMMAND_MODULES:
    importlib.import_module(f"{__package__}.{_name}").register(app)


class _Pending(TyperCommand):
    """A command of the root not built yet: its name and help, enough to be listed."""

    def __init__(self, info: Any, *, group: bool) -> None:
        if group:
            solved = typer_main.solve_typer_info_defaults(info)
            name, text, short, hidden = solved.name, solved.help, solved.short_help, solved.hidden
        else:
            name = info.name or typer_main.get_command_name(info.callback.__name__)
            text = info.help
            text = inspect.getdoc(info.callback) if text is None else inspect.cleandoc(text)
            short, hidden = info.short_help, info.hidden
        super().__init__(name=name, help=text, short_help=short, hidden=hidden)
        self.info = info
        self.group = group

    def build(self) -> Any:
        """The real click command (Typer reads the function's parameters only now)."""
        command: Any
        if self.group:
            command = typer_main.get_group_from_info(
                self.info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
                suggest_commands=app.suggest_commands,
            )
        else:
            command = typer_main.get_command_from_info(
                self.info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
        translate_tree(command, get_language())
        enable_prompts(command)
        enable_completion(command, command.name if self.group else None)
        return command


def lazy_root() -> Any:
    """The root click group with every command pending (issue 13, start-up time).

    Typer builds a click command from every function of the tree before parsing the
    command line, reading every signature and annotation: a tenth of a second for ~50
    commands. Here only the root's own options are built; a command is built when it is
    invoked (or asked for ``--help``), the root's ``--help`` lists the pending ones.
    """
    shell = copy.copy(app)
    shell.registered_commands = []
    shell.registered_groups = []
    root_command: Any = typer_main.get_command(shell)
    pending = [_Pending(info, group=False) for info in app.registered_commands]
    pending += [_Pending(info, group=True) for info in app.registered_groups]
    for command in pending:
        if command.name:
            root_command.commands[command.name] = command
    return root_command


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point (``alusage-ledger`` and ``alusage``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):
        sys.stdout.write(f"alusage-ledger {__version__}\n")
        return
    cache.BACKGROUND = True  # a short-lived process: write the cache without waiting
    lazy_root()(args=args, prog_name="alusage-ledger")
