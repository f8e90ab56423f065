"""Make the HTML book work offline: every script, style sheet and font is served locally.

A stock Jupyter Book loads three things from CDNs: MathJax (maths), require.js and the
``@jupyter-widgets/html-manager`` embed bundle (saved widgets). This Sphinx extension takes
all three from the npm registry at pinned versions (``npm pack NAME@VERSION``), checks each
tarball against a pinned sha512 digest, unpacks the files the pages need into a cache beside
the HTML output (``_build/.vendor``), and adds that folder to ``html_static_path``, so Sphinx
copies it to ``_build/html/_static/vendor/``. ``_config.yml`` points ``mathjax_path`` and
myst-nb's ``nb_ipywidgets_js`` at those copies. The cache is filled once; later builds reuse
it (and ``npm`` keeps its own cache of the tarballs).

It also removes two console errors that every page of a stock build shows in a browser:

- ``Identifier 'THEBE_JS_URL' has already been declared``: sphinx-thebe registers its inline
  configuration script both with the application and with the builder, so it appears twice
  in each page (togglebutton's inline script too). Identical scripts are dropped here.
- ``Got invalid theme mode``: pydata-sphinx-theme's template variable ``default_mode``
  (from ``html_context``) is empty unless set; it is set to ``auto`` here (follow the
  reader's system preference).

Two more fixes make saved widgets work beside MathJax 3 (see ``MATHJAX2_SHIM`` and
``REQUIRE_PATHS``). It hides the header bar that pydata-sphinx-theme 0.17 adds above
sphinx-book-theme's layout only to hold a second search button. And it copies the favicon
to the root of the output, so the redirecting ``index.html`` (which has no
``<link rel="icon">``) does not make the browser ask for a missing ``/favicon.ico``.

Fetch by hand (for example to warm the cache before going offline)::

    python book/_ext/offline_assets.py [CACHE_DIR]     # default: _build/.vendor
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = ROOT / "_build" / ".vendor"


def _requirejs(path: str) -> str | None:
    return "require.js" if path == "require.js" else None


def _html_manager(path: str) -> str | None:
    if not path.startswith("dist/") or path.endswith(".map"):
        return None
    name = path.removeprefix("dist/")
    # embed-amd.js is the bundle for pages that load require.js; its fonts sit beside it
    # (embed.js.LICENSE.txt lists the licenses of what the bundles contain).
    return None if name in {"embed.js", "libembed-amd.js"} else name


# MathJax's combined components other than the one the book loads are not copied.
_MATHJAX_TOP = {"tex-mml-chtml.js", "core.js", "loader.js", "startup.js"}


def _mathjax(path: str) -> str | None:
    if path == "LICENSE":
        return path
    if not path.startswith("es5/"):
        return None
    name = path.removeprefix("es5/")
    if "/" not in name and name not in _MATHJAX_TOP:
        return None
    return name


@dataclass(frozen=True)
class Package:
    """One npm package: which version, its tarball's digest, and which files to keep."""

    name: str
    version: str
    integrity: str  # the registry's ``dist.integrity`` of that version
    dest: str  # folder under _static/vendor/
    select: Callable[
        [str], str | None
    ]  # path in the tarball -> path under dest, or None


PACKAGES = (
    Package(
        "requirejs",
        "2.3.8",
        "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIon"
        "FlyQXSowL6Mw==",
        "requirejs",
        _requirejs,
    ),
    Package(
        "@jupyter-widgets/html-manager",
        "1.0.15",
        "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1"
        "yp47bCrJ3CQA==",
        "html-manager",
        _html_manager,
    ),
    Package(
        "mathjax",
        "3.2.2",
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM"
        "1vO+geW0OhGw==",
        "mathjax",
        _mathjax,
    ),
)


