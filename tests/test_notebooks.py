"""Conventions every notebook of the book follows (DESIGN.md, "Notebooks")."""

from __future__ import annotations

import re

import nbformat
import nbtools
import pytest
from conftest import ROOT

NOTEBOOKS = sorted(
    p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
)
IDS = [str(p.relative_to(ROOT / "book")) for p in NOTEBOOKS]
TOC_FILES = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text())


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_cell_is_the_generated_guard(path):
    nb = nbformat.read(path, as_version=4)
    first = code_cells(nb)[0]
    assert nb.cells[0] is first, "the guard must be the very first cell"
    assert first.source == nbtools.guard_source(path), "run `python tools/nbtools.py guard`"
    assert first.metadata.get("tags") == ["remove-cell"]
    assert first.outputs == [], "the guard prints nothing where nnlib is installed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_stored_in_order_without_errors(path):
    nb = nbformat.read(path, as_version=4)
    cells = code_cells(nb)
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), "run `make execute` (fresh kernel, in order)"
    assert sum(bool(c.outputs) for c in cells) >= len(cells) // 3, "outputs look missing"
    for i, cell in enumerate(cells, 1):
        tags = cell.metadata.get("tags", [])
        for out in cell.outputs:
            if out.output_type == "error":
                assert "raises-exception" in tags, f"cell {i} stored an error: {out.ename}"
            if out.get("name") == "stderr":
                assert "Warning" not in out.text, f"cell {i} prints a warning: {out.text[:200]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_in_table_of_contents(path):
    assert str(path.relative_to(ROOT).with_suffix("")) in TOC_FILES


@pytest.mark.parametrize("entry", TOC_FILES)
def test_toc_entries_exist(entry):
    assert any((ROOT / f"{entry}{ext}").exists() for ext in (".md", ".ipynb")), entry


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chapter_notebook_shape(path):
    if not re.match(r"\d\d_", path.parent.name):
        pytest.skip("not a chapter notebook")
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.match(r"\s*# ", nb.cells[1].source), "the first visible cell is the H1 title"
    assert re.search(r"^#+\s*Exercises", markdown, re.M), "an Exercises section"
    assert re.search(r"^#+\s*Key takeaways", markdown, re.M), "a Key takeaways section"
    assert "{cite" in markdown, "at least one citation"
    code = "\n".join(c.source for c in code_cells(nb)[1:])
    assert "nnlib" in code, "the notebook uses nnlib"
    assert re.search(r"^\s*assert ", code, re.M), "at least one asserted claim"
    assert "check(" in code, "exercises use the checkers"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chapter_notebook_has_enough_substance(path):
    """Every chapter notebook: 600 words of prose, 2 asserted claims, 2 exercises, a figure."""
    if not re.match(r"\d\d_", path.parent.name):
        pytest.skip("not a chapter notebook")
    found = nbtools.stats(path)
    wanted = {"words": 600, "asserts": 2, "exercises": 2, "figures": 1}
    short = {k: f"{found[k]} < {v}" for k, v in wanted.items() if found[k] < v}
    assert not short, f"too little: {short}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_control_characters_in_sources(path):
    """A backslash sequence such as ``\\b`` or ``\\t`` written through a non-raw string turns
    into a control character and breaks the maths around it."""
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        bad = sorted({f"{ord(ch):#04x}" for ch in cell.source if ord(ch) < 32 and ch != "\n"})
        assert not bad, f"cell {i} holds control characters {bad}"


#: The longest code line that fits the book's content column at the code font of
#: book/_static/nnbook.css (the browser test checks the rendered pages themselves).
MAX_CODE_LINE = 86


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_code_lines_fit_the_page(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "remove-cell" in cell.metadata.get("tags", []):
            continue
        long = [line for line in cell.source.splitlines() if len(line) > MAX_CODE_LINE]
        assert not long, f"cell {i}: lines over {MAX_CODE_LINE} characters: {long}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_figures_are_stored_sharp(path):
    """Stored figures come from `nbtools.py execute` (tools/sharp_figures.py): rendered at
    1.5 times their dpi and shown at their own size, so they stay crisp on high-DPI screens."""
    import base64
    import struct

    import sharp_figures

    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" not in data:
                continue
            png = base64.b64decode(data["image/png"])
            width = struct.unpack(">I", png[16:20])[0]
            shown = output.get("metadata", {}).get("image/png", {}).get("width")
            assert shown, f"cell {index}: a figure without its display size; re-run nbtools execute"
            assert abs(width / shown - sharp_figures.SCALE) < 0.02, (
                f"cell {index}: figure rendered at {width / shown:.2f}x its display size"
            )
