"""Binder gets every package the notebooks import, at CI's versions; `make compat`'s helpers.

Binder builds from binder/ alone (requirements.txt at the root is ignored there), so a package a
notebook imports that binder/requirements.txt does not pin either is missing on Binder or comes
at whatever version another package drags in. `tools/compat.py` runs the notebooks in such an
environment; these tests keep the file complete without building anything.
"""

from __future__ import annotations

import json
import re

import compat  # tools/compat.py (conftest puts tools/ on sys.path)
import pytest
from conftest import ROOT
from test_packaging import pins

# Imported by the notebooks or nnlib, yet rightly absent from binder/requirements.txt.
NOT_PINNED_ON_BINDER = {
    "ipython": "Jupyter's own: repo2docker's base environment provides it",
    "cycler": "matplotlib's dependency, at the version the pinned matplotlib asks for",
}


def test_binder_pins_every_package_the_notebooks_import():
    ci, binder = pins("requirements.txt"), pins("binder/requirements.txt")
    imports = compat.third_party_imports()
    assert {"numpy", "matplotlib"} <= imports.keys()
    for module, where in imports.items():
        dist = compat.distribution(module)
        if dist in NOT_PINNED_ON_BINDER:
            continue
        assert dist in ci, f"{module} (imported in {sorted(where)[0]}) is not in requirements.txt"
        assert binder.get(dist) == ci[dist], (
            f"{module} is imported in {sorted(where)[0]}; binder/requirements.txt must pin "
            f"{dist}=={ci[dist]} (it has {binder.get(dist)})"
        )


def test_binder_requirements_are_pins_or_index_options():
    for line in (ROOT / "binder/requirements.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        assert line.startswith("--extra-index-url ") or re.fullmatch(
            r"[A-Za-z0-9_.\-]+==[\w.+]+", line
        ), f"binder/requirements.txt: {line!r} is not an exact pin"


def test_binder_requirements_for_a_local_run_drop_only_the_index(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPAT_DIR", str(tmp_path))
    original = (ROOT / "binder/requirements.txt").read_text().splitlines()
    kept = compat.binder_requirements(None).read_text().splitlines()
    assert [ln for ln in original if not ln.startswith("--")] == kept
    assert not any("index-url" in ln for ln in kept)


def test_imports_are_found_in_magics_functions_and_from_imports():
    src = "%matplotlib inline\nimport numpy as np\ndef f():\n    from sklearn.datasets import x\n"
    assert compat._imports_in(src) == {"numpy", "sklearn"}
    assert compat._imports_in("from . import sibling\nimport os.path") == {"os"}


def test_module_names_map_to_distributions():
    assert compat.distribution("sklearn") == "scikit-learn"
    assert compat.distribution("PIL") == "pillow"
    assert compat.distribution("numpy") == "numpy"


def test_wheel_tests_leave_out_tests_of_the_book():
    tests, torch_only, helpers = compat.wheel_tests()
    names = {p.name for p in tests}
    assert {"test_neurons.py", "test_layers.py"} <= names
    for path in tests:
        assert not re.search(r"\bROOT\b", path.read_text()), f"{path.name} reads the checkout"
    assert "test_notebooks.py" not in names and "test_packaging.py" not in names
    assert set(torch_only) <= set(tests)
    assert {"conftest.py"} <= {p.name for p in helpers}


def test_guard_notebooks_install_the_wheel_instead_of_the_git_url(tmp_path):
    wheel = tmp_path / "nnlib-0.0.0-py3-none-any.whl"
    guards = compat.guard_notebooks(tmp_path, wheel)
    users = [nb for group in guards.values() for nb in group]
    assert sorted(users) == sorted(compat.toc_notebooks()), "every notebook's guard is covered"
    for path in guards:
        (cell,) = json.loads(path.read_text())["cells"]
        assert re.search(
            r'"nnlib(\[[\w,]+\])? @ ' + re.escape(wheel.as_uri()) + '"', cell["source"]
        )
        assert "git+" not in cell["source"] and "%pip install" in cell["source"]


def test_widget_driver_compiles_and_the_matrix_covers_the_claimed_range():
    compile(compat.WIDGET_DRIVER, "driver", "exec")
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    oldest_python = re.search(r">=\s*(3\.\d+)", meta["requires-python"]).group(1)
    assert (oldest_python, "numpy==1.23.*") in compat.WHEEL_MATRIX
    numpy_floor = next(d for d in meta["dependencies"] if d.startswith("numpy"))
    assert numpy_floor == "numpy>=1.23", "update WHEEL_MATRIX's oldest numpy with the floor"
    assert {p for p, _ in compat.WHEEL_MATRIX} == {oldest_python, compat.COLAB_PYTHON}


@pytest.mark.parametrize("ci, expected", [("true", compat.StepFailed), ("", compat.StepSkipped)])
def test_a_missing_python_fails_in_ci_and_skips_elsewhere(monkeypatch, tmp_path, ci, expected):
    monkeypatch.setattr(compat, "CI", ci == "true")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(expected, match="never downloads an interpreter"):
        compat.find_python("3.99")
