"""The built book in a real browser: every page in the table of contents, offline.

Serves ``_build/html`` on 127.0.0.1 (a thread in this process), drives Debian's Chromium
with Playwright (never a browser Playwright downloads) and checks, on every page: no console
errors, no page errors, no failed requests and no request to any other host; every image
decoded; every maths element typeset by MathJax; every saved widget view drawn; on notebook
pages, the Binder and Colab links point at the notebook on branch ``main`` and no code box
scrolls sideways. The search page
must find "perceptron". One screenshot per chapter goes to ``_build/screenshots/``.

Without ``/usr/bin/chromium`` the test skips with a message, except in CI (``CI=true``),
where it fails: ``.ci/run`` installs Chromium with apt-get.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

pytestmark = pytest.mark.html

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
TIMEOUT_MS = 20_000


@dataclass(frozen=True)
class TocPage:
    docname: str  # e.g. book/01_history/01_timeline
    chapter: int  # position of its chapter in reading order (0 is the root page)
    chapter_doc: str  # the chapter's own page

    @property
    def is_notebook(self) -> bool:
        return (ROOT / f"{self.docname}.ipynb").is_file()


def toc_pages() -> list[TocPage]:
    """Every page of _toc.yml in reading order, each with the chapter it belongs to."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [TocPage(toc["root"], 0, toc["root"])]

    def walk(entries, chapter, chapter_doc):
        for entry in entries or []:
            if "file" in entry:
                pages.append(TocPage(entry["file"], chapter, chapter_doc))
            walk(entry.get("sections"), chapter, chapter_doc)

    chapters = [c for part in toc.get("parts", []) for c in part.get("chapters", [])]
    chapters += toc.get("chapters", [])
    for number, chapter in enumerate(chapters, start=1):
        pages.append(TocPage(chapter["file"], number, chapter["file"]))
        walk(chapter.get("sections"), number, chapter["file"])
    return pages


PAGES = toc_pages()


def screenshot_pages(pages: list[TocPage]) -> dict[str, str]:
    """One page per chapter to photograph (its first notebook, else the chapter's page)."""
    chosen: dict[int, TocPage] = {}
    for page in pages:
        best = chosen.get(page.chapter)
        if best is None or (page.is_notebook and not best.is_notebook):
            chosen[page.chapter] = page
    names = {}
    for number, page in chosen.items():
        chapter = page.chapter_doc.removeprefix("book/").removesuffix("/index")
        slug = re.sub(r"[^A-Za-z0-9]+", "_", chapter).strip("_")
        names[page.docname] = f"{number:02d}_{slug}.png"
    return names


SCREENSHOTS = screenshot_pages(PAGES)


def repository() -> tuple[str, str]:
    """(owner/name, branch) from _config.yml."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repo = config["repository"]
    url = repo["url"].rstrip("/").removesuffix(".git")
    return url.split("github.com/")[-1], repo.get("branch", "master")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


def _require_browser():
    """Return playwright's sync API, or skip (locally) / fail (in CI) with a clear message."""
    in_ci = os.environ.get("CI", "").lower() in {"true", "1"}

    def missing(why: str):
        if in_ci:
            pytest.fail(f"{why}; CI=true, so the browser test must run (.ci/run installs it)")
        pytest.skip(f"browser test skipped: {why}")

    if not Path(CHROMIUM).is_file():
        missing(f"no {CHROMIUM} (install Debian's chromium: apt-get install chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        missing("the playwright package is not installed in this environment")
    return sync_api


@dataclass
class Session:
    context: object
    base: str  # http://127.0.0.1:PORT/


@pytest.fixture(scope="module")
def session():
    if not (HTML / "index.html").is_file():
        pytest.fail("no _build/html/index.html: run `make build` first")
    sync_api = _require_browser()
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    profile = tempfile.mkdtemp(prefix="nnbook-chromium-")
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    try:
        with sync_api.sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=CHROMIUM_FLAGS,
                viewport={"width": 1280, "height": 1000},
            )
            context.set_default_timeout(TIMEOUT_MS)
            # Anything not served by our server is aborted (and reported by the page's
            # request log): the book must not reach any other host.
            context.route(lambda url: not url.startswith(base), lambda route: route.abort())
            try:
                yield Session(context, base)
            finally:
                context.close()
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class Visit:
    page: object
    console_errors: list
    page_errors: list
    failed: list
    foreign: list

    def problems(self) -> list[str]:
        out = [f"console error: {m}" for m in self.console_errors]
        out += [f"page error: {e}" for e in self.page_errors]
        out += [f"failed request: {r}" for r in self.failed]
        out += [f"request to another host: {u}" for u in self.foreign]
        return out


