"""Time alusage-ledger commands against ``bean-check`` on generated ledgers.

    python bench/run.py                 # 10k transactions, 5 runs each, prints the table
    python bench/run.py --sizes 10000 100000 --write-docs   # also rewrites docs/performance.md
    python bench/run.py --check         # exit 1 when a ratio misses its target by > 50 %

Every figure is a median of wall-clock times of a real child process, measured in the
same run as the ``bean-check`` it is compared with (``bean-check`` of every entity's
ledger, one after the other, no cache), with peak memory (max RSS) of the child. Ratios
are paired: each command's median divided by bean-check's median of the same size.
Commands that the installed version does not have are reported as "n/a".
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

BIN = Path(sys.executable).parent
ALUSAGE = [str(BIN / "alusage-ledger")]
BEAN_CHECK = str(BIN / "bean-check")
MEASURE = [sys.executable, str(HERE / "measure.py")]


@dataclass
class Row:
    name: str
    kind: str  # cold | warm | changed | startup
    argv: list[str]
    target: float | None  # ratio to bean-check (or seconds for startup, see unit)
    unit: str = "ratio"
    prepare: str | None = None  # "clear-cache" | "touch" | None


def measure(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, int]:
    """(seconds, max RSS KiB, exit code) of one child process."""
    out = subprocess.run([*MEASURE, *argv], cwd=cwd, env=env, capture_output=True, text=True)
    seconds, rss, code = out.stdout.strip().splitlines()[-1].split()
    return float(seconds), int(rss), int(code)


def bean_check_all(ws: Path, env: dict[str, str]) -> tuple[float, int]:
    total, peak = 0.0, 0
    for main in sorted((ws / "ledgers").glob("*/main.beancount")):
        seconds, rss, code = measure([BEAN_CHECK, str(main)], ws, env)
        if code != 0:
            raise SystemExit(f"bean-check failed on {main}")
        total += seconds
        peak = max(peak, rss)
    return total, peak


def rows() -> list[Row]:
    return [
        Row("check", "cold", ["check"], 0.8, prepare="clear-cache"),
        Row("revenue", "cold", ["revenue", "--entity", "alusage"], 0.8, prepare="clear-cache"),
        Row(
            "shares",
            "cold",
            ["shares", "le97", "--month", "2020-06", "--assume-zero"],
            0.8,
            prepare="clear-cache",
        ),
        Row("aged", "cold", ["aged", "--entity", "alusage"], 0.8, prepare="clear-cache"),
        Row(
            "close --dry-run", "cold", ["close", "2020-01", "--dry-run"], 1.0, prepare="clear-cache"
        ),
        Row("check", "warm", ["check"], 0.12),
        Row("revenue", "warm", ["revenue", "--entity", "alusage"], 0.12),
        Row("aged", "warm", ["aged", "--entity", "alusage"], 0.12),
        Row("--version", "startup", ["--version"], 0.15, unit="s"),
        Row("--help", "startup", ["--help"], None, unit="s"),
    ]


def run(sizes: list[int], repeat: int, keep: Path | None) -> list[dict[str, object]]:
    results: list[dict[str, object]] = []
    base = keep or Path(tempfile.mkdtemp(prefix="alusage-bench-"))
    cache = Path(tempfile.mkdtemp(prefix="alusage-bench-cache-"))
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(cache),
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
        "BEANCOUNT_DISABLE_LOAD_CACHE": "1",
    }
    for size in sizes:
        ws = base / f"ws-{size}"
        if not (ws / "alusage.toml").exists():
            generate(ws, size)
        checks = [bean_check_all(ws, env) for _ in range(repeat)]
        bc = statistics.median(c[0] for c in checks)
        bc_rss = max(c[1] for c in checks)
        results.append(
            {
                "size": size,
                "name": "bean-check (every ledger)",
                "kind": "reference",
                "median": bc,
                "ratio": 1.0,
                "rss": bc_rss,
                "target": None,
                "unit": "ratio",
            }
        )
        for row in rows():
            times, peak, code = [], 0, 0
            # warm rows: one untimed run first fills the cache
            if row.kind == "warm":
                measure([*ALUSAGE, *row.argv], ws, env)
            for _ in range(repeat):
                if row.prepare == "clear-cache":
                    shutil.rmtree(cache, ignore_errors=True)
                    cache.mkdir()
                seconds, rss, code = measure([*ALUSAGE, *row.argv], ws, env)
                if code == 2 and row.kind != "startup":
                    break
                times.append(seconds)
                peak = max(peak, rss)
            if not times:
                results.append(
                    {
                        "size": size,
                        "name": row.name,
                        "kind": row.kind,
                        "median": None,
                        "ratio": None,
                        "rss": None,
                        "target": row.target,
                        "unit": row.unit,
                    }
                )
                continue
            median = statistics.median(times)
            ratio = median / bc if row.unit == "ratio" else median
            results.append(
                {
                    "size": size,
                    "name": row.name,
                    "kind": row.kind,
                    "median": median,
                    "ratio": ratio,
                    "rss": peak,
                    "target": row.target,
                    "unit": row.unit,
                    "exit": code,
                }
            )
    return results


def table(results: list[dict[str, object]]) -> str:
    lines = [
        "| size | command | kind | median (s) | ratio to bean-check | target | peak RSS (MiB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        median = "n/a" if r["median"] is None else f"{r['median']:.3f}"
        if r["ratio"] is None:
            ratio = "n/a"
        elif r["unit"] == "s":
            ratio = f"{r['ratio']:.3f} s"
        else:
            ratio = f"{r['ratio']:.2f}×"
        target = (
            ""
            if r["target"] is None
            else (f"≤ {r['target']} s" if r["unit"] == "s" else f"≤ {r['target']}×")
        )
        rss = "" if r["rss"] is None else f"{int(r['rss']) / 1024:.0f}"
        lines.append(
            f"| {r['size']} | `{r['name']}` | {r['kind']} | {median} | {ratio} | {target} | {rss} |"
        )
    return "\n".join(lines)


def regressions(results: list[dict[str, object]]) -> list[str]:
    bad = []
    for r in results:
        if r["ratio"] is None or r["target"] is None:
            continue
        if float(r["ratio"]) > 1.5 * float(r["target"]):  # type: ignore[arg-type]
            bad.append(
                f"{r['size']} {r['name']} ({r['kind']}): {r['ratio']:.2f} > 1.5 × {r['target']}"
            )
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description="alusage-ledger benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--keep", type=Path, default=None, help="folder to keep generated workspaces"
    )
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 on a regression (> 1.5 × target)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    results = run(args.sizes, args.repeat, args.keep)
    text = table(results)
    print(text)
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")
    if args.write_docs:
        doc = HERE.parent / "docs" / "performance.md"
        current = (
            doc.read_text("utf-8") if doc.exists() else "<!-- bench:start -->\n<!-- bench:end -->\n"
        )
        head, _, rest = current.partition("<!-- bench:start -->")
        _, _, tail = rest.partition("<!-- bench:end -->")
        doc.write_text(f"{head}<!-- bench:start -->\n{text}\n<!-- bench:end -->{tail}", "utf-8")
    bad = regressions(results)
    for line in bad:
        print("REGRESSION:", line)
    return 1 if (args.check and bad) else 0


if __name__ == "__main__":
    raise SystemExit(main())
