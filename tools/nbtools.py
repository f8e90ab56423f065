"""Maintenance of the book's notebooks: the guard cell, execution in place, timings.

    python tools/nbtools.py guard              # write the install guard into every notebook
    python tools/nbtools.py solutions          # fill in the collapsed exercise solutions
    python tools/nbtools.py execute [NB ...]   # run notebooks in place (all by default)
    python tools/nbtools.py list               # the notebooks, in table-of-contents order
    python tools/nbtools.py stats [NB ...]     # words, asserts, exercises, figures per notebook

The guard cell is generated from ``repository.url`` in ``_config.yml``: that is the one place
the repository address lives. Each exercise's solution cell is a markdown cell that starts
with ``<!-- solution: chNN.name -->``; the rest of it is generated from the reference solution
registered in ``nnlib.exercises`` (so the notebook never runs it, and it cannot drift from
the one the tests check). ``make execute`` runs ``guard``, ``solutions`` and ``execute``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from typing import NamedTuple

import nbformat

ROOT = Path(__file__).resolve().parent.parent
GUARD_TAGS = ["remove-cell"]
TIMEOUT_S = 300


def repository_url() -> str:
    """Read ``repository.url`` from _config.yml (a plain line scan: no YAML dependency)."""
    text = (ROOT / "_config.yml").read_text()
    match = re.search(r"^repository:\s*\n(?:\s+.*\n)*?\s+url:\s*(\S+)", text, re.M)
    if not match:
        raise SystemExit("_config.yml has no repository.url")
    return match.group(1)


#: What a notebook's imports need beyond nnlib's core: the nnlib extra that brings a package
#: (by import name), or, for a package nnlib itself never imports, its name on PyPI.
NNLIB_EXTRAS = {
    "torch": "torch",
    "nnlib.torch": "torch",
    "sklearn": "data",
    "nnlib.data": "data",
    "tqdm": "progress",
    "ipywidgets": "widgets",
    "nnlib.widgets": "widgets",
}
OTHER_PACKAGES = {
    "networkx": "networkx",
    "PIL": "pillow",
    "scipy": "scipy",
    "torchvision": "torchvision",
    "gymnasium": "gymnasium",
    "captum": "captum",
    "pandas": "pandas",
    "vega_datasets": "vega_datasets",
}
IMPORT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_][\w.]*)", re.M)
FROM_IMPORT = re.compile(r"^\s*from\s+([A-Za-z_][\w.]*)\s+import\s+\(?([\w\s,]+)", re.M)


def notebook_needs(path: Path | None) -> tuple[list[str], list[str]]:
    """The nnlib extras and the other packages that the code of notebook ``path`` imports."""
    if path is None:
        return [], []
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells[1:] if c.cell_type == "code")
    extras, others = set(), set()
    names = IMPORT.findall(code)  # "import a.b" and "from a.b import c" give "a.b" ...
    for package, imported in FROM_IMPORT.findall(code):  # ... and "a.b.c" too
        names += [f"{package}.{n.strip()}" for n in imported.split(",") if n.strip()]
    for name in names:
        for prefix, extra in NNLIB_EXTRAS.items():
            if name == prefix or name.startswith(prefix + "."):
                extras.add(extra)
        top = name.split(".")[0]
        if top in OTHER_PACKAGES:
            others.add(OTHER_PACKAGES[top])
    if "load_sample_image" in code:  # scikit-learn reads its sample photographs with pillow
        others.add("pillow")
    if "torch" in extras:
        extras.add("progress")  # nnlib.torch.train's progress bar
    return sorted(extras), sorted(others)


def guard_source(path: Path | None = None) -> str:
    """The first cell of notebook ``path``: install nnlib where it is missing (Colab, Binder).

    It installs the nnlib extras and the other packages the notebook imports (Colab already
    has most of them, so pip only adds what is missing).
    """
    extras, others = notebook_needs(path)
    spec = f"nnlib[{','.join(extras)}]" if extras else "nnlib"
    tail = "".join(f" {name}" for name in others)
    return (
        "# Installs nnlib where it is missing (Colab, a bare Binder); prints nothing otherwise.\n"
        "try:\n"
        "    import nnlib\n"
        "except ImportError:\n"
        f'    %pip install -q "{spec} @ git+{repository_url()}"{tail}'
    )


SOLUTION_MARKER = re.compile(r"\A<!-- solution: (\S+) -->")


def solution_markdown(exercise_id: str) -> str:
    """The markdown cell that shows the reference solution of ``exercise_id``, collapsed.

    A ``<details>`` block: collapsed in Jupyter, Colab and the HTML book alike, and never
    executed, so "Run all" cannot overwrite the reader's own answer.
    """
    from nnlib.exercises import solution_source

    code = solution_source(exercise_id).rstrip()
    return (
        f"<!-- solution: {exercise_id} -->\n"
        "<details>\n"
        "<summary>Solution (try it yourself first)</summary>\n\n"
        "One way to write it; yours may differ and still pass. In a notebook, "
        f'`nnlib.exercises.show_solution("{exercise_id}")` prints it.\n\n'
        f"```python\n{code}\n```\n\n"
        "</details>"
    )


def ensure_solutions(path: Path) -> bool:
    """Regenerate every solution cell of ``path`` from its marker; return True if any changed."""
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        match = SOLUTION_MARKER.match(cell.source) if cell.cell_type == "markdown" else None
        if match:
            text = solution_markdown(match.group(1))
            if cell.source != text:
                cell.source = text
                changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


def toc_notebooks() -> list[Path]:
    """Notebooks named in _toc.yml, in reading order."""
    files = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text())
    return [ROOT / f"{f}.ipynb" for f in files if (ROOT / f"{f}.ipynb").exists()]


def all_notebooks() -> list[Path]:
    """Every notebook under book/ (table-of-contents order first, then any others)."""
    in_toc = toc_notebooks()
    rest = sorted(
        p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )
    return in_toc + [p for p in rest if p not in in_toc]


def ensure_guard(path: Path) -> bool:
    """Make the first cell of ``path`` the current guard cell; return True if it changed."""
    nb = nbformat.read(path, as_version=4)
    src = guard_source(path)
    cells = nb.cells
    is_guard = bool(cells) and cells[0].cell_type == "code" and "import nnlib" in cells[0].source
    is_guard = is_guard and "ImportError" in cells[0].source
    if is_guard and cells[0].source == src and cells[0].metadata.get("tags") == GUARD_TAGS:
        return False
    if is_guard:
        cells[0].source = src
        cells[0].metadata["tags"] = list(GUARD_TAGS)
    else:
        cell = nbformat.v4.new_code_cell(src, metadata={"tags": list(GUARD_TAGS)})
        cells.insert(0, cell)
    nbformat.write(nb, path)
    return True


#: Run in each kernel before the notebook's first cell (invisible in the notebook): store
#: figures at 150 dpi, shown at their usual size (see tools/sharp_figures.py).
_SHARP = ROOT / "tools" / "sharp_figures.py"
SHARP_FIGURES = [f"__import__('runpy').run_path({str(_SHARP)!r})['install']()"]


class Timing(NamedTuple):
    """How long a notebook took: wall seconds, and the CPU seconds its kernel used."""

    wall_s: float
    cpu_s: float | None  # user + system of the kernel and the children it waited for


def _kernel_cpu_s(client) -> float | None:
    try:
        import psutil

        times = psutil.Process(client.km.provisioner.process.pid).cpu_times()
    except Exception:  # no psutil, or a kernel that is not a local process
        return None
    return times.user + times.system + times.children_user + times.children_system


def execute(path: Path, write: bool = True) -> Timing:
    """Run ``path`` top to bottom in a fresh kernel; store outputs and widget state.

    Returns the wall time and the kernel's CPU time (the figure the 60 s budget is about,
    since the wall time grows with whatever else the machine runs). Raises if a cell fails
    (unless tagged ``raises-exception``).
    """
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    cpu: list[float | None] = [None]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        extra_arguments=[f"--IPKernelApp.exec_lines={SHARP_FIGURES!r}"],
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
        on_cell_executed=lambda **_: cpu.append(_kernel_cpu_s(client)),
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nb.metadata.pop("papermill", None)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    nb.metadata.setdefault("language_info", {}).pop("version", None)
    if write:
        nbformat.write(nb, path)
    return Timing(elapsed, cpu[-1])


CODE_FENCE = re.compile(r"```.*?```", re.S)
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](ch\d\d\.[\w.]+)["']""")


