"""Month digests kept in the cache between runs (issue 13): a hand edit is still caught.

``check`` verifies every closed month by hashing the canonical form of each of its entries.
The digest of a month is kept in the cache outside the workspace (``locks._MonthDigests``),
keyed by the SHA-256 of the bytes of every file holding an entry of that month (as the
load just read them), the previous digest and the versions of the code. These tests run
the real command line in child processes, as a user would, between hand edits.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from closing_helpers import make_close_ws
from conftest import Cli

from alusage_ledger.books import cache

BROKEN = "2026-01 is closed, but its entries no longer match the close"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = make_close_ws(tmp_path / "ws", git_repo=False)
    result = Cli(root)("close", "2026-01")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def cache_home(tmp_path: Path) -> Path:
    return tmp_path / "xdg"


def check(ws: Path, cache_home: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``alusage-ledger check`` in a child process; the cache written before it returns.

    Each run computes its answer: the answers of earlier runs (``answers.py``, replayed
    while no file they read changed) are removed first."""
    shutil.rmtree(cache_home / "alusage-ledger" / "answers", ignore_errors=True)
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(cache_home),
        "ALUSAGE_CACHE_SYNC": "1",
        "ALUSAGE_LANG": "en",
    }
    env.pop("ALUSAGE_NO_CACHE", None)
    return subprocess.run(
        [sys.executable, "-m", "alusage_ledger", "--workspace", str(ws), *options, "check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def stored(cache_home: Path) -> dict[str, str]:
    where = cache_home / "alusage-ledger"
    found = cache.read(where, "digests", cache.key_of("digests"))
    return found if isinstance(found, dict) else {}


def close_digest(ws: Path) -> str:
    text = (ws / "ledgers/coop/2026/01.close.beancount").read_text("utf-8")
    found = re.search(r'custom "alusage-close" "2026-01" "([0-9a-f]{64})"', text)
    assert found is not None
    return found.group(1)


def same_size_edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (same length), keeping the modification time."""
    assert len(old.encode()) == len(new.encode())
    text = path.read_text("utf-8")
    assert old in text
    info = path.stat()
    path.write_text(text.replace(old, new, 1), "utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_the_digests_are_kept_and_read_back(ws: Path, cache_home: Path) -> None:
    first = check(ws, cache_home)
    assert first.returncode == 0, first.stdout + first.stderr
    kept = stored(cache_home)
    # the January digest of each entity, as its close file records it
    assert close_digest(ws) in kept.values()
    # read back: a planted wrong value under the same keys is what the next check uses
    # (proof that the digests are not computed again; nobody but the user can write there)
    cache.write(cache_home / "alusage-ledger", "digests", cache.key_of("digests"),
                {key: "0" * 64 for key in kept})  # fmt: skip
    planted = check(ws, cache_home)
    assert planted.returncode == 1
    assert BROKEN in planted.stdout
    cache.write(cache_home / "alusage-ledger", "digests", cache.key_of("digests"), kept)
    assert check(ws, cache_home).returncode == 0


@pytest.mark.parametrize("where", ["closed month", "open month"])
def test_a_hand_edit_of_a_closed_month_is_caught_with_the_digests_kept(
    ws: Path, cache_home: Path, where: str
) -> None:
    assert check(ws, cache_home).returncode == 0
    assert stored(cache_home)
    january = ws / "ledgers/coop/2026/01.beancount"
    february = ws / "ledgers/coop/2026/02.beancount"
    before = {p: p.read_bytes() for p in (january, february)}
    if where == "closed month":
        # same size, same modification time, balances unchanged: only a narration
        same_size_edit(january, '"Donatrice" "Don"', '"Donatrice" "Dom"')
    else:
        # an entry dated in the closed month, written in an open month's file
        with open(february, "a", encoding="utf-8") as handle:
            handle.write('\n2026-01-31 note Actif:Banque:Nef "ajoutée à la main"\n')
    caught = check(ws, cache_home)
    assert caught.returncode == 1
    assert BROKEN in caught.stdout
    assert caught.stdout == check(ws, cache_home, "--no-cache").stdout
    # caught again on the next run (what was kept is the edited month's own digest)
    assert check(ws, cache_home).stdout == caught.stdout
    for path, raw in before.items():
        path.write_bytes(raw)
    assert check(ws, cache_home).returncode == 0


def test_no_digest_is_kept_without_the_cache(ws: Path, cache_home: Path) -> None:
    result = check(ws, cache_home, "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (cache_home / "alusage-ledger" / "digests").exists()


def test_a_cache_folder_inside_the_workspace_keeps_no_digest(ws: Path) -> None:
    inside = ws / "xdg"
    result = check(ws, inside)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (inside / "alusage-ledger" / "digests").exists()
