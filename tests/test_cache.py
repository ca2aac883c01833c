"""The cache of loaded ledgers (issue 13): never wrong, never in the workspace.

Every comparison is between a load through the cache and a load without it, both from
a new Workspace with the in-process parse memo emptied, so that the disk cache really is
what answers.
"""

from __future__ import annotations

import os
import pickle
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from closing_helpers import ROOTS, make_close_ws
from conftest import Cli, snapshot

from alusage_ledger.books import beanpipe, cache, loader, parsing
from alusage_ledger.books.ledger import Workspace
from alusage_ledger.books.loader import LoadedLedger


@pytest.fixture
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cache folder of this test alone (outside its workspace)."""
    folder = tmp_path_factory.mktemp("cache-home")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    cache.set_enabled(True)
    yield folder / "alusage-ledger"
    cache.set_enabled(True)
    if before is not None:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_close_ws(tmp_path / "ws", git_repo=False)


class Counter:
    """Counts Beancount parses of files and runs of the booking pipeline."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed: list[str] = []
        self.booked = 0
        parse = parsing.parse_source  # the loader's one call of Beancount's parser
        pipeline = beanpipe.book_transform_validate

        def counting_parse(raw: bytes, filename: str) -> Any:
            self.parsed.append(Path(filename).name)
            return parse(raw, filename)

        def counting_pipeline(*args: Any, **kwargs: Any) -> Any:
            self.booked += 1
            return pipeline(*args, **kwargs)

        monkeypatch.setattr(parsing, "parse_source", counting_parse)
        monkeypatch.setattr(beanpipe, "book_transform_validate", counting_pipeline)

    def reset(self) -> None:
        self.parsed.clear()
        self.booked = 0


def forget_process_memos() -> None:
    """Empty what this process remembers, so that only the disk cache can answer."""
    parsing.PARSE_CACHE.clear()
    loader._LOADED_MEMO.clear()
    loader._LOADED_SLOTS.clear()


def load(root: Path, entity: str, *, use_cache: bool = True) -> LoadedLedger:
    forget_process_memos()
    cache.set_enabled(use_cache)
    try:
        return Workspace.open(root).load(entity)
    finally:
        cache.set_enabled(True)


def assert_same_load(cached: LoadedLedger, fresh: LoadedLedger) -> None:
    assert cached.entries == fresh.entries
    assert cached.problems == fresh.problems
    assert cached.parsed_entries() == fresh.parsed_entries()
    assert {p: f.digest for p, f in cached.files.items()} == {
        p: f.digest for p, f in fresh.files.items()
    }
    for name in ("include", "title", "operating_currency", "name_assets"):
        assert cached.options.get(name) == fresh.options.get(name)


def records(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "full").glob("*")) if (cache_dir / "full").is_dir() else []


# --------------------------------------------------------------------------- hits


