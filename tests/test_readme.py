"""The README's Python examples run and say what they claim."""

from __future__ import annotations

import contextlib
import io
import re

from conftest import ROOT


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_readme_examples_run():
    blocks = python_blocks((ROOT / "README.md").read_text())
    assert blocks, "the README shows how to use nnlib"
    for block in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, "README.md", "exec"), {})
        # Every "print(...)  # VALUE..." comment states what the line prints.
        claimed = re.findall(r"print\(.*\)\s+#\s*([^:\s]+)", block)
        assert out.getvalue().split() == claimed