def stats(path: Path) -> dict[str, int]:
    """What a notebook holds: prose words, asserts, exercises (checks) and stored figures.

    Words count the markdown prose, without code blocks and without the generated solution
    cells; asserts count ``assert`` statements in code cells.
    """
    nb = nbformat.read(path, as_version=4)
    words = asserts = figures = 0
    exercises: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not SOLUTION_MARKER.match(cell.source):
            words += len(re.findall(r"[A-Za-z][A-Za-z'-]*", CODE_FENCE.sub(" ", cell.source)))
        elif cell.cell_type == "code":
            asserts += len(re.findall(r"^\s*assert\b", cell.source, re.M))
            exercises.update(CHECK_CALL.findall(cell.source))
            figures += sum("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
    return {"words": words, "asserts": asserts, "exercises": len(exercises), "figures": figures}


def _paths(args: list[str]) -> list[Path]:
    return [Path(a).resolve() for a in args] if args else all_notebooks()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["guard", "solutions", "execute", "list", "stats"])
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if args.command == "list":
        for p in _paths(args.notebooks):
            print(p.relative_to(ROOT))
        return 0
    if args.command == "stats":
        print("| notebook | words | asserts | exercises | figures |\n|---|---|---|---|---|")
        for p in _paths(args.notebooks):
            row = stats(p)
            print(
                f"| {p.relative_to(ROOT / 'book').with_suffix('')} | "
                + " | ".join(str(v) for v in row.values())
                + " |"
            )
        return 0
    if args.command == "guard":
        changed = [p for p in _paths(args.notebooks) if ensure_guard(p)]
        print(f"guard: {len(changed)} notebook(s) updated")
        return 0
    if args.command == "solutions":
        changed = [p for p in _paths(args.notebooks) if ensure_solutions(p)]
        print(f"solutions: {len(changed)} notebook(s) updated")
        return 0
    total = 0.0
    for p in _paths(args.notebooks):
        ensure_guard(p)
        ensure_solutions(p)
        t = execute(p)
        total += t.wall_s
        cpu = "" if t.cpu_s is None else f" ({t.cpu_s:.1f} s CPU)"
        print(f"{t.wall_s:6.1f} s  {p.relative_to(ROOT)}{cpu}", flush=True)
    print(f"{total:6.1f} s  total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
