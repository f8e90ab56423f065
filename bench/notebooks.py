"""Execute every notebook of the book in a fresh kernel and print its wall time and the total.

    python bench/notebooks.py            # all notebooks, in table-of-contents order
    python bench/notebooks.py NB [NB ...]

Nothing is written back: the notebooks on disk are unchanged. The budget in DESIGN.md is
60 s per notebook and 10 minutes for the book on a 2-core laptop. The budget is judged on
the kernel's CPU seconds (user + system, children included), which other work on the machine
does not inflate the way it inflates wall time; the third column says how far each notebook
is within its budget.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import nbtools  # noqa: E402

BUDGET_S = 60.0


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or nbtools.all_notebooks()
    total = total_cpu = 0.0
    print(f"{'wall s':>8}  {'CPU s':>7}  {'of budget':>9}  notebook")
    for path in paths:
        timing = nbtools.execute(path, write=False)
        cpu = timing.wall_s if timing.cpu_s is None else timing.cpu_s
        total, total_cpu = total + timing.wall_s, total_cpu + cpu
        rel = path.relative_to(nbtools.ROOT)
        print(f"{timing.wall_s:8.1f}  {cpu:7.1f}  {cpu / BUDGET_S:9.0%}  {rel}", flush=True)
    print(
        f"{total:8.1f}  {total_cpu:7.1f}  {total_cpu / 600:9.0%}  "
        f"total ({len(paths)} notebooks; book budget 600 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
