"""Execute every notebook of the book in a fresh kernel and print its wall time and the total.

    python bench/notebooks.py            # all notebooks, in table-of-contents order
    python bench/notebooks.py NB [NB ...]

Nothing is written back: the notebooks on disk are unchanged. The budget in DESIGN.md is
60 s per notebook and 10 minutes for the book on a 2-core laptop; the last column says
how far each notebook is within its budget.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import nbtools  # noqa: E402

BUDGET_S = 60.0


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or nbtools.all_notebooks()
    total = 0.0
    print(f"{'seconds':>8}  {'of budget':>9}  notebook")
    for path in paths:
        seconds = nbtools.execute(path, write=False)
        total += seconds
        rel = path.relative_to(nbtools.ROOT)
        print(f"{seconds:8.1f}  {seconds / BUDGET_S:9.0%}  {rel}", flush=True)
    print(f"{total:8.1f}  {total / 600:9.0%}  total ({len(paths)} notebooks; book budget 600 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
