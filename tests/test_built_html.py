"""Checks of the built book in _build/html (run by `make test` after the build)."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

pytestmark = pytest.mark.html
HTML = ROOT / "_build" / "html"
TOC_FILES = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text())


@pytest.fixture(scope="module", autouse=True)
def built():
    if not (HTML / "index.html").exists():
        pytest.fail("no _build/html/index.html: run `make build` first")


@pytest.mark.parametrize("entry", TOC_FILES)
def test_every_toc_page_is_built(entry):
    page = HTML / f"{entry}.html"
    assert page.exists(), page
    assert "<h1" in page.read_text(encoding="utf-8")
