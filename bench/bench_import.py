"""How long ``import nnlib`` takes on top of numpy and matplotlib, in fresh interpreters.

Each run starts a new Python, imports numpy and matplotlib (the baseline every notebook
pays anyway), then ``nnlib``, timing each part inside the process. The numbers are the
medians over several runs. Also timed: the numpy network stack of Chapter 4 (``layers``,
``losses``, ``optim``, ``init``, ``schedules``), which ``import nnlib`` loads lazily.

Prints the times; asserts nothing. Goal: ``import nnlib`` adds at most 0.15 s.

    .venv/bin/python bench/bench_import.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, time
t0 = time.perf_counter()
import numpy, matplotlib
t1 = time.perf_counter()
import nnlib
t2 = time.perf_counter()
import nnlib.layers, nnlib.losses, nnlib.optim, nnlib.init, nnlib.schedules
t3 = time.perf_counter()
import sys
print(json.dumps({"baseline": t1 - t0, "nnlib": t2 - t1, "stack": t3 - t2,
                  "torch": "torch" in sys.modules}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters (default 7)")
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout))
    med = {k: statistics.median(r[k] for r in runs) for k in ("baseline", "nnlib", "stack")}
    ms = {k: f"{v * 1e3:6.1f} ms" for k, v in med.items()}
    print(f"import time, median of {args.runs} fresh interpreters")
    print(f"  numpy + matplotlib (baseline)              {ms['baseline']}")
    print(f"  import nnlib, on top of the baseline       {ms['nnlib']}  (goal <= 150 ms)")
    print(f"  + layers, losses, optim, init, schedules   {ms['stack']}")
    print(f"  torch imported: {any(r['torch'] for r in runs)}")


if __name__ == "__main__":
    main()
