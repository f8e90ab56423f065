"""Shared checks for the tests of the exercise checkers (``tests/test_exercises_chNN.py``).

Every chapter's checkers are tested the same way: the solution passes, the stub (which raises
``NotImplementedError``) gets "Not yet", and typical wrong answers get their targeted hint.
"""

from __future__ import annotations

import pytest

from nnlib.exercises import Verdict, evaluate


def stub(*args, **kwargs):
    raise NotImplementedError  # your code here


def forgot_return(*args, **kwargs):
    """An answer that forgot its ``return`` statement."""
    return None


def assert_passes(exercise_id: str, answer) -> None:
    """The answer passes, with the "Correct!" verdict."""
    verdict = evaluate(exercise_id, answer)
    assert verdict.passed, str(verdict)
    assert str(verdict).startswith("✅ Correct!")


def assert_stub_not_yet(exercise_id: str) -> None:
    """The untouched stub gets "Not yet", naming ``NotImplementedError``."""
    verdict = evaluate(exercise_id, stub)
    assert not verdict.passed
    assert str(verdict).startswith("❌ Not yet.")
    assert "NotImplementedError" in verdict.message


def solution_and_stub_tests(solutions: dict):
    """The two tests every chapter's checkers get, parametrised over ``solutions``.

    ``solutions`` maps exercise ids to reference answers. A test module collects them with
    ``test_solution_passes, test_stub_is_not_yet = solution_and_stub_tests(SOLUTIONS)``.
    """
    ids = sorted(solutions)

    @pytest.mark.parametrize("exercise_id", ids)
    def test_solution_passes(exercise_id):
        assert_passes(exercise_id, solutions[exercise_id])

    @pytest.mark.parametrize("exercise_id", ids)
    def test_stub_is_not_yet(exercise_id):
        assert_stub_not_yet(exercise_id)

    return test_solution_passes, test_stub_is_not_yet


def rejected(exercise_id: str, answer) -> Verdict:
    """The verdict on ``answer``, after asserting that it does not pass."""
    verdict = evaluate(exercise_id, answer)
    assert not verdict.passed, str(verdict)
    return verdict


def assert_hint(verdict: Verdict, *fragments: str) -> None:
    """The verdict is a fail whose message or hint contains every fragment."""
    assert not verdict.passed, verdict
    text = f"{verdict.message} {verdict.hint}"
    for fragment in fragments:
        assert fragment in text, text


def case_ids(cases) -> list[str]:
    """Test ids ``"<exercise id>-<index>"`` for a list of ``(exercise_id, ...)`` cases."""
    return [f"{case[0]}-{i}" for i, case in enumerate(cases)]
