"""Shared test fixtures and paths."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

try:
    from hypothesis import settings

    # Derandomized (the same examples every run) and no per-example deadline: CI runs on a
    # shared 2-core machine where timings vary, and a property test must not flake.
    settings.register_profile("nnbook", derandomize=True, deadline=None, max_examples=60)
    settings.load_profile("nnbook")
except ImportError:  # hypothesis is in requirements.txt; tolerate its absence elsewhere
    pass
