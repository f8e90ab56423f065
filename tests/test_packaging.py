"""The environments agree: requirements.txt (CI), binder/ (Binder) and pyproject (pip users)."""

from __future__ import annotations

import re

import tomllib
from conftest import ROOT

import nnlib


def pins(path):
    """``{name: version}`` for each ``name==version`` line (local labels like +cpu dropped)."""
    found = {}
    for line in (ROOT / path).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s+;#]+)", line.strip())
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def test_binder_pins_match_requirements():
    ci, binder = pins("requirements.txt"), pins("binder/requirements.txt")
    assert {"torch", "numpy", "matplotlib", "ipywidgets"} <= binder.keys()
    for name, version in binder.items():
        assert ci.get(name) == version, f"binder pins {name}=={version}, CI has {ci.get(name)}"


def test_binder_python_and_postbuild():
    assert (ROOT / "binder/runtime.txt").read_text().strip() == "python-3.11"
    post = (ROOT / "binder/postBuild").read_text()
    assert "set -e" in post and "pip install" in post and " -e ." in post


def test_torch_pinned_to_the_build_on_disk():
    assert pins("requirements.txt")["torch"] == "2.13.0"


def test_nnlib_dependencies_are_loose():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = meta["dependencies"]
    names = {re.split(r"[<>=!\[ ]", d)[0].lower() for d in deps}
    assert names == {"numpy", "matplotlib"}, "the core needs numpy and matplotlib only"
    extras = meta["optional-dependencies"]
    assert any(d.startswith("ipywidgets>=7.6") for d in extras["widgets"]), "Colab has 7.7.1"
    assert any(d.startswith("ipython") for d in extras["widgets"])
    for extra in ("widgets", "torch", "data", "progress"):
        assert set(extras[extra]) <= set(extras["all"]), f"[all] misses [{extra}]"
    every = deps + [d for group in extras.values() for d in group]
    assert not any("<" in d or "==" in d for d in every), "no upper pins for students"
    assert not any(d.startswith("torch") for d in deps), "torch is an optional extra"
    assert meta["requires-python"] == ">=3.10"


def test_pinned_environment_has_the_widgets_extra():
    """The course's own environment (CI, Binder) installs what nnlib.widgets needs."""
    ci = pins("requirements.txt")
    assert {"ipywidgets", "ipython"} <= ci.keys()


def test_license_and_the_setuptools_that_understands_it():
    text = (ROOT / "pyproject.toml").read_text()
    meta = tomllib.loads(text)
    assert meta["project"]["license"] == "MIT"
    assert meta["project"]["license-files"] == ["LICENSE"]
    # An SPDX string in project.license (PEP 639) needs setuptools >= 77.
    (setuptools,) = [r for r in meta["build-system"]["requires"] if r.startswith("setuptools")]
    assert int(re.search(r">=(\d+)", setuptools).group(1)) >= 77
    license_text = (ROOT / "LICENSE").read_text()
    assert license_text.startswith("MIT License")
    assert "The nnbook authors" in license_text


def test_widgets_without_ipywidgets_say_how_to_install_them():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['ipywidgets'] = None\n"
        "import nnlib.widgets.activation as a\n"
        "a.ActivationExplorer()\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert res.returncode != 0
    assert "ImportError" in res.stderr
    assert 'pip install "nnlib[widgets]"' in res.stderr


def test_version_is_exposed():
    assert re.fullmatch(r"\d+\.\d+\.\d+", nnlib.__version__)


def test_docs_name_the_configured_repository():
    import nbtools

    url = nbtools.repository_url()
    for path in [ROOT / "README.md", *sorted((ROOT / "book").glob("*.md"))]:
        # Install commands (git+URL) must name this repository.
        for found in re.findall(r"git\+(https://github\.com/[\w.-]+/[\w.-]+)", path.read_text()):
            assert found == url, f"{path.name} names {found}; _config.yml says {url}"


def test_wheel_ships_every_module(tmp_path):
    """`pip install nnlib` gets the whole package, subpackages included."""
    import shutil
    import subprocess
    import sys
    import zipfile

    build_dir = ROOT / "build"  # setuptools builds in the source tree: clean up after it
    had_build_dir = build_dir.exists()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    if not had_build_dir:
        shutil.rmtree(build_dir, ignore_errors=True)
    (wheel,) = tmp_path.glob("nnlib-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "nnlib").rglob("*.py")}
    assert sources <= shipped, f"missing from the wheel: {sorted(sources - shipped)}"
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in shipped), "no LICENSE"
    assert not any(name.startswith(("tests/", "book/", "tools/")) for name in shipped)