def test_a_second_load_is_served_from_the_cache(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = Counter(monkeypatch)
    first = load(ws, "coop")
    assert counter.booked == 1 and len(counter.parsed) == 5
    assert len(records(cache_home)) == 1
    counter.reset()
    second = load(ws, "coop")
    assert counter.booked == 0 and counter.parsed == []
    assert_same_load(second, first)
    assert_same_load(second, load(ws, "coop", use_cache=False))


def test_one_changed_file_is_the_only_one_parsed_again(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = Counter(monkeypatch)
    load(ws, "coop")
    with open(ws / "ledgers/coop/2026/03.beancount", "a", encoding="utf-8") as handle:
        handle.write(
            '\n2026-03-09 * "Donatrice" "Don"\n  Actif:Banque:Nef  5.00 EUR\n'
            "  Produits:Dons  -5.00 EUR\n"
        )
    counter.reset()
    after = load(ws, "coop")
    assert counter.parsed == ["03.beancount"]
    assert counter.booked == 1
    assert_same_load(after, load(ws, "coop", use_cache=False))


def test_the_cache_is_in_xdg_cache_home_and_never_in_the_workspace(
    ws: Path, cache_home: Path
) -> None:
    before = snapshot(ws)
    load(ws, "coop")
    assert records(cache_home)
    assert snapshot(ws) == before  # nothing written in the workspace
    assert cache.folder() == cache_home
    assert ws not in cache_home.resolve().parents


def test_a_cache_home_inside_the_workspace_is_not_used(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(ws / "ledgers" / ".cache"))
    before = snapshot(ws)
    first = load(ws, "coop")
    assert cache.folder_for(ws) is None
    assert not (ws / "ledgers" / ".cache").exists()
    assert snapshot(ws) == before
    assert first.ok


def test_default_folder_is_under_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.folder() == tmp_path / "home" / ".cache" / "alusage-ledger"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored (XDG spec)
    assert cache.folder() == tmp_path / "home" / ".cache" / "alusage-ledger"


def test_no_cache_option_and_environment_variable(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(ws)
    result = cli("--no-cache", "check")
    assert result.exit_code == 0, result.output
    assert not records(cache_home)
    monkeypatch.setenv("ALUSAGE_NO_CACHE", "1")
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert not records(cache_home)
    monkeypatch.delenv("ALUSAGE_NO_CACHE")
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert records(cache_home)


def test_a_folder_others_can_write_to_is_not_used(ws: Path, cache_home: Path) -> None:
    cache_home.mkdir(parents=True)
    cache_home.chmod(0o777)
    load(ws, "coop")
    assert not records(cache_home)
    cache_home.chmod(0o700)
    load(ws, "coop")
    assert records(cache_home)


# --------------------------------------------------------------------------- hand edits


def _closed_ws(ws: Path) -> Path:
    cli = Cli(ws)
    result = cli("close", "2026-01")
    assert result.exit_code == 0, result.output
    assert (ws / "ledgers/coop/2026/01.close.beancount").exists()
    return ws


@pytest.mark.parametrize(
    "target", ["2026/01.beancount", "2026/01.close.beancount", "accounts.beancount"]
)
def test_a_hand_edit_of_any_file_is_never_served_from_the_cache(
    ws: Path, cache_home: Path, target: str
) -> None:
    """Same size, same modification time: only the bytes changed (closed month included)."""
    _closed_ws(ws)
    before = load(ws, "coop")
    assert before.ok
    assert load(ws, "coop").entries == before.entries  # now cached
    path = ws / "ledgers/coop" / target
    text = path.read_text("utf-8")
    stat = path.stat()
    if target == "accounts.beancount":
        edited = text.replace('label: "Libéralités reçues"', 'label: "Libéralités reçueS"')
    else:
        edited = re.sub(r"1000\.00", "1000.10", text, count=1)
        edited = re.sub(r"-1000\.00", "-1000.10", edited, count=1)
        if edited == text:  # the close file: an assertion's amount
            edited = re.sub(r"(balance Actif:Banque:Nef\s+)(\d+)\.(\d)0", r"\1\2.\g<3>1", text)
    assert edited != text and len(edited.encode()) == len(text.encode())
    path.write_text(edited, "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    cached = load(ws, "coop")
    fresh = load(ws, "coop", use_cache=False)
    assert_same_load(cached, fresh)
    assert cached.parsed_entries() != before.parsed_entries()
    # the check sees the edit of the closed month through the cache as well
    result = Cli(ws)("check")
    assert result.exit_code == Cli(ws)("--no-cache", "check").exit_code
    if target == "2026/01.beancount":
        assert result.exit_code == 1, result.output


# --------------------------------------------------------------------------- damage


def _the_record(cache_home: Path) -> Path:
    found = records(cache_home)
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "header-only"])
def test_a_damaged_cache_file_is_ignored_and_removed(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    counter = Counter(monkeypatch)
    first = load(ws, "coop")
    record = _the_record(cache_home)
    raw = record.read_bytes()
    header_end = raw.index(b"\n", raw.index(b"\n", raw.index(b"\n", raw.index(b"\n") + 1) + 1) + 1)
    if damage == "truncate":
        record.write_bytes(raw[: len(raw) // 2])
    elif damage == "flip":
        middle = header_end + (len(raw) - header_end) // 2
        record.write_bytes(raw[:middle] + bytes([raw[middle] ^ 0x01]) + raw[middle + 1 :])
    elif damage == "garbage":
        record.write_bytes(os.urandom(len(raw)))
    elif damage == "empty":
        record.write_bytes(b"")
    else:
        record.write_bytes(raw[: header_end + 1])
    counter.reset()
    again = load(ws, "coop")
    assert counter.booked == 1  # recomputed
    assert_same_load(again, first)
    assert_same_load(again, load(ws, "coop", use_cache=False))


def test_a_payload_is_never_unpickled_before_its_hash_is_checked(
    ws: Path, cache_home: Path, tmp_path: Path
) -> None:
    """A planted pickle that would run code, with a wrong hash, never runs."""
    load(ws, "coop")
    record = _the_record(cache_home)
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> Any:
            return (os.system, (f"touch {marker}",))

    head = record.read_bytes().split(b"\n", 4)
    planted = b"\n".join([*head[:3], b"0" * 64, pickle.dumps(Payload())])
    record.write_bytes(planted)
    again = load(ws, "coop")
    assert again.ok
    assert not marker.exists()
    assert cache.read(cache_home, "full", record.name) is None or not marker.exists()


def test_a_cache_written_by_another_version_is_ignored(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = Counter(monkeypatch)
    first = load(ws, "coop")
    old_records = records(cache_home)
    import alusage_ledger

    monkeypatch.setattr(alusage_ledger, "__version__", "99.0.0")
    monkeypatch.setattr(cache, "_tag", None)
    counter.reset()
    again = load(ws, "coop")
    assert counter.booked == 1 and len(counter.parsed) == 5
    assert_same_load(again, first)
    assert set(records(cache_home)) != set(old_records)  # keys include the version
    # and a file renamed to the new key is refused too (its header names the old tag)
    new = next(r for r in records(cache_home) if r not in old_records)
    new.write_bytes(old_records[0].read_bytes())
    counter.reset()
    load(ws, "coop")
    assert counter.booked == 1


def test_the_code_tag_names_python_beancount_and_the_tool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import beancount

    tag = cache.code_tag()
    for module, name, value in (
        (sys, "version", sys.version + "+other"),
        (beancount, "__version__", "0.0"),
    ):
        monkeypatch.setattr(cache, "_tag", None)
        with monkeypatch.context() as patch:
            patch.setattr(module, name, value)
            assert cache.code_tag() != tag
        monkeypatch.setattr(cache, "_tag", None)
        assert cache.code_tag() == tag


# --------------------------------------------------------------------------- random edits


def _edit(rng: random.Random, root: Path) -> str:
    """One random hand edit of the coop ledger; returns what was done."""
    folder = root / "ledgers/coop"
    months = sorted((folder / "2026").glob("*.beancount"))
    choice = rng.choice(["append", "amount", "unbalance", "new-file", "typo", "undo"])
    path = rng.choice(months)
    text = path.read_text("utf-8")
    if choice == "append" or choice == "undo":
        amount = f"{rng.randint(1, 500)}.{rng.randint(0, 99):02d}"
        day = rng.randint(1, 28)
        month = path.name[:2]
        text += (
            f'\n2026-{month}-{day:02d} * "Donatrice" "Don {amount}"\n'
            f"  Actif:Banque:Nef  {amount} EUR\n  Produits:Dons  -{amount} EUR\n"
        )
    elif choice == "amount":
        numbers = re.findall(r"\d+\.\d\d EUR", text)
        if numbers:
            old = rng.choice(numbers)
            value = f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d} EUR"
            text = text.replace(old, value).replace("-" + value, "-" + value)
    elif choice == "unbalance":
        text += (
            '\n2026-03-15 * "Erreur" "Déséquilibre"\n'
            "  Actif:Banque:Nef  10.00 EUR\n  Produits:Dons  -9.99 EUR\n"
        )
    elif choice == "new-file":
        name = f"extra-{rng.randint(0, 3)}.beancount"
        extra = folder / "2026" / name
        if not extra.exists():
            extra.write_text(ROOTS, "utf-8")
            main = folder / "main.beancount"
            main.write_text(main.read_text("utf-8") + f'include "2026/{name}"\n', "utf-8")
        path, text = (
            extra,
            extra.read_text("utf-8")
            + (
                '\n2026-02-02 * "Alpha" "Acompte"\n  Actif:Banque:Nef  1.00 EUR\n'
                "  Produits:Prestations  -1.00 EUR\n"
            ),
        )
    else:  # a typo: an account that is not open
        text += (
            '\n2026-03-20 * "X" "Y"\n  Actif:Banque:Neff  1.00 EUR\n  Produits:Dons  -1.00 EUR\n'
        )
    path.write_text(text, "utf-8")
    if choice == "undo" and rng.random() < 0.5:  # back to bytes loaded before: a cache hit
        path.write_text(path.read_text("utf-8").rsplit("\n2026-", 1)[0] + "\n", "utf-8")
    return f"{choice} {path.name}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cached_and_uncached_loads_agree_after_random_edits(
    ws: Path, cache_home: Path, seed: int
) -> None:
    rng = random.Random(seed)
    for _step in range(12):
        done = _edit(rng, ws)
        cached = load(ws, "coop")
        fresh = load(ws, "coop", use_cache=False)
        assert_same_load(cached, fresh), done
        again = load(ws, "coop")  # and served from the record just written
        assert_same_load(again, fresh), done


@pytest.mark.parametrize("seed", [4, 5])
def test_command_outputs_are_the_same_with_and_without_the_cache(
    ws: Path, cache_home: Path, seed: int
) -> None:
    rng = random.Random(seed)
    cli = Cli(ws)
    commands = [
        ["check"],
        ["--json", "check"],
        ["aged", "--as-of", "2026-03-31"],
        ["revenue", "--period", "2026"],
        ["query", "--entity", "coop", "SELECT account, sum(position) GROUP BY account"],
    ]
    for _step in range(6):
        _edit(rng, ws)
        for command in commands:
            forget_process_memos()
            warm_up = cli(*command)
            forget_process_memos()
            cached = cli(*command)
            forget_process_memos()
            uncached = cli("--no-cache", *command)
            assert (cached.exit_code, cached.output) == (uncached.exit_code, uncached.output)
            assert (warm_up.exit_code, warm_up.output) == (cached.exit_code, cached.output)


# --------------------------------------------------------------------------- writes


def test_after_a_write_only_the_changed_file_is_parsed_and_the_next_read_is_a_hit(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from beancount.core import data
    from beancount.core.amount import Amount

    from alusage_ledger.books.writer import Append

    load(ws, "coop")  # fills the cache
    counter = Counter(monkeypatch)
    forget_process_memos()
    workspace = Workspace.open(ws)
    meta = data.new_metadata("<alusage>", 0)
    entry = data.Transaction(
        meta,
        __import__("datetime").date(2026, 3, 20),
        "*",
        "Donatrice",
        "Don",
        frozenset(),
        frozenset(),
        [
            data.Posting("Actif:Banque:Nef", Amount(_d("7.00"), "EUR"), None, None, None, None),
            data.Posting("Produits:Dons", Amount(_d("-7.00"), "EUR"), None, None, None, None),
        ],
    )
    with workspace.lock():
        workspace.load_checked("coop")
        assert counter.parsed == [] and counter.booked == 0  # the read: a hit
        workspace.write([Append("coop", (entry,))])
    assert counter.parsed == ["03.beancount"]  # the verification reload
    assert counter.booked == 1
    counter.reset()
    after = load(ws, "coop")
    assert counter.parsed == [] and counter.booked == 0  # stored by the verification
    assert_same_load(after, load(ws, "coop", use_cache=False))


def _d(text: str) -> Any:
    from decimal import Decimal

    return Decimal(text)


def test_the_command_line_writes_the_cache_in_the_background(ws: Path, cache_home: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home.parent)}
    first = subprocess.run(
        [sys.executable, "-m", "alusage_ledger", "--workspace", str(ws), "check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert first.returncode == 0, first.stderr
    deadline = time.monotonic() + 30
    while len(records(cache_home)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)  # the detached writer may still be at work
    assert len(records(cache_home)) == 3  # coop, shop, solo
    second = subprocess.run(
        [sys.executable, "-m", "alusage_ledger", "--workspace", str(ws), "check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout)
    assert not list(cache_home.rglob("*.tmp"))


# --------------------------------------------------------------------------- parses apart


def parse_files(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "parse").glob("*")) if (cache_dir / "parse").is_dir() else []


def _parse_file_of(cache_dir: Path, loaded: LoadedLedger, name: str) -> tuple[Path, str, str]:
    """The cache file holding the parse of the ledger file ``name``, its path and hash."""
    for path, parsed in loaded.files.items():
        if path.name == name:
            return (
                cache_dir / "parse" / cache.parse_key(str(path), parsed.digest),
                str(path),
                parsed.digest,
            )
    raise AssertionError(name)


def test_the_parses_are_stored_apart_from_the_booked_entries(ws: Path, cache_home: Path) -> None:
    first = load(ws, "coop")
    parses = parse_files(cache_home)
    assert len(parses) == len(first.files) == 5
    assert len(records(cache_home)) == 1
    # The record refers to the parsed entries instead of holding them again.
    assert records(cache_home)[0].stat().st_size < sum(p.stat().st_size for p in parses) / 2
    for path, parsed in first.files.items():
        stored = cache.read_parse(cache_home, str(path), parsed.digest)
        assert stored is not None and stored[0] == parsed.entries


def test_a_damaged_parse_file_is_ignored_and_only_its_file_is_parsed_again(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = Counter(monkeypatch)
    first = load(ws, "coop")
    victim, path, digest = _parse_file_of(cache_home, first, "02.beancount")
    raw = victim.read_bytes()
    victim.write_bytes(raw[: len(raw) // 2])  # truncated
    counter.reset()
    again = load(ws, "coop")
    assert counter.parsed == ["02.beancount"]
    assert counter.booked == 0  # the record still holds the booked entries
    assert_same_load(again, first)
    assert_same_load(again, load(ws, "coop", use_cache=False))
    # The bad file was removed and the parse stored again, whole.
    assert cache.read_parse(cache_home, path, digest) is not None
    counter.reset()
    load(ws, "coop")
    assert counter.parsed == [] and counter.booked == 0


def test_a_damaged_record_is_booked_again_from_the_stored_parses(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = Counter(monkeypatch)
    first = load(ws, "coop")
    record = _the_record(cache_home)
    raw = record.read_bytes()
    record.write_bytes(raw[: len(raw) - 10])
    counter.reset()
    again = load(ws, "coop")
    assert counter.parsed == [] and counter.booked == 1
    assert_same_load(again, first)
    assert_same_load(again, load(ws, "coop", use_cache=False))


def test_a_parse_file_is_refused_under_another_key_or_with_a_planted_payload(
    ws: Path, cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = Counter(monkeypatch)
    first = load(ws, "coop")
    january, _p, _d = _parse_file_of(cache_home, first, "01.beancount")
    february, _p, _d = _parse_file_of(cache_home, first, "02.beancount")
    february.write_bytes(january.read_bytes())  # a valid file, but another key's
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> Any:
            return (os.system, (f"touch {marker}",))

    head = january.read_bytes().split(b"\n", 4)
    january.write_bytes(b"\n".join([*head[:4], pickle.dumps(Payload())]))  # wrong checksum
    counter.reset()
    again = load(ws, "coop")
    assert sorted(counter.parsed) == ["01.beancount", "02.beancount"]
    assert counter.booked == 0
    assert not marker.exists()
    assert_same_load(again, load(ws, "coop", use_cache=False))


def test_parses_no_kept_record_refers_to_are_removed(
    ws: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "KEEP_PER_LEDGER", 1)
    first = load(ws, "coop")
    old, _p, _d = _parse_file_of(cache_home, first, "03.beancount")
    for path in parse_files(cache_home) + records(cache_home):
        os.utime(path, (time.time() - 60, time.time() - 60))
    with open(ws / "ledgers/coop/2026/03.beancount", "a", encoding="utf-8") as handle:
        handle.write(
            '\n2026-03-09 * "Donatrice" "Don"\n  Actif:Banque:Nef  5.00 EUR\n'
            "  Produits:Dons  -5.00 EUR\n"
        )
    after = load(ws, "coop")
    new, _p, _d = _parse_file_of(cache_home, after, "03.beancount")
    assert len(records(cache_home)) == 1
    assert not old.exists() and new.exists()
    assert len(parse_files(cache_home)) == 5  # the four unchanged files' and the new one


def test_booked_entries_are_stored_as_references_to_the_parses() -> None:
    """Plain transactions refer to their parse (reordered when grouped by currency);
    entries made by Beancount's booking or a plugin are stored whole; the rebuilt list is
    the booked one, to the digit; a record that does not fit its files is refused."""
    from beancount.core import data
    from beancount.parser import parser
    from test_beanpipe import CASES, HEAD

    text = HEAD + CASES["plain"] + CASES["pad-and-balance"] + CASES["costs-and-prices"]
    half = len(text) // 2
    cut = text.index("\n2026-", half)
    parses = [
        parser.parse_string(text[:cut], report_filename="/a.beancount")[0],
        parser.parse_string(text[cut:], report_filename="/b.beancount")[0],
    ]
    _e, _err, options = parser.parse_string(text)
    entries = sorted((e for parse in parses for e in parse), key=data.entry_sortkey)
    booked, _errors = beanpipe.book_transform_validate(entries, [], options)
    encoded = cache.encode_booked(parses, booked)
    kinds = [code & 3 for code in encoded["refs"]]
    assert {0, 2, 3} <= set(kinds)  # as parsed, reordered, whole
    assert len(encoded["whole"]) < len(booked)
    files = [("/a.beancount", "1" * 64), ("/b.beancount", "2" * 64)]
    stored = {"files": files, "booked": encoded}
    rebuilt = cache.decode_booked(parses, stored, files)
    assert rebuilt == booked and repr(rebuilt) == repr(booked)
    # Shared as in a load without the cache: the postings are the parsed ones.
    for entry, code in zip(rebuilt, encoded["refs"], strict=True):
        if code & 3 in (1, 2):
            parsed = parses[code >> 34][(code >> 2) & 0xFFFFFFFF]
            assert entry is not parsed and entry.meta is not parsed.meta
            assert sorted(map(id, entry.postings)) == sorted(map(id, parsed.postings))
    assert cache.decode_booked(parses, stored, list(reversed(files))) is None
    assert cache.decode_booked(parses[:1], stored, files) is None  # a reference out of range
    short = {**encoded, "whole": encoded["whole"][:-1]}
    assert cache.decode_booked(parses, {"files": files, "booked": short}, files) is None


def test_a_cache_file_is_written_whole_with_its_checksum(cache_home: Path) -> None:
    import hashlib

    value = {"numbers": list(range(200_000)), "text": "é" * 1000}
    cache.write(cache_home, "full", "k" * 64, value)
    path = cache_home / "full" / ("k" * 64)
    head = path.read_bytes().split(b"\n", 5)
    assert head[3] == hashlib.sha256(head[5]).hexdigest().encode("ascii")
    assert len(head[4]) == 64  # the HMAC (tests/test_cache_trust.py)
    assert path.stat().st_mode & 0o777 == 0o600
    assert cache.read(cache_home, "full", "k" * 64) == value
    assert not list(cache_home.rglob("*.tmp"))
