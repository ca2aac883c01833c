"""Reading two revisions of a workspace out of git for ``review``, and the git hooks.

Why this module exists: a review compares what the ledgers meant at BASE with what they
mean at HEAD, and either may be somebody else's branch. Nothing here runs ledger code:

* each side is copied into a temporary folder outside the workspace with only
  ``alusage.toml`` and the ``*.beancount`` files, read as raw blobs with
  ``git ls-tree`` and ``git cat-file --batch`` (no checkout, no filters, no attributes,
  symbolic links skipped); the working tree side takes what ``git ls-files`` lists
  (tracked and untracked, not ignored);
* the files whose content differs between the sides are named to the children, which
  describe only their entries (an identical file cannot hold a changed entry);
* both sides are loaded at the same time by :mod:`alusage_ledger.integrations.review.worker` in child
  interpreters (``python -I``) that are killed after ``[review] timeout_seconds``;
* the plugin allow-list and the review settings come from BASE's ``alusage.toml``: a
  branch cannot allow its own plugin nor raise its own warning threshold.

The pre-commit hook (``hooks install``, ``init --git-hooks``) runs ``check`` before every
commit.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alusage_ledger.books import answers
from alusage_ledger.books.config import (
    CONFIG_NAME,
    DEFAULT_ALLOWED_PLUGINS,
    Config,
    ReviewSettings,
    parse_config,
)
from alusage_ledger.books.writer import atomic_write
from alusage_ledger.core.errors import AlusageError, RefusedError, UsageError
from alusage_ledger.core.i18n import _, get_language

WORKTREE = None  # the HEAD side by default: the working tree, as it is on disk


def _wanted(rel: str) -> bool:
    return rel == CONFIG_NAME or rel.endswith(".beancount")


def git(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run git in ``root``; never raises for a non-zero exit (the caller decides)."""
    answers.taint("git was called")
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            input=stdin,
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise UsageError(
            _("git cannot be run ({reason}); review needs git.").format(reason=exc.strerror)
        ) from exc


def repository(root: Path) -> tuple[Path, str]:
    """The top folder of the git repository holding ``root``, and ``root``'s prefix in it."""
    done = git(root, "rev-parse", "--show-toplevel", "--show-prefix")
    if done.returncode != 0:
        raise UsageError(
            _("{folder} is not inside a git repository; review compares git revisions.").format(
                folder=root
            )
        )
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    prefix = lines[1] if len(lines) > 1 else ""
    return Path(lines[0]), prefix


