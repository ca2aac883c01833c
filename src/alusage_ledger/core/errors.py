"""Typed operational errors and the exit codes they map to.

Library code raises one of these; only the CLI turns them into a message and an
exit code (DESIGN §5). Ledger problems found while loading are *values*
(:class:`LedgerProblem`), collected and shown as ``file:line: message``; they
become a :class:`LedgerErrors` exception only when a command cannot go on.

Messages are given already translated (``_()`` at the raise site), one sentence
saying what is wrong and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from alusage_ledger.core.beancount_messages import translate_beancount


class ExitCode(IntEnum):
    OK = 0
    LEDGER = 1  # the ledger or an input file has errors, or a check failed
    USAGE = 2  # bad usage, including text that cannot be written safely
    CONFIG = 3  # bad configuration
    REFUSED = 4  # refused to write: closed period, changed file, lock held, dirty git
    IO = 5  # I/O or export failure


@dataclass(frozen=True)
class LedgerProblem:
    """One problem in a ledger or input file, located by file and line."""

    entity: str | None
    file: str | None
    line: int | None
    message: str
    severity: str = "error"  # "error" or "warning"

    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def render(self) -> str:
        """``file:line: message`` for people (Beancount's messages in their language)."""
        loc = self.location()
        message = translate_beancount(self.message)
        return f"{loc}: {message}" if loc else message


class AlusageError(Exception):
    """Base of every error the CLI knows how to report."""

    exit_code: ExitCode = ExitCode.LEDGER

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LedgerErrors(AlusageError):
    """The ledger (or an input file) has errors; the problems are listed."""

    exit_code = ExitCode.LEDGER

    def __init__(self, message: str, problems: list[LedgerProblem] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class UsageError(AlusageError):
    """Bad usage: an option value that is malformed or cannot be written safely."""

    exit_code = ExitCode.USAGE


class ConfigError(AlusageError):
    """The workspace configuration (alusage.toml) is missing or invalid."""

    exit_code = ExitCode.CONFIG


class RefusedError(AlusageError):
    """A write was refused: closed period, file changed, lock held, dirty git state."""

    exit_code = ExitCode.REFUSED


class IOFailure(AlusageError):
    """Reading or writing a file (or an export) failed."""

    exit_code = ExitCode.IO
