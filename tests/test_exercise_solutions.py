"""Every exercise has a reference solution that passes its checker, shown (never run) in its
notebook.

The design (DESIGN.md, "Exercises with checkers"): the reader's stub, a ``check`` call, then a
markdown cell with the collapsed reference solution, generated from the one registered in
``nnlib.exercises`` by ``tools/nbtools.py solutions``. "Run all" therefore never replaces the
reader's answer, and these tests prove that what the notebook shows is accepted.
"""

from __future__ import annotations

import pkgutil
import re

import nbformat
import nbtools
import pytest
from conftest import ROOT

import nnlib.exercises as ex

CHAPTERS = sorted(
    info.name for info in pkgutil.iter_modules(ex.__path__) if re.fullmatch(r"ch\d\d", info.name)
)
EXERCISES = sorted(i for chapter in CHAPTERS for i in ex.registered(chapter))
NOTEBOOKS = sorted(
    p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
)
NB_IDS = [str(p.relative_to(ROOT / "book")) for p in NOTEBOOKS]
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](ch\d\d\.[\w.]+)["']""")
CHECK_WITH_NAME = re.compile(r"""\bcheck\(\s*["'](ch\d\d\.[\w.]+)["']\s*,\s*([A-Za-z_]\w*)\s*\)""")


def test_there_are_exercises():
    assert len(EXERCISES) >= 10


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_reference_solution_passes(exercise_id):
    verdict = ex.evaluate(exercise_id, ex.reference_solution(exercise_id))
    assert verdict.passed, str(verdict)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_show_solution_prints_plain_code(exercise_id, capsys):
    ex.show_solution(exercise_id)
    text = capsys.readouterr().out
    assert not text.lstrip().startswith("@"), "the decorator is not part of the solution"
    compile(text, exercise_id, "exec")  # valid Python on its own


def test_unknown_solution_is_a_clear_error():
    with pytest.raises(ValueError, match="no registered reference solution"):
        ex.solution_source("ch01.no_such_exercise")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_each_check_has_one_call_and_a_generated_solution_cell(path):
    nb = nbformat.read(path, as_version=4)
    calls = [
        m.group(1) for c in nb.cells if c.cell_type == "code" for m in CHECK_CALL.finditer(c.source)
    ]
    if not calls:
        pytest.skip("no exercises in this notebook")
    assert len(calls) == len(set(calls)), (
        f"an exercise is checked twice ({sorted(calls)}): the solution belongs in a collapsed "
        "markdown cell, not in a code cell that 'Run all' would execute"
    )
    shown = {}
    for cell in nb.cells:
        match = nbtools.SOLUTION_MARKER.match(cell.source) if cell.cell_type == "markdown" else None
        if match:
            shown[match.group(1)] = cell.source
    for exercise_id in calls:
        assert exercise_id in shown, (
            f"{exercise_id}: add a markdown cell '<!-- solution: {exercise_id} -->' after its "
            "check and run `python tools/nbtools.py solutions`"
        )
        assert shown[exercise_id] == nbtools.solution_markdown(exercise_id), (
            f"{exercise_id}: the solution cell is stale; run `python tools/nbtools.py solutions`"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NB_IDS)
def test_solution_defines_the_stubs_name(path):
    """Pasting the shown solution must replace the reader's stub, not define another name."""
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    pairs = CHECK_WITH_NAME.findall(code)
    if not pairs:
        pytest.skip("no exercises checking a named function")
    for exercise_id, name in pairs:
        if not re.search(rf"^def {name}\(", code, re.M):
            continue  # the reader checks a value or an object, not a function they define
        solution = ex.reference_solution(exercise_id)
        assert getattr(solution, "__name__", name) == name, (
            f"{exercise_id}: the notebook's stub is {name}, the solution defines "
            f"{solution.__name__}"
        )
