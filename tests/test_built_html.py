"""Checks of the built book in _build/html (run by `make test` after the build).

Static checks, no browser needed: every page of the table of contents is built; every
script, style sheet, image and font a page loads is a local file (the book works offline);
MathJax, require.js and the widget embed bundle are the vendored copies; no MyST or Sphinx
role is left unrendered in the text. tests/test_html_browser.py then opens each page in
Chromium, and tests/test_html_links.py follows every internal link.
"""

from __future__ import annotations

import html.parser
import re
from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.html
HTML = ROOT / "_build" / "html"
TOC_FILES = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text())
VENDOR = {
    "MathJax": "_static/vendor/mathjax/tex-mml-chtml.js",
    "require.js": "_static/vendor/requirejs/require.js",
    "widget embed bundle": "_static/vendor/html-manager/embed-amd.js",
}
# Raw role syntax that should have become a link: `{cite}`x``, `:doc:`x``, ...
UNRENDERED = re.compile(
    r"\{(cite|term|doc|ref|numref|eq|func|class|mod)(:[a-z]+)?\}`|:(doc|ref|func|class|meth|mod|term|cite|attr|obj|data):`"
)


@pytest.fixture(scope="module", autouse=True)
def built():
    if not (HTML / "index.html").exists():
        pytest.fail("no _build/html/index.html: run `make build` first")


@pytest.mark.parametrize("entry", TOC_FILES)
def test_every_toc_page_is_built(entry):
    page = HTML / f"{entry}.html"
    assert page.exists(), page
    assert "<h1" in page.read_text(encoding="utf-8")


class _Assets(html.parser.HTMLParser):
    """What a page loads (scripts, style sheets, images, preloads) and its visible text."""

    SKIP_TEXT = {"script", "style", "pre", "code", "kbd", "samp", "textarea"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.loads: list[str] = []
        self.text: list[str] = []
        self.has_math = False
        self.has_widgets = False
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.SKIP_TEXT:
            self._skip += 1
        if "math" in (a.get("class") or "").split():
            self.has_math = True
        if tag == "script" and a.get("type") == "application/vnd.jupyter.widget-state+json":
            self.has_widgets = True
        if tag in {"script", "img", "iframe", "source", "audio", "video", "embed"} and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").lower()
            if {"stylesheet", "preload", "icon", "modulepreload"} & set(rel.split()):
                self.loads.append(a["href"])

    def handle_endtag(self, tag):
        if tag in self.SKIP_TEXT and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


@cache
def assets(path: Path) -> _Assets:
    parser = _Assets()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def book_pages() -> list[Path]:
    return sorted(
        p for p in HTML.rglob("*.html") if p.relative_to(HTML).parts[0] not in {"_static"}
    )


def test_vendored_assets_are_in_the_build():
    missing = [f"{name}: {path}" for name, path in VENDOR.items() if not (HTML / path).is_file()]
    assert not missing, f"not in _build/html: {missing} (see book/_ext/offline_assets.py)"
    fonts = list((HTML / "_static" / "vendor" / "mathjax" / "output" / "chtml").rglob("*.woff"))
    assert fonts, "MathJax's CHTML fonts are missing"


def test_pages_load_only_local_files():
    foreign = []
    for page in book_pages():
        for url in assets(page).loads:
            if re.match(r"^([a-z][a-z0-9+.-]*:|//)", url, re.I) and not url.startswith("data:"):
                foreign.append(f"{page.relative_to(HTML)}: {url}")
    assert not foreign, "pages load files from other hosts:\n  " + "\n  ".join(foreign[:40])


def test_maths_and_widgets_use_the_vendored_copies():
    seen = {name: 0 for name in VENDOR}
    for page in book_pages():
        loads = " ".join(assets(page).loads)
        if assets(page).has_math:
            assert VENDOR["MathJax"] in loads, f"{page.relative_to(HTML)}: maths, no MathJax"
            seen["MathJax"] += 1
        if assets(page).has_widgets:
            for name in ("require.js", "widget embed bundle"):
                assert VENDOR[name] in loads, f"{page.relative_to(HTML)}: widgets, no {name}"
                seen[name] += 1
    if not seen["MathJax"]:
        pytest.skip("no page has maths yet")


def test_no_role_is_left_unrendered():
    raw = []
    for page in book_pages():
        text = "".join(assets(page).text)
        for match in UNRENDERED.finditer(text):
            context = text[max(match.start() - 50, 0) : match.end() + 50].replace("\n", " ")
            raw.append(f"{page.relative_to(HTML)}: ...{context}...")
    assert not raw, "role syntax shown as text:\n  " + "\n  ".join(raw[:40])


def test_no_duplicate_inline_scripts():
    # A stock build declares sphinx-thebe's `const THEBE_JS_URL` twice: a page error.
    for page in book_pages():
        source = page.read_text(encoding="utf-8", errors="replace")
        assert source.count("const THEBE_JS_URL") <= 1, page.relative_to(HTML)


class _ChapterMentions(html.parser.HTMLParser):
    """Each "Chapter N" in the prose of a page, and whether it sits inside a link."""

    SKIP = {"script", "style", "pre", "code"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.mentions: list[tuple[int, bool]] = []  # (chapter, linked)
        self._in_link = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self._in_link += 1
        if tag in self.SKIP:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._in_link:
            self._in_link -= 1
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            for number in re.findall(r"\bChapter (\d{1,2})\b", data):
                self.mentions.append((int(number), self._in_link > 0))


def test_api_reference_links_every_chapter_it_names():
    chapters = {int(p.parent.name[:2]) for p in (HTML / "book").glob("[0-9][0-9]_*/index.html")}
    unlinked, linked = [], 0
    for page in sorted((HTML / "book" / "api").glob("*.html")):
        parser = _ChapterMentions()
        parser.feed(page.read_text(encoding="utf-8"))
        for number, is_link in parser.mentions:
            if number in chapters and not is_link:
                unlinked.append(f"{page.name}: Chapter {number}")
            linked += is_link
    assert not unlinked, f"'Chapter N' not linked (book/_ext/nnlib_links.py): {unlinked[:20]}"
    assert linked > 0, "no chapter link in the API reference"
