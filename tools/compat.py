"""`make compat`: the book and nnlib where readers run them, not only in the pinned environment.

    python tools/compat.py [STEP ...]      # all steps by default, in this order:

    kernels  nbval strict over every notebook in the pinned .venv, with the CPU's numeric
             kernels switched to AVX2 (a stored output that depends on the CPU fails here)
    wheel    nnlib's built wheel on the oldest and newest Python pyproject.toml allows (3.10,
             3.13), each with the oldest and the newest numpy for it: the unit tests that
             do not read the checkout
    colab    a Colab-like environment (Python 3.13, ipywidgets 7.7.1, the newest torch, numpy,
             matplotlib, scikit-learn and whatever else the notebooks and nnlib import): the
             guard cell installs nnlib from the built wheel, every notebook runs top to bottom,
             every nnlib widget is built and driven through its callbacks
    binder   an environment built from binder/ alone (runtime.txt, requirements.txt, postBuild):
             every notebook runs top to bottom, the widgets are driven under its ipywidgets

Notebooks are the ones _toc.yml lists, run two at a time (``--jobs``), each in a fresh kernel
with nbclient; a run fails on any error output or failed assert (stored outputs are not
compared: the versions differ on purpose). A failure names the environment, the notebook and
the cell. Environments live in ``$COMPAT_DIR`` (default ``~/.cache/nnbook-compat``, outside the
checkout) and are reused while their inputs are the same; those that take the newest releases
are rebuilt once a week (``--refresh`` rebuilds them now). Nothing here downloads an
interpreter: a missing Python skips its step with a line saying so, and fails it when
``CI=true``.

The tool runs under any Python >= 3.10 with the standard library only; inside each
environment it runs itself again (``_run`` and ``_widgets``) to execute one notebook.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve()
STEPS = ["kernels", "wheel", "colab", "binder"]
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Kernels run single-threaded BLAS and torch: two notebooks at a time on two cores.
NBENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
# The second-kernel pass: AVX2 code paths in OpenBLAS, ATen, MKL and oneDNN (this machine
# would otherwise pick AVX-512), i.e. what most x86 machines of the last decade run.
KERNEL_ENV = {
    "OPENBLAS_CORETYPE": "Haswell",
    "ATEN_CPU_CAPABILITY": "avx2",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
}
# What Colab runs (as of mid-2026; /work/shared/PITFALLS.md, "Colab").
COLAB_PYTHON = "3.13"
COLAB_PINS = ["ipywidgets==7.7.1"]
# The heavy part of the Colab-like environment, built once a week (torch alone is ~3 GB with
# its CUDA libraries); each run adds whatever else the notebooks and nnlib import.
COLAB_BASE = ["cycler", "ipython", "matplotlib", "numpy", "scikit-learn", "torch", "tqdm"]
# The edges of pyproject.toml's claims: requires-python >= 3.10, numpy >= 1.23. The oldest
# numpy for a Python is the first minor release with wheels for it (1.23 is also the floor
# pyproject.toml states); the newest is whatever the registry has that installs there.
WHEEL_MATRIX = [
    ("3.10", "numpy==1.23.*"),
    ("3.10", "numpy"),
    ("3.13", "numpy==2.1.*"),
    ("3.13", "numpy"),
]
# What a test run needs besides nnlib and its dependencies (torch: see wheel_tests).
TEST_TOOLS = ["pytest", "hypothesis", "scikit-learn", "tqdm"]
RUNNER_TOOLS = ["nbclient", "nbformat", "ipykernel"]
# Module names whose distribution is named differently (the pinned .venv answers the rest).
DISTRIBUTIONS = {"sklearn": "scikit-learn", "PIL": "pillow", "IPython": "ipython"}


# --------------------------------------------------------------------------- small helpers


def say(msg: str = "") -> None:
    print(msg, flush=True)


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "nnbook-compat"
    path = Path(os.environ.get("COMPAT_DIR", default)).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


class StepSkipped(Exception):
    """The step cannot run here (a missing interpreter outside CI)."""


class StepFailed(Exception):
    """The step ran and found something wrong (the message says what)."""


def children_cpu() -> float:
    """CPU seconds used so far by the processes this one started and waited for (notebook
    kernels and pip included): unlike wall time, it hardly depends on how busy the machine is."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def find_python(version: str) -> Path:
    """The interpreter for ``version`` ("3.13") from pyenv or PATH; never downloads one."""
    candidates = []
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        found = [p for p in pyenv.glob(f"{version}.*/bin/python") if p.exists()]
        found.sort(key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.parent.name)])
        candidates += reversed(found)  # newest patch release first
    exe = shutil.which(f"python{version}")
    if exe:
        candidates.append(Path(exe))
    for cand in candidates:
        try:
            out = subprocess.run(
                [str(cand), "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=60,
            )
        except OSError:
            continue
        if out.returncode == 0 and out.stdout.strip() == version:
            return cand
    msg = (
        f"no Python {version} on this machine (looked in {pyenv} and for python{version} on "
        "PATH); this tool never downloads an interpreter"
    )
    if CI:
        raise StepFailed(msg)
    raise StepSkipped(msg)


def run(cmd, *, cwd=None, env=None, log: Path | None = None, timeout=None) -> str:
    """Run ``cmd`` (without the caller's PYTHONPATH, unless ``env`` is given); on failure
    raise StepFailed with the tail of its output."""
    if env is None:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    out = proc.stdout + proc.stderr
    if log is not None:
        with open(log, "a") as fh:
            fh.write(f"$ {' '.join(map(str, cmd))}\n{out}\n")
    if proc.returncode != 0:
        tail = "\n".join(out.strip().splitlines()[-25:])
        raise StepFailed(f"command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{tail}")
    return proc.stdout


def toc_notebooks() -> list[Path]:
    """The notebooks _toc.yml lists, in reading order (the same rule as tools/nbtools.py)."""
    files = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text())
    return [ROOT / f"{f}.ipynb" for f in files if (ROOT / f"{f}.ipynb").exists()]


