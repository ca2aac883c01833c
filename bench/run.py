"""Time alusage-ledger commands against ``bean-check`` on generated ledgers (issue 13).

    python bench/run.py                      # 10k transactions, 5 runs each, prints the table
    python bench/run.py --sizes 10000 100000 --write-docs   # also rewrites docs/performance.md
    python bench/run.py --check              # exit 1 when a ratio misses its target by > 50 %

Every figure is a median of real child processes (wall clock, and CPU time = user +
system of the command and of what it waited for), measured in the same run as the
``bean-check`` it is compared with (``bean-check`` of every entity's ledger, one after the
other, Beancount's own cache off). Ratios are paired: a command's median over
bean-check's median of the same size. Peak memory is the largest resident set of the
command's processes, compared with bean-check's.

Kinds of rows:

- ``cold``: an empty cache (a new ``XDG_CACHE_HOME`` for every run); ``no-cache``: with
  ``--no-cache`` (nothing read nor written);
- ``warm``: nothing changed since the cache was filled;
- ``after invoice add`` / ``after hand edit``: the next read once one file changed,
  through the tool (whose verification stores the new load) or by hand (one file parsed
  again, the ledger booked again);
- ``write``: ``invoice add`` itself, load and verification included;
- ``startup``: ``--version`` (seconds) and ``--help`` (ratio to a minimal Typer app).

The workspace is made by ``generate.py`` then prepared once: a git repository, two
closed months (``close``), one more invoice committed (``review HEAD~1 HEAD``).
"""

from __future__ import annotations

import argparse
import calendar
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

BIN = Path(sys.executable).parent
ALUSAGE = [str(BIN / "alusage-ledger")]
BEAN_CHECK = str(BIN / "bean-check")
MEASURE = [sys.executable, str(HERE / "measure.py")]
MINI_TYPER = [sys.executable, str(HERE / "mini_typer.py"), "--help"]
PARSE_ONLY = (
    "import pathlib, sys\n"
    "from beancount.parser import parser\n"
    "for f in sorted(pathlib.Path(sys.argv[1]).rglob('*.beancount')):\n"
    "    parser.parse_file(str(f))\n"
)


@dataclass
class Row:
    name: str
    kind: str  # cold | no-cache | warm | after ... | write | startup
    argv: list[str]
    target: float | None = None
    unit: str = "ratio"  # ratio (to bean-check) | s (seconds) | mini (to the minimal Typer app)
    before: str | None = None  # what to do before each timed run, see run_row()
    env: dict[str, str] = field(default_factory=dict)


