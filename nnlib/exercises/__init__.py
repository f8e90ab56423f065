"""Exercise checkers: run the reader's code on cases and say, kindly, what is wrong.

Every chapter notebook ends with exercises. Each one gives a stub to fill in and a line such
as ``check("ch01.and_gate", and_gate)``. The checker runs the reader's function on a few
cases and prints one verdict: a pass, or a "not yet" with a targeted hint. It never prints a
traceback: an exception raised by the reader's code becomes part of the verdict.

Checkers for chapter ``NN`` live in ``nnlib/exercises/chNN.py`` and register themselves
with :func:`exercise`. Taught in: every chapter (see the Preface, "How exercises work").

Examples
--------
>>> from nnlib.exercises import check
>>> check("ch01.and_gate", lambda a, b: int(a and b))  # doctest: +SKIP
✅ Correct! ...
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "Fail",
    "Verdict",
    "as_floats",
    "check",
    "evaluate",
    "exercise",
    "expect_close",
    "format_value",
    "registered",
]

_REGISTRY: dict[str, tuple[Callable, str]] = {}


class Fail(Exception):
    """Raised inside a checker to reject an answer with a hint for the reader.

    Parameters
    ----------
    message : str
        What went wrong, in the reader's terms (for example ``"and_gate(1, 0) returned 1"``).
    hint : str, optional
        A nudge towards the fix, without giving the answer away.
    """

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one answer.

    Attributes
    ----------
    exercise_id : str
        The exercise's id, such as ``"ch01.and_gate"``.
    passed : bool
        Whether the answer passed every case.
    message : str
        What the checker found.
    hint : str or None
        A hint when the answer did not pass.
    """

    exercise_id: str
    passed: bool
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        if self.passed:
            return f"✅ Correct! {self.message}"
        text = f"❌ Not yet. {self.message}"
        if self.hint:
            text += f"\n💡 Hint: {self.hint}"
        return text

    def __bool__(self) -> bool:
        return self.passed


def exercise(exercise_id: str, success: str = "All cases pass.") -> Callable:
    """Register a checker function under ``exercise_id``.

    The decorated function receives the reader's answer and either returns normally (the
    answer passes) or raises :class:`Fail` with a message and a hint.

    Parameters
    ----------
    exercise_id : str
        ``"chNN.name"``; the prefix names the module ``nnlib.exercises.chNN``.
    success : str
        The message printed when the answer passes.
    """
    _module_of(exercise_id)

    def decorate(checker: Callable) -> Callable:
        _REGISTRY[exercise_id] = (checker, success)
        return checker

    return decorate


def _module_of(exercise_id: str) -> str:
    if not isinstance(exercise_id, str) or "." not in exercise_id:
        raise ValueError(
            f"exercise ids look like 'ch01.and_gate' (chapter, dot, name); got {exercise_id!r}"
        )
    return exercise_id.split(".", 1)[0]


def _lookup(exercise_id: str) -> tuple[Callable, str]:
    chapter = _module_of(exercise_id)
    if exercise_id not in _REGISTRY:
        try:
            importlib.import_module(f"{__name__}.{chapter}")
        except ModuleNotFoundError:
            pass
    if exercise_id not in _REGISTRY:
        known = ", ".join(registered(chapter)) or "none"
        raise ValueError(f"no exercise called {exercise_id!r}; exercises of {chapter}: {known}")
    return _REGISTRY[exercise_id]


def registered(chapter: str | None = None) -> list[str]:
    """List the registered exercise ids, optionally only those of one chapter (``"ch01"``)."""
    if chapter is not None:
        try:
            importlib.import_module(f"{__name__}.{chapter}")
        except ModuleNotFoundError:
            return []
    return sorted(k for k in _REGISTRY if chapter is None or k.startswith(chapter + "."))


def evaluate(exercise_id: str, answer) -> Verdict:
    """Check ``answer`` against exercise ``exercise_id`` and return the :class:`Verdict`.

    Exceptions raised by the reader's code are caught and turned into a verdict; only an
    unknown exercise id raises (``ValueError``).
    """
    checker, success = _lookup(exercise_id)
    try:
        checker(answer)
    except Fail as fail:
        return Verdict(exercise_id, False, fail.message, fail.hint)
    except NotImplementedError:
        return Verdict(
            exercise_id,
            False,
            "The stub still raises NotImplementedError.",
            "Replace the `raise NotImplementedError` line with your code, run the cell, "
            "then run the check again.",
        )
    except Exception as exc:  # the reader's code failed: report it, never a traceback
        return Verdict(
            exercise_id,
            False,
            f"Your code raised {type(exc).__name__}: {exc}",
            "Run your function on one small input in a new cell to see where it breaks.",
        )
    return Verdict(exercise_id, True, success)