# ------------------------------------------------------------- what the notebooks import


def _imports_in(source: str) -> set[str]:
    """Top-level module names imported anywhere in ``source`` (IPython magics stripped)."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:  # fall back to a line scan
        return set(re.findall(r"^\s*(?:from|import)\s+(\w+)", source, re.M))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def third_party_imports() -> dict[str, set[str]]:
    """``{module: {where it is imported}}`` for every third-party module that the notebooks
    of _toc.yml or nnlib (which they run) import, lazily imported ones included."""
    found: dict[str, set[str]] = {}
    for nb_path in toc_notebooks():
        nb = json.loads(nb_path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                src = (
                    "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                )
                for name in _imports_in(src):
                    found.setdefault(name, set()).add(rel(nb_path))
    for py in sorted((ROOT / "nnlib").rglob("*.py")):
        for name in _imports_in(py.read_text()):
            found.setdefault(name, set()).add(rel(py))
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    return {k: v for k, v in sorted(found.items()) if k not in stdlib and k != "nnlib"}


def distribution(module: str) -> str:
    """The PyPI name that provides ``module`` (asks this Python's installed metadata)."""
    if module in DISTRIBUTIONS:
        return DISTRIBUTIONS[module]
    from importlib.metadata import packages_distributions

    dists = packages_distributions().get(module)
    return (dists[0] if dists else module).lower()


def notebook_distributions() -> list[str]:
    """PyPI names of everything the notebooks need at run time (beside nnlib)."""
    return sorted({distribution(m) for m in third_party_imports()})


# --------------------------------------------------------------------------- environments


def week() -> str:
    year, wk, _ = datetime.date.today().isocalendar()
    return f"{year}-W{wk:02d}"


def env_python(env: Path) -> Path:
    return env / "bin" / "python"


def ensure_env(
    name: str,
    python: Path,
    installs: list[list[str]],
    *,
    refresh: bool,
    newest: bool,
    log: Path,
    key_extra: str = "",
) -> tuple[Path, bool]:
    """A virtual environment at ``$COMPAT_DIR/envs/NAME`` with ``installs`` (pip argument
    lists) done in order. Reused while the interpreter and the install lists are the same
    (and, for an environment that takes the newest releases, within the same ISO week)."""
    env = cache_dir() / "envs" / name
    version = run([python, "-c", "import sys; print(sys.version)"]).strip()
    key_data = {"python": str(python), "version": version, "installs": installs, "extra": key_extra}
    if newest:
        key_data["week"] = week()
    key = hashlib.sha256(json.dumps(key_data, sort_keys=True).encode()).hexdigest()
    stamp = env / ".compat-key"
    if not refresh and stamp.exists() and stamp.read_text() == key and env_python(env).exists():
        return env, True
    shutil.rmtree(env, ignore_errors=True)
    run([python, "-m", "venv", env], log=log)
    for args in installs:
        run([env_python(env), "-m", "pip", "install", "-q", *args], log=log)
    stamp.write_text(key)
    return env, False


def versions(env: Path, names=("numpy", "torch", "matplotlib", "ipywidgets", "scikit-learn")):
    """``"python 3.13.0, numpy 2.5.5, ..."`` for the packages installed in ``env``."""
    code = (
        "import sys, importlib.metadata as m\n"
        f"names = {list(names)!r}\n"
        "out = ['python %d.%d.%d' % sys.version_info[:3]]\n"
        "for n in names:\n"
        "    try:\n"
        "        out.append(f'{n} {m.version(n)}')\n"
        "    except m.PackageNotFoundError:\n"
        "        pass\n"
        "print(', '.join(out))\n"
    )
    return run([env_python(env), "-c", code]).strip()


def freeze(env: Path) -> dict[str, str]:
    """``{distribution: version}`` installed in ``env`` (much quicker than ``pip list``)."""
    code = (
        "import importlib.metadata as m, json\n"
        "print(json.dumps({d.metadata['Name'].lower().replace('_', '-'): d.version"
        " for d in m.distributions()}))"
    )
    return json.loads(run([env_python(env), "-c", code]))


def build_wheel(work: Path, log: Path) -> Path:
    """nnlib's wheel, built from the checkout the way pip builds it from the git URL."""
    out = work / "wheel"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    build_dir = ROOT / "build"  # setuptools builds inside the source tree: clean up after it
    had_build = build_dir.exists()
    try:
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, ROOT], log=log)
    finally:
        if not had_build:
            shutil.rmtree(build_dir, ignore_errors=True)
    (wheel,) = out.glob("nnlib-*.whl")
    return wheel


