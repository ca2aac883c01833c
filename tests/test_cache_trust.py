"""Caches no one else can feed (issue 22, item 1): real files, real modes, real owners.

Another local user who can write in the cache folder must not get a pickle unpickled nor
an answer replayed: the folders and files must be the user's own and private (checked
with ``lstat`` on every read, links never followed) and every file must carry the HMAC
of the user's own key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from closing_helpers import make_close_ws
from conftest import run_subprocess
from test_answers import run, stored
from test_cache import Counter, assert_same_load, load, records

from alusage_ledger.books import cache, cachetrust

NOBODY = 65534
as_root = pytest.mark.skipif(
    not hasattr(os, "getuid") or os.getuid() != 0, reason="chown to another user needs root"
)


@pytest.fixture
def cache_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test alone; keys read by earlier tests forgotten."""
    folder = tmp_path_factory.mktemp("trust-home")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.setenv("ALUSAGE_ANSWERS_LOG", str(folder / "log"))
    monkeypatch.delenv("ALUSAGE_NO_CACHE", raising=False)
    monkeypatch.delenv("ALUSAGE_DEBUG", raising=False)
    cache.set_enabled(True)
    cachetrust.forget_secrets()
    return folder / "alusage-ledger"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = make_close_ws(tmp_path / "ws", git_repo=False)
    monkeypatch.chdir(root)
    yield root


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder`` (links not followed) with its size and mtime."""
    found: dict[str, tuple[int, int]] = {}
    for path in [folder, *folder.rglob("*")]:
        info = os.lstat(path)
        found[str(path.relative_to(folder))] = (info.st_size, info.st_mtime_ns)
    return found


def planted(marker: Path) -> bytes:
    """A pickle that creates ``marker`` when it is unpickled."""

    class Payload:
        def __reduce__(self) -> Any:
            return (os.system, (f"touch {marker}",))

    return pickle.dumps(Payload())


def forge(path: Path, payload: bytes, signature: bytes) -> None:
    """Rewrite a cache file with ``payload``, its right SHA-256 and the HMAC ``signature``."""
    head = path.read_bytes().split(b"\n", 5)[:3]
    digest = hashlib.sha256(payload).hexdigest().encode("ascii")
    path.write_bytes(b"\n".join([*head, digest, signature, payload]))
    assert path.stat().st_mode & 0o777 == 0o600  # ours and private: only the HMAC is wrong


# --------------------------------------------------------------------------- HMAC


@pytest.mark.parametrize("kind", ["full", "parse"])
def test_a_forged_cache_entry_with_a_valid_checksum_is_never_unpickled(
    ws: Path, cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    first = load(ws, "coop")
    counter = Counter(monkeypatch)
    marker = tmp_path / "ran"
    targets = sorted((cache_home / kind).glob("*"))
    assert targets
    other_key = os.urandom(32)  # the forger's own key: a well-formed, wrong HMAC
    for target in targets:
        payload = planted(marker)
        fields = target.read_bytes().split(b"\n", 3)[:3]
        fake = cachetrust.mac(other_key, fields[0], kind.encode(), *fields[1:3])
        fake.update(payload)
        forge(target, payload, fake.hexdigest().encode("ascii"))
    again = load(ws, "coop")
    assert not marker.exists()
    assert counter.booked == 1 if kind == "full" else counter.parsed  # recomputed
    assert_same_load(again, first)
    for target in targets:  # removed, or replaced by a real entry
        assert not target.exists() or planted(marker) not in target.read_bytes()


def test_a_cache_entry_signed_with_the_users_key_is_read(ws: Path, cache_home: Path) -> None:
    """The control of the test above: the same file with the right HMAC is trusted."""
    load(ws, "coop")
    key = (cache_home / "key").read_bytes()
    value = {"answer": 42}
    cache.write(cache_home, "full", "f" * 64, value)
    path = cache_home / "full" / ("f" * 64)
    payload = pickle.dumps({"answer": 43})
    head = path.read_bytes().split(b"\n", 3)[:3]
    right = cachetrust.mac(key, head[0], b"full", head[1], head[2])
    right.update(payload)
    forge(path, payload, right.hexdigest().encode("ascii"))
    assert cache.read(cache_home, "full", "f" * 64) == {"answer": 43}
    forge(path, payload, b"0" * 64)
    assert cache.read(cache_home, "full", "f" * 64) is None
    assert not path.exists()  # ignored and removed


def _broken(ws: Path) -> None:
    with open(ws / "ledgers/coop/2026/03.beancount", "a", encoding="utf-8") as handle:
        handle.write(
            '\n2026-03-09 * "Typo"\n  Actif:Banque:Nef  10.00 EUR\n  Produits:Dons  -1.00 EUR\n'
        )


def _forge_answer(path: Path, answer: dict[str, Any], key: bytes) -> None:
    body = json.dumps(answer).encode("utf-8")
    head = path.read_bytes().split(b"\n", 4)[:2]
    signer = hmac.new(key, digestmod=hashlib.sha256)
    for field in head:
        signer.update(b"%d:" % len(field) + field)
    signer.update(body)
    digest = hashlib.sha256(body).hexdigest().encode("ascii")
    path.write_bytes(b"\n".join([*head, digest, signer.hexdigest().encode("ascii"), body]))


def test_a_forged_answer_is_never_replayed(
    ws: Path, cache_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A forged answer claiming that a broken ledger is valid: ``check`` still fails."""
    home = cache_home.parent
    valid = run(home, capsys, "check")
    assert valid.code == 0
    _broken(ws)
    broken = run(home, capsys, "check")
    assert broken.code == 1 and broken.log == ["miss", "stored"]
    path = max(stored(home), key=lambda p: p.stat().st_mtime_ns)
    answer = json.loads(path.read_bytes().split(b"\n", 4)[4])
    lie = {**answer, "code": 0, "inputs": [], "chunks": [[1, valid.out]]}
    _forge_answer(path, lie, os.urandom(32))  # right checksum, wrong key
    again = run(home, capsys, "check")
    assert again.code == 1 and again.log == ["miss", "stored"]
    assert again.result == broken.result
    # The control: the same lie signed with the user's own key would be replayed, so
    # the HMAC alone is what refused it.
    path = max(stored(home), key=lambda p: p.stat().st_mtime_ns)
    _forge_answer(path, lie, (cache_home / "key").read_bytes())
    assert run(home, capsys, "check").log == ["hit"]