def last_month(size: int) -> tuple[int, int]:
    """The last month the generator fills (about 1 000 Alusage transactions a month)."""
    months = max(1, -(-size * 4 // 5 // 1000))
    return 2020 + (months - 1) // 12, (months - 1) % 12 + 1


def last_day(size: int) -> str:
    year, month = last_month(size)
    return f"{year}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def rows(size: int) -> list[Row]:
    year, _month = last_month(size)
    revenue = ["revenue", "--entity", "alusage", "--period", str(year)]
    shares = ["shares", "le97", "--month", "2020-06"]
    statement = ["statement", "alusage", "--place", "le97", "--period", "2020"]
    aged = ["aged", "--entity", "alusage", "--as-of", last_day(size)]
    close = ["close", "2020-03", "--dry-run"]
    review = ["review", "HEAD~1", "HEAD"]
    invoice = [
        "invoice",
        "add",
        "--entity",
        "alusage",
        "--client",
        "ClientA0",
        "--activity",
        "facilitation",
        "--amount-ht",
        "100.00",
        "--date",
        last_day(size),
    ]
    reads = [
        ("check", ["check"], 0.8),
        ("revenue", revenue, 0.8),
        ("shares", shares, 0.8),
        ("statement", statement, 0.8),
        ("aged", aged, 0.8),
        ("close --dry-run", close, 1.0),
    ]
    out = [Row(name, "cold", argv, target, before="new-cache") for name, argv, target in reads]
    out.append(Row("review (two revisions)", "cold", review, 1.8, before="new-cache"))
    out += [Row(name, "no-cache", ["--no-cache", *argv], target) for name, argv, target in reads]
    out += [Row(name, "warm", argv, 0.12, before="warm") for name, argv, _target in reads]
    out.append(Row("invoice add", "write", invoice, 1.0, before="warm"))
    out.append(Row("check", "after invoice add", ["check"], 0.6, before="invoice-add"))
    out.append(Row("revenue", "after invoice add", revenue, 0.6, before="invoice-add"))
    out.append(Row("check", "after hand edit", ["check"], 0.6, before="hand-edit"))
    out.append(Row("--version", "startup", ["--version"], 0.15, unit="s"))
    out.append(Row("--help", "startup", ["--help"], 1.1, unit="mini"))
    return out


def measure(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, max RSS KiB, exit code) of one child process."""
    out = subprocess.run([*MEASURE, *argv], cwd=cwd, env=env, capture_output=True, text=True)
    wall, cpu, rss, code = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu), int(rss), int(code)


def run_quiet(argv: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed in {cwd}:\n{done.stdout}\n{done.stderr}")


def bean_check_all(ws: Path, env: dict[str, str]) -> tuple[float, float, int]:
    wall, cpu, peak = 0.0, 0.0, 0
    for main in sorted((ws / "ledgers").glob("*/main.beancount")):
        seconds, used, rss, code = measure([BEAN_CHECK, str(main)], ws, env)
        if code != 0:
            raise SystemExit(f"bean-check failed on {main}")
        wall, cpu, peak = wall + seconds, cpu + used, max(peak, rss)
    return wall, cpu, peak


def prepare(ws: Path, size: int, env: dict[str, str]) -> None:
    """Generate, then: git repository, two closed months, one more invoice (committed)."""
    ready = ws.with_name(ws.name + ".ready")
    if ready.exists():
        return
    if ws.exists():
        shutil.rmtree(ws)
    generate(ws, size)
    sync = {**env, "ALUSAGE_CACHE_SYNC": "1"}
    git = ["git", "-C", str(ws)]
    run_quiet([*git, "init", "-q", "-b", "main"], ws, env)
    run_quiet([*git, "config", "user.email", "bench@alusage.invalid"], ws, env)
    run_quiet([*git, "config", "user.name", "bench"], ws, env)
    (ws / ".gitignore").write_text(".alusage.lock\n*.alusage-tmp\n*.picklecache\n", "utf-8")
    run_quiet([*git, "add", "-A"], ws, env)
    run_quiet([*git, "commit", "-q", "-m", "Generated books"], ws, env)
    for month in ("2020-01", "2020-02"):
        run_quiet([*ALUSAGE, "close", month], ws, sync)
    run_quiet([*git, "add", "-A"], ws, env)
    run_quiet([*git, "commit", "-q", "-m", "Close January and February 2020"], ws, env)
    invoice = next(r for r in rows(size) if r.name == "invoice add").argv
    run_quiet([*ALUSAGE, *invoice], ws, sync)
    run_quiet([*git, "add", "-A"], ws, env)
    run_quiet([*git, "commit", "-q", "-m", "One more invoice"], ws, env)
    ready.write_text("ok\n", "utf-8")


def wait_for_cache_writer(cache_home: Path, since: float, timeout: float = 60) -> None:
    """The detached cache writer of the last command finished (its slot files are newer)."""
    slots = cache_home / "alusage-ledger" / "slots"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            newest = max((p.stat().st_mtime for p in slots.iterdir()), default=0.0)
            busy = any(p.name.endswith(".tmp") for p in slots.parent.rglob("*"))
        except OSError:
            newest, busy = 0.0, True
        if newest >= since and not busy:
            return
        time.sleep(0.05)


def hand_edit(ws: Path, size: int, counter: int) -> None:
    """Append one balanced transaction to the last month file of Alusage, by hand."""
    year, month = last_month(size)
    path = ws / "ledgers" / "alusage" / str(year) / f"{month:02d}.beancount"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(
            f'\n{last_day(size)} * "Banque" "Frais {counter}"\n'
            "  Charges:Achats:Logiciels  1.00 EUR\n"
            "  Actif:Banque:CreditCooperatif  -1.00 EUR\n"
        )


def run_row(
    row: Row, ws: Path, size: int, env: dict[str, str], repeat: int
) -> tuple[list[float], list[float], int, int]:
    times: list[float] = []
    cpus: list[float] = []
    peak, code = 0, 0
    cache_home = Path(env["XDG_CACHE_HOME"])
    sync = {**env, "ALUSAGE_CACHE_SYNC": "1"}
    invoice = next(r for r in rows(size) if r.name == "invoice add").argv
    for index in range(repeat):
        run_env = env
        if row.before == "new-cache":
            run_env = {**env, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="alusage-cold-")}
        elif row.before == "warm":
            run_quiet([*ALUSAGE, "check"], ws, sync)
            if row.kind == "warm":
                # this command's own loads, and its answer (replayed while nothing changed)
                measure([*ALUSAGE, *row.argv], ws, {**sync, **row.env})
        elif row.before == "invoice-add":
            run_quiet([*ALUSAGE, "check"], ws, sync)
            started = time.time()
            run_quiet([*ALUSAGE, *invoice], ws, env)
            wait_for_cache_writer(cache_home, started)
        elif row.before == "hand-edit":
            run_quiet([*ALUSAGE, "check"], ws, sync)
            hand_edit(ws, size, index)
        seconds, cpu, rss, code = measure([*ALUSAGE, *row.argv], ws, {**run_env, **row.env})
        if row.before == "new-cache" and run_env is not env:
            shutil.rmtree(run_env["XDG_CACHE_HOME"], ignore_errors=True)
        if code not in (0, 1):
            break
        times.append(seconds)
        cpus.append(cpu)
        peak = max(peak, rss)
        if row.kind == "write":
            started = time.time()
            wait_for_cache_writer(cache_home, started - seconds)
    return times, cpus, peak, code


def reference(
    base: tuple[int, float, float, int], name: str, wall: float, cpu: float, rss: int | None
) -> dict[str, Any]:
    """A row measured for comparison (no target): bean-check, parse only, Typer."""
    size, bc, bc_cpu, bc_rss = base
    return {
        "size": size,
        "name": name,
        "kind": "reference",
        "median": wall,
        "cpu": cpu,
        "ratio": wall / bc,
        "cpu_ratio": cpu / bc_cpu,
        "rss": rss,
        "rss_ratio": None if rss is None else rss / bc_rss,
        "target": None,
        "unit": "ratio",
    }


def run(sizes: list[int], repeat: int, keep: Path | None) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    base = keep or Path(tempfile.mkdtemp(prefix="alusage-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        cache_home = Path(tempfile.mkdtemp(prefix="alusage-bench-cache-"))
        env = {
            **os.environ,
            "XDG_CACHE_HOME": str(cache_home),
            "LANG": "C.UTF-8",
            "NO_COLOR": "1",
            "BEANCOUNT_DISABLE_LOAD_CACHE": "1",
            "ALUSAGE_LOCK_TIMEOUT": "600",
        }
        env.pop("ALUSAGE_NO_CACHE", None)
        env.pop("ALUSAGE_CACHE_SYNC", None)
        ws = base / f"ws-{size}"
        print(f"== {size} transactions: preparing {ws}", file=sys.stderr)
        prepare(ws, size, env)
        checks = [bean_check_all(ws, env) for _ in range(repeat)]
        bc = statistics.median(c[0] for c in checks)
        bc_cpu = statistics.median(c[1] for c in checks)
        bc_rss = max(c[2] for c in checks)

        base_figures = (size, bc, bc_cpu, bc_rss)

        results.append(reference(base_figures, "bean-check (every ledger)", bc, bc_cpu, bc_rss))
        parse = [
            measure([sys.executable, "-c", PARSE_ONLY, str(ws / "ledgers")], ws, env)
            for _ in range(repeat)
        ]
        results.append(
            reference(
                base_figures,
                "Beancount parse only (every file)",
                statistics.median(p[0] for p in parse),
                statistics.median(p[1] for p in parse),
                max(p[2] for p in parse),
            )
        )
        minis = [measure(MINI_TYPER, ws, env) for _ in range(repeat)]
        mini = statistics.median(m[0] for m in minis)
        mini_cpu = statistics.median(m[1] for m in minis)
        results.append(reference(base_figures, "minimal Typer app --help", mini, mini_cpu, None))
        for tool, argv in (("hledger", ["hledger", "--version"]), ("ledger", ["ledger", "-v"])):
            if shutil.which(argv[0]) is None:
                print(f"   ({tool} is not installed: no {tool} row)", file=sys.stderr)
        for row in rows(size):
            print(f"   {row.kind:18} {row.name}", file=sys.stderr)
            times, cpus, peak, code = run_row(row, ws, size, env, repeat)
            entry: dict[str, Any] = {
                "size": size,
                "name": row.name,
                "kind": row.kind,
                "target": row.target,
                "unit": row.unit,
                "exit": code,
                "median": None,
                "cpu": None,
                "ratio": None,
                "cpu_ratio": None,
                "rss": None,
                "rss_ratio": None,
            }
            if times:
                median, cpu = statistics.median(times), statistics.median(cpus)
                scale, cpu_scale = {"ratio": (bc, bc_cpu), "s": (1.0, 1.0)}.get(
                    row.unit, (mini, mini_cpu)
                )
                entry.update(
                    median=median,
                    cpu=cpu,
                    ratio=median / scale,
                    cpu_ratio=cpu / cpu_scale,
                    rss=peak,
                    rss_ratio=peak / bc_rss,
                )
            results.append(entry)
        reads = [
            r
            for r in results
            if r["size"] == size and r["kind"] in ("cold", "no-cache", "warm") and r["rss"]
        ]
        if reads:
            worst = max(reads, key=lambda r: r["rss"])
            results.append(
                {
                    "size": size,
                    "name": f"peak memory (largest: {worst['kind']} {worst['name']})",
                    "kind": "memory",
                    "median": None,
                    "cpu": None,
                    "ratio": worst["rss_ratio"],
                    "cpu_ratio": None,
                    "rss": worst["rss"],
                    "rss_ratio": worst["rss_ratio"],
                    "target": 1.2,
                    "unit": "ratio",
                }
            )
        shutil.rmtree(cache_home, ignore_errors=True)
    return results


def _ratio(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f} s" if unit == "s" else f"{value:.2f}×"


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| size | command | kind | median (s) | CPU (s) | ratio | CPU ratio | target | "
        "met | peak RSS (MiB) | RSS ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        median = "" if r["median"] is None else f"{r['median']:.3f}"
        cpu = "" if r["cpu"] is None else f"{r['cpu']:.3f}"
        unit = r["unit"]
        if r["target"] is None:
            target = met = ""
        else:
            target = {"s": f"≤ {r['target']} s", "mini": f"≤ {r['target']}× mini --help"}.get(
                unit, f"≤ {r['target']}×"
            )
            if r["ratio"] is None:
                met = "n/a"
            elif r["ratio"] <= r["target"]:
                met = "yes"
            else:
                met = f"no ({r['ratio'] / r['target']:.1f}× the target)"
        rss = "" if r["rss"] is None else f"{int(r['rss']) / 1024:.0f}"
        rss_ratio = "" if r["rss_ratio"] is None else f"{r['rss_ratio']:.2f}×"
        lines.append(
            f"| {r['size']} | `{r['name']}` | {r['kind']} | {median} | {cpu} | "
            f"{_ratio(r['ratio'], unit)} | {_ratio(r['cpu_ratio'], unit)} | {target} | {met} | "
            f"{rss} | {rss_ratio} |"
        )
    return "\n".join(lines)


def regressions(results: list[dict[str, Any]]) -> list[str]:
    """Ratios more than 50 % above their target (the noise of a shared machine is less)."""
    bad = []
    for r in results:
        if r["ratio"] is None or r["target"] is None:
            continue
        if float(r["ratio"]) > 1.5 * float(r["target"]):
            bad.append(
                f"{r['size']} {r['name']} ({r['kind']}): {_ratio(r['ratio'], r['unit'])} "
                f"> 1.5 × {r['target']}"
            )
    return bad


def write_docs(text: str) -> None:
    doc = HERE.parent / "docs" / "performance.md"
    current = (
        doc.read_text("utf-8") if doc.exists() else "<!-- bench:start -->\n<!-- bench:end -->\n"
    )
    head, _, rest = current.partition("<!-- bench:start -->")
    _, _, tail = rest.partition("<!-- bench:end -->")
    doc.write_text(f"{head}<!-- bench:start -->\n{text}\n<!-- bench:end -->{tail}", "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description="alusage-ledger benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--keep", type=Path, default=None, help="folder to keep generated workspaces"
    )
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw figures")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 on a regression (> 1.5 × target)"
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        nargs="+",
        default=None,
        help="no measure: the table of figures saved with --json (e.g. one file per size)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    import json

    if args.from_json:
        results = [r for path in args.from_json for r in json.loads(path.read_text("utf-8"))]
    else:
        results = run(args.sizes, args.repeat, args.keep)
    text = table(results)
    print(text)
    machine = f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s; {machine})")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=1), "utf-8")
    if args.write_docs:
        write_docs(text)
    bad = regressions(results)
    for line in bad:
        print("REGRESSION:", line)
    return 1 if (args.check and bad) else 0


if __name__ == "__main__":
    raise SystemExit(main())