# ---------------------------------------------------------------------- notebook execution


def _runner_main(argv: list[str]) -> int:
    """``compat.py _run NB --cwd DIR --timeout S --retries N``: run one notebook top to
    bottom in a fresh kernel of this Python; print one JSON line with the verdict."""
    parser = argparse.ArgumentParser(prog="compat.py _run")
    parser.add_argument("notebook")
    parser.add_argument("--cwd", required=True)
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("--retries", type=int, default=2)
    args = parser.parse_args(argv)

    from queue import Empty

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    def repoll(channel, step=1.0):
        # jupyter/nbclient#312: with a widget in the cell, the wait for the execute reply can
        # miss its wake-up and sleep for the whole timeout (seen with Python 3.13 kernels).
        # Waiting in short slices looks at the socket again every second.
        original = channel.get_msg

        async def get_msg(timeout=None):
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                left = step if deadline is None else min(step, deadline - time.monotonic())
                try:
                    return await original(timeout=max(left, 0.0))
                except Empty:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise

        channel.get_msg = get_msg

    class Client(NotebookClient):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            if os.environ.get("COMPAT_REPOLL", "1") != "0":
                repoll(kc.shell_channel)
            return kc

    result: dict = {"notebook": args.notebook, "attempts": 0, "stalls": []}
    start = time.perf_counter()
    for attempt in range(1, args.retries + 2):
        result["attempts"] = attempt
        nb = nbformat.read(args.notebook, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        current = {"index": None}

        def on_start(cell, cell_index, current=current):
            current["index"] = cell_index

        client = Client(
            nb,
            timeout=args.timeout,
            startup_timeout=300,  # a kernel can take over a minute to start on a busy machine
            kernel_name="python3",
            resources={"metadata": {"path": args.cwd}},
            on_cell_start=on_start,
        )
        try:
            client.execute()
        except CellTimeoutError:
            result["stalls"].append(current["index"])
            continue  # a stalled reply (see repoll): run the whole notebook again
        except (CellExecutionError, DeadKernelError) as exc:
            idx = current["index"]
            error, printed = "", ""
            if idx is not None:
                for out in nb.cells[idx].get("outputs", []):
                    if out.get("output_type") == "error":
                        error = f"{out['ename']}: {out['evalue']}"
                    elif out.get("output_type") == "stream":
                        printed += out.get("text", "")
            result.update(
                ok=False,
                cell=idx,
                count=nb.cells[idx].get("execution_count") if idx is not None else None,
                source=nb.cells[idx].source if idx is not None else "",
                error=error or str(exc).strip().splitlines()[-1],
                printed=printed[-600:],
            )
            break
        warnings = []
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("name") == "stderr" and "Warning" in out.get("text", ""):
                    first = next(ln for ln in out["text"].splitlines() if "Warning" in ln)
                    warnings.append(f"cell {i}: {first.strip()[:300]}")
        result.update(ok=True, warnings=warnings)
        break
    else:
        idx = result["stalls"][-1]
        result.update(
            ok=False,
            cell=idx,
            source="",
            error=f"no reply within {args.timeout} s in {len(result['stalls'])} attempts",
        )
    result["seconds"] = round(time.perf_counter() - start, 1)
    print("COMPAT-RESULT " + json.dumps(result), flush=True)
    return 0


def run_notebooks(
    env: Path,
    label: str,
    notebooks: list[Path],
    *,
    jobs: int,
    timeout: int,
    retries: int,
    cwd_for,
    extra_env=None,
) -> list[str]:
    """Run ``notebooks`` in ``env``, ``jobs`` at a time; return one line per failure."""
    env_vars = {**os.environ, **NBENV, **(extra_env or {})}
    env_vars.pop("PYTHONPATH", None)
    env_vars["PATH"] = f"{env / 'bin'}{os.pathsep}{env_vars.get('PATH', '')}"

    def one(nb: Path) -> tuple[Path, dict]:
        cwd = cwd_for(nb)
        proc = subprocess.run(
            [
                env_python(env),
                HERE,
                "_run",
                nb,
                "--cwd",
                cwd,
                "--timeout",
                str(timeout),
                "--retries",
                str(retries),
            ],
            cwd=cwd,
            env=env_vars,
            capture_output=True,
            text=True,
        )
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("COMPAT-RESULT ")]
        if not lines:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            return nb, {
                "ok": False,
                "cell": None,
                "error": f"runner crashed:\n{tail}",
                "seconds": 0,
                "attempts": 1,
                "stalls": [],
                "source": "",
            }
        return nb, json.loads(lines[-1][len("COMPAT-RESULT ") :])

    failures = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for nb, res in pool.map(one, notebooks):
            name = rel(nb)
            extra = ""
            if res.get("stalls"):
                extra = f" (stalled in cell {res['stalls']}, rerun: {res['attempts']} attempts)"
            if res["ok"]:
                say(f"  ok    {name:<52} {res['seconds']:6.1f} s{extra}")
                for w in res.get("warnings", []):
                    say(f"        warning in {name} {w}")
            else:
                first = (res.get("source") or "").strip().splitlines()[:1]
                where = "start-up"
                if res.get("cell") is not None:
                    where = f"cell {res['cell']} (counting from 0, markdown included"
                    where += f", In [{res['count']}])" if res.get("count") else ")"
                if first:
                    where += f" {first[0][:70]!r}"
                say(f"  FAIL  {name:<52} {res['seconds']:6.1f} s{extra}")
                line = f"[{label}] {name}, {where}: {res['error']}"
                if res.get("printed"):
                    line += "\n          the cell printed: " + res["printed"].strip().replace(
                        "\n", "\n          "
                    )
                say(f"        {line}")
                failures.append(line)
    return failures


