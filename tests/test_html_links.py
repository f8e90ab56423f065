"""Every internal link of the built book resolves: the file exists, and so does the anchor.

Reads every HTML page under _build/html (no network, no browser). For each ``href`` and
``src`` that points inside the book, the target file must exist and, when the link has a
fragment (``page.html#section``), the target page must have an element with that id.
"""

from __future__ import annotations

import html.parser
import posixpath
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import ROOT

pytestmark = pytest.mark.html

HTML = ROOT / "_build" / "html"
LINK_ATTRIBUTES = {
    "a": "href",
    "link": "href",
    "area": "href",
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
}


class _Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if attributes.get(name):
                self.ids.add(attributes[name])
        wanted = LINK_ATTRIBUTES.get(tag)
        if wanted and attributes.get(wanted):
            self.links.append((tag, attributes[wanted]))
        if tag == "img" and attributes.get("srcset"):
            for candidate in attributes["srcset"].split(","):
                if candidate.strip():
                    self.links.append((tag, candidate.split()[0]))


@cache
def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def pages() -> list[Path]:
    """The book's pages (not the theme's Jinja macro files that Sphinx copies to _static)."""
    if not HTML.is_dir():
        return []
    return sorted(p for p in HTML.rglob("*.html") if p.relative_to(HTML).parts[0] != "_static")


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc)  # http:, mailto:, data:, javascript:, //host


def broken_links(page_path: Path) -> list[str]:
    broken = []
    for tag, url in parse(page_path).links:
        if is_external(url):
            continue
        parts = urlsplit(url)
        fragment = unquote(parts.fragment)
        if parts.path:
            target = (page_path.parent / unquote(parts.path)).resolve()
            if parts.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            try:
                target.relative_to(HTML.resolve())
            except ValueError:
                broken.append(f"<{tag}> {url}: points outside _build/html")
                continue
            if not target.is_file():
                broken.append(f"<{tag}> {url}: no such file")
                continue
        else:
            target = page_path
        if fragment and target.suffix == ".html" and fragment not in parse(target).ids:
            broken.append(f"<{tag}> {url}: no element with id {fragment!r} in {target.name}")
    return broken


@pytest.fixture(scope="module", autouse=True)
def built():
    if not (HTML / "index.html").exists():
        pytest.fail("no _build/html/index.html: run `make build` first")


def test_every_internal_link_resolves():
    problems = []
    checked = 0
    for page in pages():
        checked += len(parse(page).links)
        rel = posixpath.join(*page.relative_to(HTML).parts)
        problems += [f"{rel}: {problem}" for problem in broken_links(page)]
    assert checked > 0, "no links found: is _build/html empty?"
    assert not problems, f"{len(problems)} broken internal links:\n  " + "\n  ".join(problems[:60])


def test_the_checker_sees_a_broken_anchor(tmp_path):
    good = tmp_path / "a.html"
    good.write_text('<p id="here"></p><a href="#here">x</a><a href="#nowhere">y</a>')
    assert "here" in parse(good).ids
    assert broken_links(good) == ["<a> #nowhere: no element with id 'nowhere' in a.html"]
