"""Foreign single-file ledgers against ``bean-check`` (issue 24, item 4).

    python bench/foreign.py --sizes 20000 100000 --repeat 5 [--json out.json]

Ledgers nobody here wrote, in one file, with postings left without amount as hand-written
ledgers have them: ``bean-example`` output (its date range stretched to the size asked:
costs, prices, balances, pads, several currencies) and :func:`english`, a generator with
Beancount's English roots (one posting left out in most transactions, prices ``@`` and
``@@``, a second currency, monthly balance assertions). Each is made a one-entity
workspace; the rows:

- ``cold``: ``check`` with an empty cache (a new ``XDG_CACHE_HOME`` each run);
- ``after one-line edit``: ``check`` after one line of the single file changed (the file
  is parsed again, the ledger booked again), the cache filled by the previous run;
- peak memory of the cold run.

Each run of the tool is paired with a ``bean-check`` of the same file just before it
(Beancount's cache off); the ratio of a row is the median of the per-pair ratios: the
machine is shared, and pairing cancels most of its drift.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
MEASURE = [sys.executable, str(HERE / "measure.py")]
CONFIG = '[entities.x]\nname = "X"\nkind = "sas"\nledger = "ledgers/x/main.beancount"\n'
ACCOUNTS = """\
1990-01-01 open Assets:Checking USD
1990-01-01 open Assets:Savings USD
1990-01-01 open Assets:Cash
1990-01-01 open Liabilities:CreditCard USD
1990-01-01 open Liabilities:Loan USD
1990-01-01 open Income:Salary USD
1990-01-01 open Income:Interest USD
1990-01-01 open Expenses:Food:Groceries
1990-01-01 open Expenses:Food:Restaurant
1990-01-01 open Expenses:Tips
1990-01-01 open Expenses:Rent
1990-01-01 open Expenses:Travel
1990-01-01 open Expenses:Fees
1990-01-01 open Expenses:Interest
1990-01-01 open Equity:Opening-Balances
"""


def english(size: int, seed: int = 24) -> str:
    """``size`` transactions with English roots, most with one posting left out."""
    rng = random.Random(seed)
    out = ['option "title" "Generated"\noption "operating_currency" "USD"\n', ACCOUNTS]
    out.append(
        '1990-01-01 * "Opening"\n  Assets:Checking  1000.00 USD\n  Equity:Opening-Balances\n'
    )
    day = date(1990, 1, 2)
    savings = 0
    per_day = 6
    month = day.month
    for index in range(size):
        if index % per_day == 0:
            day += timedelta(days=1)
            if day.month != month:
                out.append(f"{day} balance Assets:Savings {savings / 100:.2f} USD\n")
                month = day.month
        kind = rng.randrange(10)
        cents = rng.randrange(100, 20000)
        amount = f"{cents / 100:.2f}"
        if kind == 0:
            out.append(
                f'{day} * "Employer" "Salary"\n  Income:Salary  -3000.00 USD\n  Assets:Checking\n'
            )
        elif kind in (1, 2, 3):
            out.append(
                f'{day} * "Market" "Groceries"\n  Expenses:Food:Groceries  {amount} USD\n'
                "  Liabilities:CreditCard\n"
            )
        elif kind == 4:
            tip = f"{rng.randrange(100, 900) / 100:.2f}"
            out.append(
                f'{day} * "Bistro" "Dinner"\n  Expenses:Food:Restaurant  {amount} USD\n'
                f"  Expenses:Tips  {tip} USD\n  Liabilities:CreditCard\n"
            )
        elif kind == 5:
            rate = f"1.{rng.randrange(0, 9999):04d}"
            out.append(
                f'{day} * "Hotel" "Abroad"\n  Expenses:Travel  {amount} EUR @ {rate} USD\n'
                "  Liabilities:CreditCard\n"
            )
        elif kind == 6:
            out.append(
                f'{day} * "Exchange office"\n  Assets:Cash  {amount} EUR @@ '
                f"{cents * 11 / 1000:.2f} USD\n  Assets:Checking\n"
            )
        elif kind == 7:
            savings += cents
            out.append(f'{day} * "Transfer"\n  Assets:Savings  {amount} USD\n  Assets:Checking\n')
        elif kind == 8:
            out.append(
                f'{day} * "Card" "Payment"\n  Liabilities:CreditCard  {amount} USD\n'
                f"  Assets:Checking  -{amount} USD\n"
            )
        else:
            out.append(
                f'{day} * "Landlord" "Rent"\n  Expenses:Rent  {amount} USD\n'
                "  Expenses:Fees  1.50 USD\n  Assets:Checking\n"
            )
    return "\n".join(out)


def bean_example(size: int, seed: int = 1) -> str:
    """``bean-example`` output of about ``size`` transactions (about 370 a year)."""
    years = max(1, round(size / 370))
    end = date(2026, 12, 1)
    begin = date(end.year - years, 1, 1)
    done = subprocess.run(
        [
            str(BIN / "bean-example"),
            "--seed",
            str(seed),
            "--date-begin",
            str(begin),
            "--date-end",
            str(end),
            "--date-birth",
            str(date(begin.year - 25, 1, 1)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def workspace(folder: Path, text: str) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "ledgers/x").mkdir(parents=True)
    (folder / "alusage.toml").write_text(CONFIG, "utf-8")
    (folder / "ledgers/x/main.beancount").write_text(text, "utf-8")
    return folder


def measure(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, int]:
    out = subprocess.run([*MEASURE, *argv], cwd=cwd, env=env, capture_output=True, text=True)
    wall, cpu, rss, code = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu), int(rss), int(code)


def one_line_edit(main: Path, counter: int) -> None:
    """Change one line of the single file: the title option, rewritten in place."""
    text = main.read_text("utf-8")
    _first, rest = text.split("\n", 1)
    main.write_text(f'option "title" "Edited {counter}"\n' + rest, "utf-8")


def run(name: str, text: str, repeat: int, base: Path) -> dict[str, Any]:
    ws = workspace(base / name, text)
    main = ws / "ledgers/x/main.beancount"
    if not text.startswith('option "title"'):
        main.write_text('option "title" "Foreign"\n' + text, "utf-8")
    env_base = {k: v for k, v in __import__("os").environ.items() if not k.startswith("ALUSAGE")}
    env_base.update({"BEANCOUNT_DISABLE_LOAD_CACHE": "1", "ALUSAGE_LANG": "en"})
    tool = [str(BIN / "alusage-ledger"), "check"]
    bean = [str(BIN / "bean-check"), str(main)]
    pairs: dict[str, list[tuple[Any, ...]]] = {"cold": [], "edit": []}
    codes = set()
    for index in range(repeat):
        cache = Path(tempfile.mkdtemp(prefix="alusage-foreign-"))
        env = {**env_base, "XDG_CACHE_HOME": str(cache)}
        b = measure(bean, ws, env)
        t = measure(tool, ws, env)
        pairs["cold"].append((b, t))
        codes.add((b[3], t[3]))
        subprocess.run(tool, cwd=ws, env={**env, "ALUSAGE_CACHE_SYNC": "1"}, capture_output=True)
        one_line_edit(main, index)
        b = measure(bean, ws, env)
        t = measure(tool, ws, env)
        pairs["edit"].append((b, t))
        shutil.rmtree(cache, ignore_errors=True)
    transactions = sum(
        1
        for line in main.read_text("utf-8").splitlines()
        if len(line) > 11 and line[10:13] in (" * ", " ! ", " tx")
    )
    result: dict[str, Any] = {
        "ledger": name,
        "transactions": transactions,
        "runs": repeat,
        "exit codes (bean-check, tool)": sorted(codes),
    }
    for kind, got in pairs.items():
        result[kind] = {
            "bean-check s": statistics.median(b[0] for b, _ in got),
            "tool s": statistics.median(t[0] for _, t in got),
            "ratio": statistics.median(t[0] / b[0] for b, t in got),
            "cpu ratio": statistics.median(t[1] / b[1] for b, t in got),
            "ratios": [round(t[0] / b[0], 3) for b, t in got],
        }
    got = pairs["cold"]
    result["memory"] = {
        "bean-check MiB": statistics.median(b[2] for b, _ in got) / 1024,
        "tool MiB": statistics.median(t[2] for _, t in got) / 1024,
        "ratio": statistics.median(t[2] / b[2] for b, t in got),
    }
    return result


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| ledger | transactions | row | bean-check (s) | check (s) | ratio (median of pairs) "
        "| CPU ratio | range of the pairs | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for kind, target in (("cold", "≤ 0.8×"), ("edit", "≤ 0.6×")):
            row = r[kind]
            label = "cold `check`" if kind == "cold" else "`check` after a one-line edit"
            lines.append(
                f"| {r['ledger']} | {r['transactions']} | {label} | {row['bean-check s']:.2f} "
                f"| {row['tool s']:.2f} | {row['ratio']:.2f}× | {row['cpu ratio']:.2f}× "
                f"| {min(row['ratios']):.2f}–{max(row['ratios']):.2f}× | {target} |"
            )
        mem = r["memory"]
        lines.append(
            f"| {r['ledger']} | {r['transactions']} | peak memory (cold) "
            f"| {mem['bean-check MiB']:.0f} MiB | {mem['tool MiB']:.0f} MiB | {mem['ratio']:.2f}× "
            "|  |  | ≤ 1.2× |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--kinds", nargs="+", default=["english", "bean-example"])
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--example-file",
        type=Path,
        nargs="*",
        default=[],
        help="bean-example outputs already made (SIZE=PATH)",
    )
    args = parser.parse_args()
    made = {int(k): Path(v) for k, v in (item.split("=") for item in map(str, args.example_file))}
    base = args.keep or Path(tempfile.mkdtemp(prefix="alusage-foreign-"))
    base.mkdir(parents=True, exist_ok=True)
    results = []
    for size in args.sizes:
        for kind in args.kinds:
            if kind == "english":
                text = english(size)
            else:
                text = made[size].read_text("utf-8") if size in made else bean_example(size)
            results.append(run(f"{kind} {size // 1000}k", text, args.repeat, base))
            print(table(results[-1:]).splitlines()[-3:][0], flush=True)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