# ------------------------------------------------------------------------- widget driving

WIDGET_DRIVER = r'''
import importlib, inspect
import ipywidgets as W
import matplotlib.pyplot as plt

print("ipywidgets", W.__version__)


def controls(root):
    """Every value control under ``root`` (depth first), skipping output areas and labels."""
    seen, out, stack = set(), [], [root]
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        if isinstance(w, W.Box):
            stack.extend(reversed(list(w.children)))
        elif isinstance(w, W.ValueWidget) and not isinstance(w, (W.Label, W.HTML, W.HTMLMath)):
            out.append(w)
    return out


def new_values(c):
    """Values to move control ``c`` to: every other option of a menu, else one other value."""
    old = c.value
    if getattr(c, "disabled", False):
        return []
    if hasattr(c, "options") and not isinstance(c, W.SelectionRangeSlider):
        return [v for v in getattr(c, "_options_values", ()) if v != old]
    if isinstance(old, bool):
        return [not old]
    if isinstance(old, tuple) and hasattr(c, "min"):
        return [(c.min, c.max)]
    if isinstance(c, W.FloatLogSlider):
        return [c.base ** c.max if old != c.base ** c.max else c.base ** c.min]
    if hasattr(c, "min") and hasattr(c, "max"):
        return [c.max if old != c.max else c.min]
    return []


def drive(modname):
    """Build every widget of nnlib.widgets.MODNAME (each public function that takes no
    required argument and returns widgets) and move each of its controls, so that every
    update callback runs; fail with the list of what raised."""
    mod = importlib.import_module(f"nnlib.widgets.{modname}")
    built, problems = [], []
    for name, fn in sorted(vars(mod).items()):
        if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != mod.__name__:
            continue
        params = inspect.signature(fn).parameters.values()
        if any(p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in params):
            continue
        where = f"nnlib.widgets.{modname}.{name}()"
        try:
            obj = fn()
        except Exception as exc:
            problems.append(f"{where}: {type(exc).__name__}: {exc}")
            continue
        finally:
            plt.close("all")
        if isinstance(obj, W.Widget):
            roots = [obj]
        elif hasattr(obj, "__dict__"):
            roots = [v for v in vars(obj).values() if isinstance(v, W.Box)]
        else:
            roots = []
        if not roots:
            continue  # not a widget (a static figure, a helper)
        ctrls = [c for r in roots for c in controls(r)]
        changes = 0
        for c in ctrls:
            label = f"{type(c).__name__} {c.description!r}"
            for value in new_values(c):
                try:
                    c.value = value
                    changes += 1
                except Exception as exc:
                    problems.append(f"{where}, {label} = {value!r}: {type(exc).__name__}: {exc}")
                finally:
                    plt.close("all")
        built.append(f"{where}: {len(ctrls)} controls, {changes} changes")
        if not changes:
            problems.append(f"{where}: no control could be moved")
    print("\n".join(built))
    assert built, f"nnlib.widgets.{modname}: no function builds a widget without arguments"
    assert not problems, "\n".join(problems)
'''


