"""Stored notebook outputs are fit to publish: no errors, no paths, no memory addresses.

The book shows the outputs committed in the notebooks. This test fails on an error output
(unless its cell is tagged ``raises-exception``, the way to show an error on purpose) and on
any output text (stdout, stderr, plain text, HTML, Markdown, LaTeX, tracebacks, and the
outputs stored inside saved widgets) that leaks an absolute path of the machine that ran the
notebook or a memory address, which would differ on every run and every reader's machine.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT

NOTEBOOKS = sorted(
    p
    for p in (ROOT / "book").rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts and "_build" not in p.parts
)

LEAKS = [
    (re.compile(r"/tmp/"), "a temporary path (/tmp/)"),
    (re.compile(r"/home/"), "a home directory path (/home/)"),
    (re.compile(r"/root/"), "root's home directory (/root/)"),
    (re.compile(r"/work/"), "the build machine's work tree (/work/)"),
    (re.compile(r"/Users/"), "a home directory path (/Users/)"),
    (re.compile(r"site-packages"), "an installation path (site-packages)"),
    (re.compile(r"\b0x[0-9a-fA-F]{6,}"), "a memory address (0x...)"),
]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def output_texts(output: dict) -> list[tuple[str, str]]:
    """(kind, text) for every textual part of one output."""
    kind = output.get("output_type")
    if kind == "stream":
        return [(output.get("name", "stream"), _text(output.get("text", "")))]
    if kind == "error":
        parts = [f"{output.get('ename', '')}: {output.get('evalue', '')}"]
        parts += [ANSI.sub("", line) for line in output.get("traceback", [])]
        return [("traceback", "\n".join(parts))]
    texts = []
    for mime, value in (output.get("data") or {}).items():
        if mime.startswith("text/"):
            texts.append((mime, _text(value)))
    return texts


def widget_texts(notebook: dict) -> list[tuple[str, str]]:
    """Output texts stored in saved widget state (an Output widget's captured outputs)."""
    state = (
        notebook.get("metadata", {})
        .get("widgets", {})
        .get("application/vnd.jupyter.widget-state+json", {})
        .get("state", {})
    )
    texts = []
    for model_id, model in state.items():
        for output in model.get("state", {}).get("outputs", []) or []:
            texts += [(f"widget {model_id} {k}", t) for k, t in output_texts(output)]
    return texts


def problems(path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        where = f"cell {index}"
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and "raises-exception" not in tags:
                found.append(
                    f"{where}: error output {output.get('ename')}: "
                    f"{str(output.get('evalue'))[:120]} (fix the cell, or tag it "
                    "raises-exception if the error is the point)"
                )
            for kind, text in output_texts(output):
                found += _leaks(f"{where} ({kind})", text)
    for kind, text in widget_texts(notebook):
        found += _leaks(kind, text)
    return found


def _leaks(where: str, text: str) -> list[str]:
    out = []
    for pattern, what in LEAKS:
        match = pattern.search(text)
        if match:
            start = max(match.start() - 40, 0)
            snippet = text[start : match.end() + 40].replace("\n", " ")
            out.append(f"{where}: leaks {what}: ...{snippet}...")
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_outputs_are_clean(path):
    found = problems(path)
    assert not found, f"{path.relative_to(ROOT)}:\n  " + "\n  ".join(found)


def test_the_checks_catch_what_they_should():
    error = {"output_type": "error", "ename": "ValueError", "evalue": "x", "traceback": []}
    leak = {"output_type": "stream", "name": "stderr", "text": "File /tmp/ipykernel_1/2.py"}
    address = {"output_type": "execute_result", "data": {"text/plain": "<obj at 0x7f3a2b1c>"}}
    fine = {"output_type": "execute_result", "data": {"text/plain": "<Figure 640x480>"}}
    assert output_texts(error) and _leaks("e", output_texts(leak)[0][1])
    assert _leaks("a", output_texts(address)[0][1])
    assert not _leaks("f", output_texts(fine)[0][1])
