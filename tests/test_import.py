"""``import nnlib`` and its numpy core never import torch (DESIGN.md, "nnlib")."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from conftest import ROOT

CORE = [
    "activations",
    "layers",
    "losses",
    "optim",
    "init",
    "schedules",
    "data",
    "metrics",
    "autograd",
    "gradcheck",
]


def run(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (nothing imported yet), from the repository root."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_import_nnlib_does_not_import_torch():
    res = run("import sys, nnlib; print(nnlib.__version__); assert 'torch' not in sys.modules")
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("name", CORE)
def test_core_module_does_not_import_torch(name):
    if importlib.util.find_spec(f"nnlib.{name}") is None:
        pytest.skip(f"nnlib.{name} does not exist yet (its owner has not written it)")
    code = (
        f"import sys, nnlib.{name}\n"
        "bad = sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.'))\n"
        f"assert not bad, 'nnlib.{name} imported ' + ', '.join(bad[:5])\n"
    )
    res = run(code)
    assert res.returncode == 0, res.stderr


def test_star_import_and_every_listed_name():
    """``from nnlib import *`` works, and every name in ``nnlib.__all__`` imports."""
    code = (
        "import nnlib\n"
        "ns = {}\n"
        "exec('from nnlib import *', ns)\n"
        "missing = [n for n in nnlib.__all__ if n not in ns]\n"
        "assert not missing, missing\n"
        "print(len(nnlib.__all__))\n"
    )
    res = run(code)
    assert res.returncode == 0, res.stderr


def test_all_lists_only_existing_submodules():
    import nnlib

    for name in nnlib.__all__:
        if name == "__version__":
            continue
        assert importlib.util.find_spec(f"nnlib.{name}") is not None, f"nnlib.{name} is listed"
