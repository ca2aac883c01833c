"""Time the load and each ``check`` rule on a workspace (where does ``check`` spend?).

    python bench/rules.py /tmp/bench-10k            # CPU seconds per rule, slowest first

Rules are called the way ``checks.run_checks`` calls them, one entity after the other;
each figure is the CPU time of consuming the rule's problems.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()

    from alusage_ledger.books import checks
    from alusage_ledger.books.ledger import Workspace

    started = time.process_time()
    checks._load_rules()
    timings: dict[str, float] = {"(import rule modules)": time.process_time() - started}
    gc.disable()  # as run_checks runs the rules
    ws = Workspace.open(args.workspace)
    loaded = {}
    for entity in ws.config.entities:
        started = time.process_time()
        ledger = ws.load(entity)
        timings[f"(load {entity})"] = time.process_time() - started
        loaded[entity] = ledger
        for rule in [*checks.ENTITY_RULES, *checks.PARSED_RULES]:
            started = time.process_time()
            list(rule(ws, ledger))
            name = f"{rule.__module__.rsplit('.', 1)[-1]}.{rule.__name__}"
            timings[name] = timings.get(name, 0.0) + time.process_time() - started
    for wrule in checks.WORKSPACE_RULES:
        started = time.process_time()
        list(wrule(ws, loaded))
        name = f"{wrule.__module__.rsplit('.', 1)[-1]}.{wrule.__name__} (workspace)"
        timings[name] = time.process_time() - started
    total = sum(timings.values())
    print(f"{'what':60} {'CPU s':>7}")
    for name, seconds in sorted(timings.items(), key=lambda item: -item[1])[: args.top]:
        print(f"{name:60} {seconds:7.3f}")
    print(f"{'total':60} {total:7.3f}")


if __name__ == "__main__":
    main()