def open_page(session: Session, path: str) -> Visit:
    page = session.context.new_page()
    visit = Visit(page, [], [], [], [])
    base = session.base

    def on_console(message):
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            visit.console_errors.append(f"{message.text} ({where})")

    def on_request(request):
        url = request.url
        if not url.startswith((base, "data:", "blob:", "about:")):
            visit.foreign.append(url)

    def on_response(response):
        if response.status >= 400:
            visit.failed.append(f"{response.status} {response.url}")

    def on_failed(request):
        if request.url.startswith(base):
            visit.failed.append(f"{request.failure} {request.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
    page.on("request", on_request)
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    page.goto(base + path, wait_until="load")
    return visit


# Waits for MathJax's first typeset (it is loaded with `defer`, so after `load` it has
# started if the page has maths), then returns what is not typeset.
MATH_CHECK = r"""async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const bad = [];
  for (const el of document.querySelectorAll(".math")) {
    const raw = Array.from(el.childNodes)
      .filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent)
      .join("");
    if (!el.querySelector("mjx-container") || /\\\(|\\\[|\$/.test(raw)) {
      bad.push(el.outerHTML.slice(0, 160));
    }
  }
  for (const el of document.querySelectorAll("mjx-merror")) {
    bad.push("MathJax error: " + el.textContent.slice(0, 160));
  }
  return { count: document.querySelectorAll(".math").length, bad };
}"""

IMAGE_CHECK = r"""async () => {
  const images = Array.from(document.images);
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
  return images
    .filter((img) => !(img.complete && img.naturalWidth > 0))
    .map((img) => img.getAttribute("src").slice(0, 120));
}"""

WIDGETS_DRAWN = r"""(selector) => Array.from(document.querySelectorAll(selector)).every((tag) => {
  const area = tag.previousElementSibling;
  return area && area.classList.contains("widget-subarea") && area.childElementCount > 0;
})"""

# Code boxes whose longest line is cut off behind a horizontal scrollbar (their longest line).
CODE_OVERFLOW = r"""() => Array.from(document.querySelectorAll("div.cell_input pre"))
  .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
  .map((pre) => pre.textContent.split("\n").reduce((a, l) => (l.length > a.length ? l : a), ""))"""

WIDGET_REPORT = r"""(selector) => Array.from(document.querySelectorAll(selector)).map((tag) => {
  const area = tag.previousElementSibling;
  const drawn = area && area.classList.contains("widget-subarea") && area.childElementCount > 0;
  const broken = drawn && area.querySelector(".jupyter-widgets.widget-error, .widget-error");
  return { model: JSON.parse(tag.textContent).model_id, drawn: !!drawn, broken: !!broken };
})"""


@pytest.mark.parametrize("entry", PAGES, ids=[p.docname for p in PAGES])
def test_page_in_browser(session, entry: TocPage):
    visit = open_page(session, f"{entry.docname}.html")
    page = visit.page
    try:
        problems = []
        math = page.evaluate(MATH_CHECK)
        problems += [f"maths not typeset: {m}" for m in math["bad"]]

        n_widgets = page.locator(WIDGET_VIEW).count()
        if n_widgets:
            try:
                page.wait_for_function(WIDGETS_DRAWN, arg=WIDGET_VIEW, timeout=TIMEOUT_MS)
            except Exception:  # reported below, per widget
                pass
            for widget in page.evaluate(WIDGET_REPORT, WIDGET_VIEW):
                if not widget["drawn"] or widget["broken"]:
                    problems.append(f"saved widget view not drawn: model {widget['model']}")

        page.wait_for_load_state("networkidle")
        problems += [f"image not decoded: {src}" for src in page.evaluate(IMAGE_CHECK)]

        if entry.is_notebook:
            problems += launch_link_problems(page, entry.docname)
            overflow = page.evaluate(CODE_OVERFLOW)
            problems += [f"code box scrolls sideways: {line.strip()!r}" for line in overflow]

        if entry.docname in SCREENSHOTS:
            shot = SHOTS / SCREENSHOTS[entry.docname]
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 0, shot
        problems += visit.problems()
        assert not problems, f"{entry.docname}.html:\n  " + "\n  ".join(problems)
    finally:
        page.close()


def launch_link_problems(page, docname: str) -> list[str]:
    repo, branch = repository()
    notebook = f"{docname}.ipynb"
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    binder = [h for h in hrefs if "mybinder.org" in h]
    colab = [h for h in hrefs if "colab.research.google.com" in h]
    problems = []
    want_binder = f"/v2/gh/{repo}/{branch}?urlpath=lab/tree/{notebook}"
    want_colab = f"/github/{repo}/blob/{branch}/{notebook}"
    if not any(h.endswith(want_binder) for h in binder):
        problems.append(f"no Binder link ending in {want_binder}: {binder}")
    if not any(h.endswith(want_colab) for h in colab):
        problems.append(f"no Colab link ending in {want_colab}: {colab}")
    return problems


def test_front_page_redirects_cleanly(session):
    visit = open_page(session, "index.html")
    try:
        visit.page.wait_for_url(re.compile(r".*/book/.*\.html$"))
        visit.page.wait_for_load_state("networkidle")
        assert not visit.problems(), visit.problems()
    finally:
        visit.page.close()


def test_search_finds_perceptron(session):
    visit = open_page(session, "search.html?q=perceptron")
    page = visit.page
    try:
        results = page.locator("#search-results ul.search li")
        results.first.wait_for(state="attached", timeout=TIMEOUT_MS)
        assert results.count() >= 1
        page.wait_for_load_state("networkidle")
        assert not visit.problems(), visit.problems()
    finally:
        page.close()