class FetchError(RuntimeError):
    """A pinned asset could not be fetched or did not match its digest."""


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _npm_pack(pkg: Package, workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError(
            f"npm is needed once to fetch {pkg.name}@{pkg.version} for the offline HTML book "
            "(install Node.js, or copy a filled _build/.vendor from another machine)"
        )
    cmd = [
        npm,
        "pack",
        f"{pkg.name}@{pkg.version}",
        "--pack-destination",
        str(workdir),
    ]
    cmd += ["--silent", "--ignore-scripts"]
    proc = subprocess.run(
        cmd, cwd=workdir, capture_output=True, text=True, timeout=600
    )
    tarballs = sorted(workdir.glob("*.tgz"))
    if proc.returncode != 0 or len(tarballs) != 1:
        raise FetchError(
            f"`{' '.join(cmd[1:])}` failed (exit {proc.returncode}): {proc.stderr.strip()[-800:]}"
        )
    return tarballs[0]


def _unpack(pkg: Package, tarball: Path, target: Path) -> int:
    count = 0
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith("package/"):
                continue
            rel = member.name.removeprefix("package/")
            dest = pkg.select(rel)
            if dest is None:
                continue
            if dest.startswith("/") or ".." in Path(dest).parts:
                raise FetchError(f"unsafe path {member.name!r} in {tarball.name}")
            out = target / dest
            out.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            out.write_bytes(source.read())
            count += 1
    return count


def fetch(cache: Path = DEFAULT_CACHE, log: Callable[[str], None] = print) -> Path:
    """Fill ``cache/static/vendor/`` with the pinned packages; return ``cache/static``.

    A package whose folder holds a stamp with the pinned digest is left alone, so a second
    call does nothing.
    """
    static = cache / "static"
    for pkg in PACKAGES:
        target = static / "vendor" / pkg.dest
        stamp = target / ".integrity"
        if stamp.is_file() and stamp.read_text().strip() == pkg.integrity:
            continue
        log(
            f"offline assets: fetching {pkg.name}@{pkg.version} from the npm registry"
        )
        with tempfile.TemporaryDirectory(prefix="nnbook-vendor-") as tmp:
            tarball = _npm_pack(pkg, Path(tmp))
            digest = _integrity(tarball.read_bytes())
            if digest != pkg.integrity:
                raise FetchError(
                    f"{pkg.name}@{pkg.version}: digest {digest} differs from the pinned "
                    f"{pkg.integrity}"
                )
            if target.exists():
                shutil.rmtree(target)
            n_files = _unpack(pkg, tarball, target)
        if n_files == 0:
            raise FetchError(
                f"{pkg.name}@{pkg.version}: no files selected from the tarball"
            )
        stamp.write_text(pkg.integrity + "\n")
    return static


# --- Sphinx -----------------------------------------------------------------------------


def _builder_inited(app) -> None:
    from sphinx.errors import ExtensionError
    from sphinx.util import logging

    if app.builder.format != "html":
        return
    logger = logging.getLogger(__name__)
    cache = Path(app.outdir).parent / ".vendor"
    try:
        static = fetch(cache, log=logger.info)
    except (FetchError, OSError, subprocess.SubprocessError) as exc:
        raise ExtensionError(f"offline assets: {exc}") from exc
    if str(static) not in app.config.html_static_path:
        app.config.html_static_path.append(str(static))


def _config_inited(app, config) -> None:
    if not config.html_context.get("default_mode"):
        config.html_context["default_mode"] = "auto"
    # pydata-sphinx-theme 0.17 puts a search button in a header bar unless told otherwise;
    # sphinx-book-theme already has one in the sidebar, so the bar would show a second one.
    if isinstance(config.html_theme_options, dict):
        config.html_theme_options.setdefault("navbar_persistent", [])


# ipywidgets' html-manager typesets widget labels with MathJax 2's API,
# MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the book loads MathJax 3, where that
# call throws "Cannot read properties of undefined (reading 'Queue')". This shim, placed
# between Sphinx's ``window.MathJax = {...}`` configuration and MathJax itself, keeps the
# elements asked for and typesets them with MathJax 3 once it is ready.
MATHJAX2_SHIM = """(function () {
  var pending = [];
  function flush() {
    var mj = window.MathJax;
    if (!pending.length || !mj || !mj.typesetPromise || !mj.startup) return;
    var elements = pending.splice(0);
    mj.startup.promise.then(function () { return mj.typesetPromise(elements); });
  }
  function queue() {
    for (var i = 0; i < arguments.length; i++) {
      var call = arguments[i];
      if (Array.isArray(call) && call[0] === "Typeset" && call[2]) pending.push(call[2]);
    }
    flush();
  }
  var config = (window.MathJax = window.MathJax || {});
  config.Hub = { Queue: queue };
  config.startup = config.startup || {};
  var ready = config.startup.ready;
  config.startup.ready = function () {
    if (ready) { ready(); } else { MathJax.startup.defaultReady(); }
    MathJax.Hub = { Queue: queue };
    flush();
  };
})();"""

# The embed bundle finds its fonts relative to the AMD module it is loaded as
# ("@jupyter-widgets/html-manager/dist/..."), which require.js resolves against the page's
# folder unless told where that module lives.
REQUIRE_PATHS = """require.config({paths: {"@jupyter-widgets/html-manager/dist":
  new URL(document.documentElement.dataset.content_root + "_static/vendor/html-manager",
          document.baseURI).href}});"""


def _filename(script) -> str:
    return str(getattr(script, "filename", script) or "")


def _script_key(script) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    return (_filename(script), tuple(sorted(attributes.items())))


def _insert_before(app, scripts: list, suffix: str, body: str) -> None:
    """Put an inline script with ``body`` just before the script whose file ends in suffix."""
    for index, script in enumerate(scripts):
        if _filename(script).endswith(suffix):
            before = len(scripts)
            app.builder.add_js_file(
                "", priority=script.priority, body=body
            )  # appends
            if len(scripts) == before + 1:
                scripts.insert(index, scripts.pop())
            return


def _fix_page_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique
    if scripts is not getattr(app.builder, "_js_files", None):
        return  # scripts can only be added through the builder's own list
    _insert_before(app, scripts, "vendor/html-manager/embed-amd.js", REQUIRE_PATHS)
    mathjax_path = app.config.mathjax_path
    if mathjax_path and "://" not in mathjax_path:
        _insert_before(app, scripts, mathjax_path, MATHJAX2_SHIM)


def _copy_favicon(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    favicon = app.config.html_favicon
    if not favicon or "://" in favicon:
        return
    source = Path(app.confdir, favicon)
    if source.is_file():
        shutil.copyfile(source, Path(app.outdir) / "favicon.ico")


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    # After every other handler has added its scripts to the page.
    app.connect("html-page-context", _fix_page_scripts, priority=900)
    app.connect("build-finished", _copy_favicon)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    where = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CACHE
    print(fetch(where))
