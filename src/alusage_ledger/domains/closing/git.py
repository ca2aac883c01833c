"""``close --commit``: commit what the close wrote, refused while unrelated changes are
pending."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from alusage_ledger.books import answers
from alusage_ledger.core.errors import IOFailure, RefusedError
from alusage_ledger.core.i18n import _
from alusage_ledger.domains.closing.snapshot import ignored


def git(top: Path, *args: str, check: bool = True) -> str:
    """Run ``git -C top args`` (its output; with ``check``, a failure raises)."""
    answers.taint("git was called")
    try:
        done = subprocess.run(
            ["git", "-C", str(top), *args], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise IOFailure(_("Cannot run git: {reason}.").format(reason=exc)) from exc
    if check and done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise IOFailure(
            _("git {command} failed: {detail}.").format(
                command=args[0], detail=detail[-1] if detail else done.returncode
            )
        )
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


def git_guard(root: Path) -> Path:
    """The repository's top folder, if committing is possible and nothing else is pending."""
    top = git(root, "rev-parse", "--show-toplevel", check=False).strip()
    if not top:
        raise RefusedError(
            _("--commit needs a git repository; {folder} is not in one (run 'git init').").format(
                folder=root
            )
        )
    top_path = Path(top)
    for key in ("user.name", "user.email"):
        if not git(top_path, "config", key, check=False).strip():
            raise RefusedError(
                _(
                    "git does not know who commits ({key} is not set); run 'git config "
                    "{key} ...' first."
                ).format(key=key)
            )
    status = git(top_path, "status", "--porcelain", "--untracked-files=all")
    pending = []
    for line in status.splitlines():
        name = line[3:].strip().strip('"')
        if name and not ignored(Path(name)):
            pending.append(name)
    if pending:
        shown = ", ".join(pending[:5]) + (" …" if len(pending) > 5 else "")
        raise RefusedError(
            _(
                "--commit refused: the repository has uncommitted changes unrelated to this "
                "close ({files}); commit or put them aside first."
            ).format(files=shown)
        )
    return top_path


def git_commit(top: Path, paths: Sequence[Path], message: str) -> str:
    rels = [os.path.relpath(p, top) for p in paths]
    git(top, "add", "--all", "--", *rels)
    git(top, "commit", "-q", "-m", message)
    return git(top, "rev-parse", "HEAD").strip()
