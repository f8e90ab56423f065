"""The comparison table of Chapter 5 (nnlib.architectures) and the shared table renderer."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pytest
from conftest import ROOT

from nnlib.architectures import (
    ARCHITECTURES,
    DATA_KINDS,
    Architecture,
    comparison_table,
    comparison_table_html,
    suggest,
)


def test_every_record_is_complete():
    for key, a in ARCHITECTURES.items():
        assert isinstance(a, Architecture) and a.name == key
        for field in ("label", "best_for", "key_idea", "applications", "notebook"):
            assert getattr(a, field).strip(), (key, field)
        assert a.strengths and a.weaknesses
        assert set(a.data) <= set(DATA_KINDS), (key, a.data)


def test_every_record_links_to_an_existing_notebook_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for a in ARCHITECTURES.values():
        assert re.search(rf"file:\s*book/{re.escape(a.notebook)}\s*$", toc, re.M), a.notebook


def test_every_kind_of_data_has_an_architecture():
    for kind in DATA_KINDS:
        assert suggest(kind), kind
    assert suggest("graph") == ["gnn"]
    assert suggest("pixels") == ["unet"]
    assert "cnn" in suggest("image") and "transformer" in suggest("sequence")


def test_comparison_table_rows():
    rows = comparison_table()
    assert [r["name"] for r in rows] == [a.label for a in ARCHITECTURES.values()]
    assert set(rows[0]) == {
        "name",
        "best_for",
        "key_idea",
        "strengths",
        "weaknesses",
        "applications",
        "notebook",
    }
    assert comparison_table("gnn")[0]["strengths"] == "; ".join(ARCHITECTURES["gnn"].strengths)
    assert [r["name"] for r in comparison_table(["unet", "mlp"])] == [
        ARCHITECTURES["unet"].label,
        ARCHITECTURES["mlp"].label,
    ]


def test_html_table_holds_every_phrase_escaped():
    table = comparison_table_html()
    assert table.startswith('<table class="nnlib-architectures"')
    assert table.count("<tr ") == len(ARCHITECTURES) + 1  # the header and one row each
    for a in ARCHITECTURES.values():
        for text in (a.label, a.best_for, a.key_idea, a.applications, *a.strengths):
            assert html.escape(text) in table, text
    assert "<script" not in table


def test_html_table_uses_the_same_layout_as_the_activation_table():
    from nnlib.activations import comparison_table_html as activation_table

    def row_style(t):
        return re.search(r'<tr style="([^"]*)"><td', t).group(1)

    assert row_style(comparison_table_html()) == row_style(activation_table())


def test_bad_names():
    with pytest.raises(ValueError, match="unknown architecture 'lstm'"):
        comparison_table(["lstm"])
    with pytest.raises(ValueError, match="unknown kind of data 'video'"):
        suggest("video")


def test_the_module_imports_no_numpy():
    code = (
        "import sys; import nnlib.architectures; "
        "print('numpy' in sys.modules, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