def as_floats(got, what: str, hint: str | None = None):
    """The reader's result as a float array, or :class:`Fail` saying why it is not a number.

    A helper for checkers: a ``None`` (a forgotten ``return``) and a value that is not a
    number or an array are explained in the reader's terms.

    Parameters
    ----------
    got : array_like or None
        What the reader's code produced.
    what : str
        How to name the call in the message, such as ``"and_gate(1, 0)"``.
    hint : str, optional
        The hint to show when ``got`` is not a number or an array.

    Returns
    -------
    numpy.ndarray
        ``got`` as floats (0-d for a number).
    """
    import numpy as np

    if got is None:
        raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
    try:
        return np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Fail(f"{what} returned {got!r}, which is not a number or an array.", hint) from None


def format_value(value) -> str:
    """A number or an array with 4 significant digits, for a verdict message."""
    import numpy as np

    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return f"{float(arr):.4g}"
    return np.array2string(arr, separator=", ", formatter={"float_kind": lambda v: f"{v:.4g}"})


def _rounded(arr) -> str:
    import numpy as np

    return np.array2string(np.round(arr, 4), separator=", ")


def expect_close(
    got,
    expected,
    what: str,
    hint: str | None = None,
    atol: float = 1e-6,
    *,
    rtol: float = 0.0,
    mistakes=(),
    fmt: Callable[[object], str] | None = None,
):
    """Raise :class:`Fail` unless ``got`` equals ``expected`` to within the tolerances.

    A helper for checkers: it explains a ``None`` (a forgotten ``return``), a wrong shape or
    a wrong value in the reader's terms, and recognises typical wrong answers.

    Parameters
    ----------
    got : array_like or None
        What the reader's code produced.
    expected : array_like
        The right answer.
    what : str
        How to name the call in the message, such as ``"and_gate(1, 0)"``.
    hint : str, optional
        The hint to show when the value is wrong (and matches none of ``mistakes``).
    atol : float
        The absolute tolerance.
    rtol : float
        The relative tolerance (as in :func:`numpy.allclose`).
    mistakes : sequence of (array_like, str)
        Typical wrong answers and their targeted hints: a wrong ``got`` that matches one of
        these values (same shape, within the tolerances) gets that hint instead of ``hint``.
    fmt : callable, optional
        Formats ``got`` and ``expected`` for the message; by default, rounded to 4 decimals
        (:func:`format_value` gives 4 significant digits).
    """
    import numpy as np

    got_arr = as_floats(got, what, hint)
    exp_arr = np.asarray(expected, dtype=float)
    if got_arr.shape != exp_arr.shape:
        raise Fail(
            f"{what} has shape {got_arr.shape}; expected shape {exp_arr.shape}.",
            hint or "Check which axis you sum or reduce over.",
        )
    if np.allclose(got_arr, exp_arr, atol=atol, rtol=rtol, equal_nan=False):
        return
    fmt = fmt or _rounded
    message = f"{what} gave {fmt(got_arr)}; expected {fmt(exp_arr)}."
    for value, mistake_hint in mistakes:
        wrong = np.asarray(value, dtype=float)
        if got_arr.shape == wrong.shape and np.allclose(got_arr, wrong, atol=atol, rtol=rtol):
            raise Fail(message, mistake_hint)
    raise Fail(message, hint)


def check(exercise_id: str, answer) -> None:
    """Check the reader's answer to an exercise and print the verdict.

    Parameters
    ----------
    exercise_id : str
        The id shown in the exercise, such as ``"ch01.and_gate"``.
    answer : callable or object
        What the exercise asks for: usually a function, sometimes a value.
    """
    # One write, so the verdict arrives as one output chunk (print may send the text and its
    # newline separately, which shows as two boxes in some front ends).
    sys.stdout.write(f"{evaluate(exercise_id, answer)}\n")