# --------------------------------------------------------------------------- folders


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o750, 0o705], ids=oct)
@pytest.mark.parametrize("where", ["root", "full"])
def test_a_folder_others_may_use_is_never_read_nor_written(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch, mode: int, where: str
) -> None:
    first = load(ws, "coop")
    assert records(cache_home)
    folder = cache_home if where == "root" else cache_home / "full"
    folder.chmod(mode)
    before = listing(folder)
    counter = Counter(monkeypatch)
    again = load(ws, "coop")
    assert counter.booked == 1  # the valid record there was not used
    if where == "root":
        assert len(counter.parsed) == len(first.files)  # nor any parse
    assert_same_load(again, first)
    assert listing(folder) == before  # nothing written nor removed there
    folder.chmod(0o700)
    counter.reset()
    load(ws, "coop")
    assert counter.booked == 0  # private again: used


@as_root
@pytest.mark.parametrize("where", ["root", "full", "file", "key"])
def test_a_folder_or_file_owned_by_another_user_is_never_read(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    first = load(ws, "coop")
    [record] = records(cache_home)
    target = {
        "root": cache_home,
        "full": cache_home / "full",
        "file": record,
        "key": cache_home / "key",
    }[where]
    os.chown(target, NOBODY, NOBODY)  # the mode stays 0700 / 0600: only the owner differs
    cachetrust.forget_secrets()  # as a new process
    counter = Counter(monkeypatch)
    assert_same_load(load(ws, "coop"), first)
    assert counter.booked == 1
    if target.exists():
        assert os.lstat(target).st_uid == NOBODY or where == "file"  # never removed: not ours


def test_a_linked_cache_folder_is_never_followed(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load(ws, "coop")
    real = cache_home.with_name("elsewhere")
    cache_home.rename(real)
    cache_home.symlink_to(real)  # a private folder of ours, with a valid key and record
    before = listing(real)
    counter = Counter(monkeypatch)
    assert_same_load(load(ws, "coop"), first)
    assert counter.booked == 1 and len(counter.parsed) == len(first.files)
    assert listing(real) == before


@pytest.mark.parametrize("what", ["subfolder", "file", "key"])
def test_a_linked_subfolder_file_or_key_is_never_followed(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    first = load(ws, "coop")
    [record] = records(cache_home)
    name = {"subfolder": cache_home / "full", "file": record, "key": cache_home / "key"}[what]
    real = cache_home.with_name(f"real-{what}")
    name.rename(real)
    name.symlink_to(real)
    before = real.read_bytes() if real.is_file() else None
    cachetrust.forget_secrets()
    counter = Counter(monkeypatch)
    assert_same_load(load(ws, "coop"), first)
    assert counter.booked == 1
    if before is not None:
        assert real.read_bytes() == before  # the target is never touched
    if what != "subfolder":
        assert not name.is_symlink() or not name.exists() or name.resolve() != real


@pytest.mark.parametrize("mode", [0o644, 0o660, 0o604], ids=oct)
def test_a_cache_file_others_may_use_is_ignored_and_removed(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    first = load(ws, "coop")
    [record] = records(cache_home)
    record.chmod(mode)
    counter = Counter(monkeypatch)
    assert_same_load(load(ws, "coop"), first)
    assert counter.booked == 1
    [again] = records(cache_home)  # removed, then written again by the load
    assert again.stat().st_mode & 0o777 == 0o600


# --------------------------------------------------------------------------- creation, key


def test_folders_files_and_key_are_private_whatever_the_umask(ws: Path, cache_home: Path) -> None:
    old = os.umask(0)
    try:
        load(ws, "coop")
    finally:
        os.umask(old)
    paths = [cache_home, *cache_home.rglob("*")]
    assert cache_home / "key" in paths and records(cache_home)
    for path in paths:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    assert len((cache_home / "key").read_bytes()) == 32
    assert not list(cache_home.rglob("*.tmp"))


def test_a_key_others_may_read_turns_the_cache_off_then_is_replaced(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load(ws, "coop")
    key = cache_home / "key"
    old = key.read_bytes()
    key.chmod(0o644)
    cachetrust.forget_secrets()  # as a new process
    before = listing(cache_home / "full")
    counter = Counter(monkeypatch)
    assert_same_load(load(ws, "coop"), first)
    assert counter.booked == 1  # not used: nothing it signed is read
    assert listing(cache_home / "full") == before  # nor written: the cache is off
    assert not key.exists()  # removed (it was ours)
    cachetrust.forget_secrets()  # the next run makes a new key: the old records are misses
    counter.reset()
    load(ws, "coop")
    assert counter.booked == 1
    assert key.read_bytes() != old and key.stat().st_mode & 0o777 == 0o600
    counter.reset()
    load(ws, "coop")
    assert counter.booked == 0


def test_a_refused_file_is_noted_with_debug(
    ws: Path, cache_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load(ws, "coop")
    [record] = records(cache_home)
    record.chmod(0o666)
    capsys.readouterr()
    load(ws, "coop")
    assert "cache:" not in capsys.readouterr().err  # silent without --debug
    [record] = records(cache_home)
    record.chmod(0o666)
    monkeypatch.setenv("ALUSAGE_DEBUG", "1")
    load(ws, "coop")
    err = capsys.readouterr().err
    assert f"cache: file {record} ignored and removed: mode 0666" in err


# --------------------------------------------------------------------------- another user


def _runuser_ok() -> bool:
    if not hasattr(os, "getuid") or os.getuid() != 0 or shutil.which("runuser") is None:
        return False
    done = subprocess.run(
        ["runuser", "-u", "nobody", "--", "sh", "-c", "true"], capture_output=True, check=False
    )
    return done.returncode == 0


@pytest.mark.skipif(not _runuser_ok(), reason="needs root and runuser (another user)")
def test_a_cache_planted_by_another_user_is_never_read(
    ws: Path, cache_home: Path, tmp_path: Path
) -> None:
    """A real other account (``nobody``, through ``runuser``) plants a whole cache folder
    (its own key, entries whose HMAC is right for that key, each a pickle that would run a
    command) where the victim's ``XDG_CACHE_HOME`` points; the victim's ``check`` never
    unpickles it. The control: the same folder owned by the victim is trusted (the forgery
    is well-formed, only its owner differs)."""
    load(ws, "coop")  # a real cache of this workspace, in the test's own folder
    key = (cache_home / "key").read_bytes()
    stage = Path(tempfile.mkdtemp(prefix="planted-"))
    shared = Path(tempfile.mkdtemp(prefix="shared-"))
    marker_dir = Path(tempfile.mkdtemp(prefix="marker-"))
    try:
        for folder in (stage, shared, marker_dir):
            folder.chmod(0o1777)
        marker = marker_dir / "ran"
        forged = stage / "alusage-ledger"
        shutil.copytree(cache_home, forged, ignore=shutil.ignore_patterns("answers", "log"))
        targets = [p for kind in ("full", "parse") for p in sorted((forged / kind).glob("*"))]
        assert targets
        for target in targets:
            kind = target.parent.name
            payload = planted(marker)
            fields = target.read_bytes().split(b"\n", 3)[:3]
            right = cachetrust.mac(key, fields[0], kind.encode(), *fields[1:3])
            right.update(payload)
            forge(target, payload, right.hexdigest().encode("ascii"))
        for path in [forged, *forged.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        planted_by = shared / "nobody"
        script = (
            f"mkdir -p {planted_by} && cp -r {forged} {planted_by}/ && "
            f"find {planted_by} -type d -exec chmod 700 {{}} + && "
            f"find {planted_by} -type f -exec chmod 600 {{}} + && chmod 755 {planted_by}"
        )
        subprocess.run(["runuser", "-u", "nobody", "--", "sh", "-c", script], check=True)
        assert os.lstat(planted_by / "alusage-ledger").st_uid != 0
        before = listing(planted_by / "alusage-ledger")
        env = {"XDG_CACHE_HOME": str(planted_by), "ALUSAGE_LANG": "en"}
        done = run_subprocess("--workspace", str(ws), "check", env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert not marker.exists()
        assert listing(planted_by / "alusage-ledger") == before  # not ours: never removed
        # the control: the same forgery, owned by the victim, is trusted
        mine = tmp_path / "mine"
        shutil.copytree(forged, mine / "alusage-ledger")
        for path in [mine / "alusage-ledger", *(mine / "alusage-ledger").rglob("*")]:
            path.chmod(0o700 if path.is_dir() else 0o600)
        run_subprocess("--workspace", str(ws), "check", env={**env, "XDG_CACHE_HOME": str(mine)})
        assert marker.exists()
    finally:
        for folder in (stage, shared, marker_dir):
            shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("who", ["another user", "group-writable"])
def test_the_check_function_refuses_another_owner_or_a_shared_mode_without_root(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch, who: str
) -> None:
    """Where chown is not possible: the ownership is simulated by the check itself (the
    process sees itself as another uid), so the same real folder becomes someone else's."""
    first = load(ws, "coop")
    assert cachetrust.folder_refused(cache_home) is None
    [record] = records(cache_home)
    before = listing(cache_home)
    if who == "another user":
        uid = os.getuid()
        monkeypatch.setattr(os, "getuid", lambda: uid + 1)
        assert cachetrust.folder_refused(cache_home) == f"owned by user {uid}"
        assert cachetrust.open_private(record) is None
    else:
        record.chmod(0o620)
        assert cachetrust.open_private(record) is None
    cachetrust.forget_secrets()
    counter = Counter(monkeypatch)
    assert_same_load(load(ws, "coop"), first)
    assert counter.booked == 1  # recomputed: the record was not read
    if who == "another user":
        assert listing(cache_home) == before  # someone else's: nothing removed nor written
