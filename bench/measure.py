"""Run one command and print ``seconds cpu_seconds max_rss_kib exit_code`` (for run.py).

``seconds`` is the wall-clock time, ``cpu_seconds`` the user + system time of the command
and of every process it waited for, ``max_rss_kib`` the largest resident set among them.
A process the command detached and did not wait for (the cache writer) is in neither.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time

start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{elapsed:.4f} {usage.ru_utime + usage.ru_stime:.4f} {usage.ru_maxrss} {code}")