def commit_of(root: Path, revision: str) -> str:
    """The commit a revision names (exit 2 when it names none)."""
    done = git(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise UsageError(
            _("{revision!r} is not a git revision of this repository.").format(revision=revision)
        )
    return done.stdout.decode("ascii").strip()


def default_base(root: Path, head: str) -> tuple[str, str]:
    """The merge-base of ``head`` with ``origin/HEAD`` if set, else ``main``, else ``master``."""
    for name, ref in (
        ("origin/HEAD", "refs/remotes/origin/HEAD"),
        ("main", "refs/heads/main"),
        ("master", "refs/heads/master"),
    ):
        found = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if found.returncode != 0:
            continue
        base = git(root, "merge-base", found.stdout.decode("ascii").strip(), head)
        if base.returncode != 0:
            raise UsageError(
                _("{name} and the reviewed revision share no history; name BASE.").format(name=name)
            )
        commit = base.stdout.decode("ascii").strip()
        return _("merge-base of {name} ({commit})").format(name=name, commit=commit[:10]), commit
    raise UsageError(
        _(
            "No BASE given and none of origin/HEAD, main or master exists; name the revision "
            "to compare with, e.g. 'alusage-ledger review origin/develop'."
        )
    )


# --------------------------------------------------------------------------- trees


@dataclass
class Tree:
    """The workspace files of one side: path (relative to the workspace) → git blob id."""

    label: str
    commit: str | None
    files: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # symbolic links, not followed
    data: dict[str, bytes] = field(default_factory=dict)  # working tree bytes, read once


def revision_tree(toplevel: Path, prefix: str, label: str, commit: str) -> Tree:
    tree = Tree(label, commit)
    args = ["ls-tree", "-r", "-z", "--full-tree", commit]
    if prefix:
        args += ["--", prefix]
    done = git(toplevel, *args)
    if done.returncode != 0:
        raise UsageError(_("git cannot list the files of {revision}.").format(revision=label))
    for record in done.stdout.split(b"\0"):
        if not record:
            continue
        info, _tab, raw_path = record.partition(b"\t")
        mode, kind, oid = info.decode("ascii").split()
        path = raw_path.decode("utf-8", "surrogateescape")
        if not path.startswith(prefix):
            continue
        rel = path[len(prefix) :]
        if not _wanted(rel):
            continue
        if mode == "120000":
            tree.skipped.append(rel)
        elif kind == "blob":
            tree.files[rel] = oid
    return tree


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def worktree_tree(root: Path, label: str) -> Tree:
    tree = Tree(label, None)
    done = git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if done.returncode != 0:
        raise UsageError(_("git cannot list the files of the working tree."))
    for raw_path in sorted(set(done.stdout.split(b"\0"))):
        rel = raw_path.decode("utf-8", "surrogateescape")
        if not rel or not _wanted(rel):
            continue
        path = root / rel
        if path.is_symlink():
            tree.skipped.append(rel)
            continue
        if not path.is_file():
            continue  # tracked but deleted
        data = path.read_bytes()
        tree.files[rel] = _blob_id(data)
        tree.data[rel] = data
    return tree


def _read_blobs(toplevel: Path, oids: list[str]) -> dict[str, bytes]:
    if not oids:
        return {}
    done = git(toplevel, "cat-file", "--batch", stdin=("\n".join(oids) + "\n").encode("ascii"))
    if done.returncode != 0:
        raise UsageError(_("git cannot read the files of a revision."))
    out: dict[str, bytes] = {}
    view = done.stdout
    pos = 0
    for oid in oids:
        end = view.index(b"\n", pos)
        header = view[pos:end].decode("ascii").split()
        pos = end + 1
        if len(header) < 3 or header[1] != "blob":
            continue
        size = int(header[2])
        out[oid] = view[pos : pos + size]
        pos += size + 1
    return out


def write_tree(toplevel: Path, tree: Tree, dest: Path, written: dict[str, Path]) -> int:
    """Write a side's files under ``dest`` (a blob already written is hard-linked); bytes."""
    missing = [oid for oid in dict.fromkeys(tree.files.values()) if oid not in written]
    blobs = {} if tree.commit is None else _read_blobs(toplevel, missing)
    size = 0
    for rel, oid in sorted(tree.files.items()):
        if rel.startswith("/") or ".." in Path(rel).parts:
            continue  # git does not store such paths; a crafted tree must not escape dest
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if oid in written:
            try:
                os.link(written[oid], target)
                size += target.stat().st_size
                continue
            except OSError:
                pass
        data = tree.data[rel] if tree.commit is None else blobs[oid]
        target.write_bytes(data)
        size += len(data)
        written.setdefault(oid, target)
    return size


# --------------------------------------------------------------------------- children


@dataclass
class SideData:
    """One side as the review sees it: its files, its config text, what its child said."""

    tree: Tree
    config_text: str | None
    result: dict[str, Any]
    failure: str | None = None


#: Below this many bytes of ledgers (both sides), one child loads both sides in turn: a
#: second interpreter would cost more than it saves. Above, each side gets its own child
#: and both load at the same time.
PARALLEL_BYTES = 512 * 1024

Job = tuple[str, Path, set[str], bool]  # name, root, files to describe, run check


@dataclass
class _Child:
    names: list[str]
    process: subprocess.Popen[bytes]
    stderr: Path
    outputs: dict[str, Path]


def _spawn(tmp: Path, jobs: list[Job], plugins: list[str]) -> _Child:
    names = [job[0] for job in jobs]
    label = "-".join(names)
    outputs = {name: tmp / f"{name}.result.json" for name in names}
    request = tmp / f"{label}.request.json"
    request.write_text(
        json.dumps(
            {
                "lang": get_language(),
                "allowed_plugins": plugins,
                "jobs": [
                    {
                        "root": str(root),
                        "changed": sorted(changed),
                        "check": check,
                        "output": str(outputs[name]),
                    }
                    for name, root, changed, check in jobs
                ],
            }
        ),
        encoding="utf-8",
    )
    stderr = tmp / f"{label}.stderr"
    empty = tmp / "cwd"
    empty.mkdir(exist_ok=True)
    for output in outputs.values():
        output.unlink(missing_ok=True)
    with open(stderr, "wb") as err:
        process = subprocess.Popen(
            # -I: neither the current folder nor PYTHONPATH is on the child's import path.
            [sys.executable, "-I", "-m", "alusage_ledger.integrations.review.worker", str(request)],
            cwd=empty,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    return _Child(names, process, stderr, outputs)


Outcome = tuple[dict[str, Any], str | None]  # the child's data, or why there is none


def _collect(child: _Child, deadline: float, timeout: int) -> dict[str, Outcome]:
    try:
        child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        child.process.kill()
        child.process.wait()
        reason = _(
            "loading took more than {seconds} s and was stopped ([review] timeout_seconds)."
        ).format(seconds=timeout)
        return {name: ({}, reason) for name in child.names}
    out: dict[str, Outcome] = {}
    for name, output in child.outputs.items():
        if child.process.returncode != 0 or not output.exists():
            lines = child.stderr.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            detail = lines[-1] if lines else str(child.process.returncode)
            out[name] = ({}, _("loading failed ({detail}).").format(detail=detail))
        else:
            out[name] = (json.loads(output.read_text(encoding="utf-8")), None)
    return out


def _run(
    tmp: Path, jobs: list[Job], plugins: list[str], timeout: int, *, parallel: bool
) -> dict[str, Outcome]:
    """Run the jobs in children (one each when ``parallel``), all with the same deadline."""
    groups = [[job] for job in jobs] if parallel else [jobs]
    children = [_spawn(tmp, group, plugins) for group in groups]
    deadline = time.monotonic() + timeout
    results: dict[str, Outcome] = {}
    try:
        for child in children:
            results.update(_collect(child, deadline, timeout))
    finally:
        for child in children:
            if child.process.poll() is None:
                child.process.kill()
                child.process.wait()
    return results


def _config_text(toplevel: Path, tree: Tree) -> str | None:
    if CONFIG_NAME not in tree.files:
        return None
    if tree.commit is None:
        data = tree.data[CONFIG_NAME]
    else:
        data = _read_blobs(toplevel, [tree.files[CONFIG_NAME]]).get(tree.files[CONFIG_NAME], b"")
    return data.decode("utf-8", "replace")


def trusted_settings(config_text: str | None) -> tuple[list[str], ReviewSettings]:
    """The allow-list and review settings of BASE (defaults when its config is unusable)."""
    config: Config | None = None
    if config_text is not None:
        with contextlib.suppress(AlusageError):
            config = parse_config(config_text, Path(CONFIG_NAME))
    if config is None:
        return sorted(DEFAULT_ALLOWED_PLUGINS), ReviewSettings()
    return sorted(config.allowed_plugins()), config.review


def _unsent(side: dict[str, Any], other: dict[str, Any], changed: set[str]) -> set[str]:
    """Files loaded by one side only but identical on both: their entries were not sent."""
    extra: set[str] = set()
    for entity, data in side.get("entities", {}).items():
        theirs = other.get("entities", {}).get(entity, {}).get("files", {})
        extra.update(
            rel for rel in data.get("files", {}) if rel not in theirs and rel not in changed
        )
    return extra


def read_sides(
    root: Path, base: str | None, head: str | None
) -> tuple[SideData, SideData, ReviewSettings]:
    """Both sides of a review, loaded safely (see the module docstring)."""
    root = root.resolve()
    toplevel, prefix = repository(root)
    if head is WORKTREE:
        head_commit = None
        head_label = _("working tree")
        merge_with = commit_of(root, "HEAD")
    else:
        head_commit = commit_of(root, head)
        head_label = head
        merge_with = head_commit
    if base is None:
        base_label, base_commit = default_base(root, merge_with)
    else:
        base_label, base_commit = base, commit_of(root, base)

    base_tree = revision_tree(toplevel, prefix, base_label, base_commit)
    if head_commit is None:
        head_tree = worktree_tree(root, head_label)
    else:
        head_tree = revision_tree(toplevel, prefix, head_label, head_commit)
    base_config = _config_text(toplevel, base_tree)
    head_config = _config_text(toplevel, head_tree)
    plugins, settings = trusted_settings(base_config)
    changed = {
        rel
        for rel in set(base_tree.files) | set(head_tree.files)
        if base_tree.files.get(rel) != head_tree.files.get(rel)
    }

    with tempfile.TemporaryDirectory(prefix="alusage-review-") as name:
        tmp = Path(name)
        written: dict[str, Path] = {}
        base_root, head_root = tmp / "base", tmp / "head"
        size = write_tree(toplevel, head_tree, head_root, written)
        timeout = settings.timeout_seconds
        if not changed:
            # The same files on both sides: one load, checked, serves both.
            results = _run(
                tmp, [("head", head_root, set(), True)], plugins, timeout, parallel=False
            )
            # What went wrong is reported once, on HEAD's side.
            results["base"] = ({**results["head"][0], "config_error": None}, None)
        else:
            size += write_tree(toplevel, base_tree, base_root, written)
            parallel = size > PARALLEL_BYTES
            results = _run(
                tmp,
                [("base", base_root, changed, False), ("head", head_root, changed, True)],
                plugins,
                timeout,
                parallel=parallel,
            )
            base_out, head_out = results["base"][0], results["head"][0]
            again = []
            extra = _unsent(base_out, head_out, changed)
            if extra:
                again.append(("base", base_root, changed | extra, False))
            extra = _unsent(head_out, base_out, changed)
            if extra:
                again.append(("head", head_root, changed | extra, True))
            if again:
                results.update(_run(tmp, again, plugins, timeout, parallel=parallel))
    base_side = SideData(base_tree, base_config, results["base"][0], results["base"][1])
    head_side = SideData(head_tree, head_config, results["head"][0], results["head"][1])
    return base_side, head_side, settings


# --------------------------------------------------------------------------- hooks

HOOK_MARK = "# alusage-ledger pre-commit hook"


def hook_text(prefix: str, python: str) -> str:
    """A POSIX shell pre-commit hook running ``check`` on the workspace."""
    folder = '"$(git rev-parse --show-toplevel)"'
    if prefix:
        folder += "/" + shlex.quote(prefix.rstrip("/"))
    return (
        "#!/bin/sh\n"
        f"{HOOK_MARK} (installed by 'alusage-ledger hooks install').\n"
        "# Refuses a commit while 'alusage-ledger check' finds an error in the ledgers.\n"
        "# It checks the working tree as it is. Bypass it once, knowingly: git commit --no-verify\n"
        f"cd {folder} || exit 1\n"
        f"if [ -x {shlex.quote(python)} ]; then\n"
        f"    exec {shlex.quote(python)} -m alusage_ledger check\n"
        "fi\n"
        "exec alusage-ledger check\n"
    )


def hooks_folder(root: Path) -> Path:
    done = git(root, "rev-parse", "--git-path", "hooks")
    if done.returncode != 0:
        raise UsageError(
            _("{folder} is not inside a git repository; run 'git init' first.").format(folder=root)
        )
    return (root / done.stdout.decode("utf-8").strip()).resolve()


def install_pre_commit(root: Path, *, force: bool = False) -> tuple[Path, str]:
    """Write the pre-commit hook; ``("installed" | "unchanged" | "replaced")``."""
    root = root.resolve()
    _toplevel, prefix = repository(root)
    text = hook_text(prefix, sys.executable)
    path = hooks_folder(root) / "pre-commit"
    status = "installed"
    if path.exists() or path.is_symlink():
        old = path.read_bytes() if path.is_file() else b""
        if old == text.encode("utf-8"):
            return path, "unchanged"
        if not force:
            raise RefusedError(
                _(
                    "{path} already exists; run again with --force to replace it (the old "
                    "hook is kept as pre-commit.alusage-backup)."
                ).format(path=path)
            )
        backup = path.with_name("pre-commit.alusage-backup")
        os.replace(path, backup)
        status = "replaced"
    atomic_write(path, text.encode("utf-8"))
    path.chmod(0o755)
    return path, status