def widget_modules() -> list[str]:
    """``nnlib.widgets.__all__``, read from the source (this Python need not import nnlib)."""
    tree = ast.parse((ROOT / "nnlib" / "widgets" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise StepFailed("nnlib/widgets/__init__.py has no __all__")


def widget_notebook(path: Path) -> Path:
    """A notebook that builds every nnlib widget and moves each control: one cell per module
    of nnlib.widgets (so a failure names the module, and each cell stays short)."""
    sources = ["%matplotlib inline\nimport nnlib", WIDGET_DRIVER.strip()]
    sources += [f"drive({name!r})" for name in widget_modules()]
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": []}
    nb = {
        "cells": [{**cell, "source": src} for src in sources],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))
    return path


def guard_notebooks(folder: Path, wheel: Path) -> dict[Path, list[Path]]:
    """One notebook per distinct guard cell (the first cell of each notebook of _toc.yml),
    with its git URL replaced by the built wheel: ``{guard notebook: [notebooks using it]}``."""
    guards: dict[str, list[Path]] = {}
    for nb_path in toc_notebooks():
        first = json.loads(nb_path.read_text())["cells"][0]
        src = "".join(first["source"]) if isinstance(first["source"], list) else first["source"]
        if "%pip install" not in src or "git+" not in src:
            raise StepFailed(f"{rel(nb_path)}: the first cell is not the install guard")
        guards.setdefault(src, []).append(nb_path)
    found = {}
    for i, (src, users) in enumerate(guards.items()):
        cell = {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": re.sub(r"git\+\S+?(?=[\"'])", wheel.as_uri(), src),
        }
        nb = {
            "cells": [cell],
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        path = folder / f"guard-{i}.ipynb"
        path.write_text(json.dumps(nb))
        found[path] = users
    return found


# ----------------------------------------------------------------------------------- steps


class Context:
    def __init__(self, args):
        self.args = args
        self.cache = cache_dir()
        self.work = Path(tempfile.mkdtemp(prefix="nnbook-compat-"))
        self.log = self.cache / "last-run.log"
        self._wheel: Path | None = None
        self.notebooks = toc_notebooks()

    def wheel(self) -> Path:
        """The built wheel, and beside it a copy of tests/ taken at the same moment."""
        if self._wheel is None:
            self.tests = self.work / "tests-snapshot"
            shutil.copytree(ROOT / "tests", self.tests, ignore=shutil.ignore_patterns("__py*"))
            self._wheel = build_wheel(self.work, self.log)
            say(f"  built {self._wheel.name}")
        return self._wheel


def step_kernels(ctx: Context) -> str:
    """nbval strict in the pinned .venv with AVX2 kernels everywhere."""
    venv = ROOT / ".venv" / "bin"
    if not (venv / "pytest").exists():
        raise StepFailed("no pinned .venv: run `make install` first")
    env = {**os.environ, **NBENV, **KERNEL_ENV}
    settings = " ".join(f"{k}={v}" for k, v in KERNEL_ENV.items())
    say(f"  {settings}")
    cmd = [
        venv / "pytest", *[rel(nb) for nb in ctx.notebooks], "--nbval", "--nbval-current-env",
        "--nbval-sanitize-with", "book/nbval_sanitize.cfg", "-n", str(ctx.args.jobs),
        "--dist", "loadfile", "-q", "-p", "no:cacheprovider",
    ]  # fmt: skip
    proc = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    summary = (out.strip().splitlines() or [""])[-1].strip("= ")
    if proc.returncode != 0:
        failed = [ln for ln in out.splitlines() if ln.startswith(("FAILED", "ERROR"))]
        for ln in failed:
            say(f"  {ln}")
        tail = "\n".join(out.strip().splitlines()[-60:])
        raise StepFailed(
            f"nbval with {settings}: {summary}\n" + ("\n".join(failed) if failed else tail)
        )
    return f"{versions(ROOT / '.venv')}; {summary}"


def wheel_tests(folder: Path = ROOT / "tests") -> tuple[list[Path], list[Path], list[Path]]:
    """(unit tests of nnlib itself, those of them that need torch, helper modules).

    A test file that reads the checkout (conftest's ``ROOT``: notebooks, _toc.yml, the built
    HTML, packaging) is a test of the book, not of the wheel, and is left out. A file that
    imports torch at module level needs torch; the wheel environments do not install it
    (nnlib's core needs only numpy, matplotlib and ipywidgets; torch is an optional extra, and
    its numpy range is torch's business), so those run only where torch is present. Tests that
    call ``pytest.importorskip("torch")`` skip themselves, and a test that fails only because
    torch is missing is reported as skipped (``NO_TORCH_PLUGIN``).
    """
    ours, torch_only = [], []
    for path in sorted(folder.glob("test_*.py")):
        text = path.read_text()
        if re.search(r"\bROOT\b|\bnbtools\b", text):
            continue
        if re.search(r"^(import torch|from torch\b)", text, re.M):
            torch_only.append(path)
        ours.append(path)
    helpers = [p for p in folder.glob("*.py") if not p.name.startswith("test_")]
    return ours, torch_only, helpers


# A pytest plugin for the environments without torch: a test that fails only because torch
# is missing (an exercise checker that compares with torch, say) is reported as skipped.
NO_TORCH_PLUGIN = """
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and "No module named 'torch'" in str(report.longrepr):
        report.outcome = "skipped"
        report.longrepr = (str(item.path), 0, "Skipped: needs torch (not in this environment)")
"""


def step_wheel(ctx: Context) -> str:
    """nnlib's wheel and its unit tests at the edges of pyproject's Python and numpy range."""
    import tomllib

    pytest_cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    markers = pytest_cfg["ini_options"].get("markers", [])
    wheel = ctx.wheel()
    tests, torch_only, helpers = wheel_tests(ctx.tests)
    # Every extra that does not bring torch (the widgets, the data sets, the progress bar).
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"].get(
        "optional-dependencies", {}
    )
    extras = sorted(k for k, v in extras.items() if not any(d.startswith("torch") for d in v))
    spec = f"{wheel}[{','.join(extras)}]" if extras else str(wheel)
    pythons = {}
    for version, _ in WHEEL_MATRIX:
        if version not in pythons:
            try:
                pythons[version] = find_python(version)
            except StepSkipped as exc:
                pythons[version] = exc
    rows, failures, skipped = [], [], []

    def one(entry):
        version, numpy_spec = entry
        python = pythons[version]
        name = f"wheel-py{version}-{numpy_spec.replace('==', '-').replace('.*', '')}"
        if isinstance(python, StepSkipped):
            return name, None, f"skipped: {python}"
        newest = "==" not in numpy_spec
        t0 = time.perf_counter()
        env, reused = ensure_env(
            name,
            python,
            [[numpy_spec, *TEST_TOOLS]],
            refresh=ctx.args.refresh,
            newest=newest,
            log=ctx.log,
        )
        numpy_version = freeze(env)["numpy"]
        pin = ctx.work / f"{name}-constraints.txt"
        pin.write_text(f"numpy=={numpy_version}\n")
        # The wheel with its dependencies (matplotlib, ipywidgets), never moving numpy.
        run([env_python(env), "-m", "pip", "uninstall", "-y", "-q", "nnlib"], log=ctx.log)
        run([env_python(env), "-m", "pip", "install", "-q", "-c", pin, spec], log=ctx.log)
        setup_s = time.perf_counter() - t0
        has_torch = "torch" in freeze(env)
        folder = ctx.work / name / "tests"
        folder.mkdir(parents=True)
        chosen = [t for t in tests if has_torch or t not in torch_only]
        for path in chosen + helpers:
            shutil.copy(path, folder / path.name)
        ini = "[pytest]\nmarkers =\n" + "".join(f"    {m}\n" for m in markers)
        (folder / "pytest.ini").write_text(ini)
        (folder / "compat_no_torch.py").write_text(NO_TORCH_PLUGIN)
        check = "import nnlib, sys; p = nnlib.__file__; assert 'site-packages' in p, p; print(p)"
        env_vars = {**os.environ, **NBENV, "MPLBACKEND": "Agg"}
        env_vars.pop("PYTHONPATH", None)
        run([env_python(env), "-c", check], cwd=folder, env=env_vars)
        t1 = time.perf_counter()
        proc = subprocess.run(
            [str(env_python(env)), "-m", "pytest", "-q", "-p", "no:cacheprovider",
             *([] if has_torch else ["-p", "compat_no_torch"]), "-m",
             "not html", *[p.name for p in chosen]],
            cwd=folder, env=env_vars, capture_output=True, text=True,
        )  # fmt: skip
        out = proc.stdout + proc.stderr
        summary = (out.strip().splitlines() or [""])[-1].strip("= ")
        summary = re.sub(r" in [\d.]+s.*", "", summary)
        vers = versions(env, ("numpy", "matplotlib", "ipywidgets", "scikit-learn", "torch"))
        timing = (
            f"env {'reused' if reused else 'built'}, setup {setup_s:.0f} s, "
            f"tests {time.perf_counter() - t1:.0f} s"
        )
        if proc.returncode != 0:
            bad = [ln for ln in out.splitlines() if ln.startswith(("FAILED", "ERROR"))]
            detail = "\n".join(bad) or "\n".join(out.strip().splitlines()[-30:])
            return name, False, f"{vers}: {summary} ({timing})\n{detail}"
        return name, True, f"{vers}: {summary} ({timing})"

    with ThreadPoolExecutor(max_workers=ctx.args.jobs) as pool:
        for name, ok, detail in pool.map(one, WHEEL_MATRIX):
            mark = {True: "ok  ", False: "FAIL", None: "skip"}[ok]
            say(f"  {mark}  {name}: {detail}")
            rows.append(name)
            if ok is False:
                failures.append(f"[{name}] {detail}")
            elif ok is None:
                skipped.append(f"{name}: {detail}")
    if torch_only:
        say(f"  (without torch, left out: {', '.join(p.name for p in torch_only)})")
    if failures:
        raise StepFailed("\n".join(failures))
    if skipped and len(skipped) == len(WHEEL_MATRIX):
        raise StepSkipped("; ".join(skipped))
    return (
        f"{len(WHEEL_MATRIX) - len(skipped)} of {len(WHEEL_MATRIX)} environments passed "
        f"(nnlib[{','.join(extras)}])"
    )


def step_colab(ctx: Context) -> str:
    """Colab: Python 3.13, ipywidgets 7.7.1, the newest of everything else, nnlib from the
    guard cell, every notebook from a fresh kernel in an empty folder (Colab's /content)."""
    python = find_python(COLAB_PYTHON)
    pinned = {p.split("==")[0] for p in COLAB_PINS}
    packages = [d for d in notebook_distributions() if d not in pinned]
    t0 = time.perf_counter()
    env, reused = ensure_env(
        "colab",
        python,
        [[*COLAB_BASE, *COLAB_PINS, *RUNNER_TOOLS]],
        refresh=ctx.args.refresh,
        newest=True,
        log=ctx.log,
    )
    # What the notebooks import beyond the base: added to the environment (newest release),
    # while pip leaves what is already there alone.
    run([env_python(env), "-m", "pip", "install", "-q", *packages, *COLAB_PINS], log=ctx.log)
    say(
        f"  environment {'reused' if reused else 'built'} in {time.perf_counter() - t0:.0f} s "
        f"with what the notebooks import: {', '.join(packages + COLAB_PINS)}"
    )
    label = f"colab: {versions(env)}"
    say(f"  {label}")
    return _notebooks_and_widgets(ctx, env, label, guard=True, empty_cwd=True)


def binder_requirements(ctx: Context) -> Path:
    """binder/requirements.txt without its index lines: the CPU index mybinder needs is
    unreachable here and old pip retries it for minutes (PITFALLS.md, "Binder"); the CPU
    torch it names comes from this machine's wheel folder instead."""
    lines = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    kept = [ln for ln in lines if not ln.strip().startswith(("--extra-index-url", "--index-url"))]
    path = cache_dir() / "binder-requirements.txt"
    path.write_text("\n".join(kept) + "\n")
    return path


def step_binder(ctx: Context) -> str:
    """Binder: runtime.txt's Python, binder/requirements.txt, postBuild; nothing else."""
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)(?:\.\d+)?", runtime)
    if not match:
        raise StepFailed(f"binder/runtime.txt says {runtime!r}; expected python-X.Y")
    python = find_python(match.group(1))
    reqs = binder_requirements(ctx)
    # repo2docker's base environment brings Jupyter; here only what running a kernel needs,
    # constrained so that it cannot move anything binder/requirements.txt pins.
    installs = [["-r", str(reqs)], ["-c", str(reqs), *RUNNER_TOOLS]]
    t0 = time.perf_counter()
    env, reused = ensure_env(
        "binder",
        python,
        installs,
        refresh=ctx.args.refresh,
        newest=False,
        log=ctx.log,
        key_extra=reqs.read_text(),
    )
    post = ROOT / "binder" / "postBuild"
    env_vars = {**os.environ, "PATH": f"{env / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    env_vars.pop("PYTHONPATH", None)
    env_vars["VIRTUAL_ENV"] = str(env)
    run(["bash", post], cwd=ROOT, env=env_vars, log=ctx.log)
    say(
        f"  environment {'reused' if reused else 'built'}, postBuild run, in "
        f"{time.perf_counter() - t0:.0f} s"
    )
    label = f"binder: {versions(env)}"
    say(f"  {label}")
    return _notebooks_and_widgets(ctx, env, label, guard=False, empty_cwd=False)


def _notebooks_and_widgets(
    ctx: Context, env: Path, label: str, *, guard: bool, empty_cwd: bool
) -> str:
    args = ctx.args
    failures = []
    scratch = ctx.work / ("content-" + env.name)
    scratch.mkdir(exist_ok=True)
    if guard:
        # nnlib as the guard cell installs it, with the wheel for the git URL; the guard must
        # not move anything the reader's environment already has (Colab's ipywidgets 7.7.1).
        # Each distinct guard cell runs once in a fresh kernel with nnlib absent, as in a new
        # Colab session; the last one leaves nnlib installed for the notebooks.
        for guard_nb, users in guard_notebooks(ctx.work, ctx.wheel()).items():
            run([env_python(env), "-m", "pip", "uninstall", "-y", "-q", "nnlib"], log=ctx.log)
            before = freeze(env)
            spec = re.search(
                r'"(nnlib\S*) @', json.loads(guard_nb.read_text())["cells"][0]["source"]
            )
            what = f"guard cell of {rel(users[0])}" + (
                f" and {len(users) - 1} more" if len(users) > 1 else ""
            )
            failures += run_notebooks(
                env, f"{label}, {what}", [guard_nb], jobs=1, timeout=600, retries=0,
                cwd_for=lambda nb: scratch,
            )  # fmt: skip
            after = freeze(env)
            if "nnlib" not in after:
                failures.append(f"[{label}] the {what} did not install nnlib")
            moved = {k: (before[k], after.get(k)) for k in before
                     if k != "nnlib" and before[k] != after.get(k)}  # fmt: skip
            added = sorted(f"{k} {after[k]}" for k in set(after) - set(before) - {"nnlib"})
            if moved:
                failures.append(f"[{label}] the {what} changed installed packages: {moved}")
            say(f"  {what}: installed {spec.group(1) if spec else 'nnlib'} "
                f"{after.get('nnlib')}; {'changed ' + str(moved) if moved else 'changed nothing'}"
                f"{'; added ' + ', '.join(added) if added else ''}")  # fmt: skip

    def cwd_for(nb: Path) -> Path:
        if empty_cwd:  # Colab starts in /content, without the repository's files
            folder = scratch / nb.stem
            folder.mkdir(exist_ok=True)
            return folder
        return nb.parent

    failures += run_notebooks(
        env,
        label,
        ctx.notebooks,
        jobs=args.jobs,
        timeout=args.timeout,
        retries=args.retries,
        cwd_for=cwd_for,
    )
    wnb = widget_notebook(ctx.work / f"widgets-{env.name}.ipynb")
    failures += run_notebooks(
        env,
        label,
        [wnb],
        jobs=1,
        timeout=args.timeout,
        retries=args.retries,
        cwd_for=lambda nb: scratch,
    )
    if not any("widgets-" in f for f in failures):
        say("  widgets: every nnlib widget built and each control moved through its values")
    if failures:
        raise StepFailed("\n".join(failures))
    return f"{label}; {len(ctx.notebooks)} notebooks and the widgets passed"


# ------------------------------------------------------------------------------------ main


def main(argv: list[str]) -> int:
    if argv[:1] == ["_run"]:
        return _runner_main(argv[1:])
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "steps", nargs="*", metavar="STEP", help=f"steps to run (default: all): {', '.join(STEPS)}"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=int(os.environ.get("JOBS", 2)),
        help="notebooks (and environments) at a time (default 2)",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=180,
        help="seconds a cell may take before its notebook is rerun (default 180)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=2,
        help="reruns of a notebook whose cell timed out (default 2)",
    )
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="rebuild the environments even if their inputs did not change",
    )
    args = parser.parse_args(argv)
    steps = args.steps or STEPS
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        parser.error(f"unknown step(s) {unknown}; choose from {STEPS}")
    ctx = Context(args)
    ctx.log.write_text("")
    say(
        f"compat: {len(ctx.notebooks)} notebooks from _toc.yml; environments in {ctx.cache}; "
        f"pip output in {ctx.log}"
    )
    results = []
    functions = {
        "kernels": step_kernels,
        "wheel": step_wheel,
        "colab": step_colab,
        "binder": step_binder,
    }
    total, cpu_all = time.perf_counter(), children_cpu()
    try:
        for step in steps:
            say(f"\n=== compat {step}: {functions[step].__doc__.splitlines()[0]}")
            t0, cpu0 = time.perf_counter(), children_cpu()
            try:
                detail, status = functions[step](ctx), "PASS"
            except StepSkipped as exc:
                detail, status = str(exc), "SKIP"
                say(f"  SKIP: {exc}")
            except StepFailed as exc:
                detail, status = str(exc), "FAIL"
                say(f"  FAIL:\n{exc}")
            results.append((step, status, time.perf_counter() - t0, children_cpu() - cpu0, detail))
    finally:
        shutil.rmtree(ctx.work, ignore_errors=True)
    say("\n=== compat summary")
    for step, status, seconds, cpu, detail in results:
        first = detail.splitlines()[0] if detail else ""
        say(f"{status}  {step:<8} {seconds:7.1f} s (cpu {cpu:6.0f} s)  {first}")
    say(
        f"total {time.perf_counter() - total:.0f} s; the processes used "
        f"{children_cpu() - cpu_all:.0f} s of CPU (on an idle 2-core machine the wall time "
        "is about half that, or a little more)"
    )
    return 1 if any(r[1] == "FAIL" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
