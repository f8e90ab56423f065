"""Tests of the exercise framework itself (nnlib/exercises/__init__.py)."""

from __future__ import annotations

import numpy as np
import pytest

import nnlib.exercises
from nnlib.exercises import (
    Fail,
    Verdict,
    as_floats,
    check,
    evaluate,
    exercise,
    expect_close,
    format_value,
    registered,
)


@pytest.fixture(scope="module", autouse=True)
def _forget_test_exercises():
    """The ch99 checkers below exist only for these tests: unregister them afterwards."""
    yield
    for key in [k for k in nnlib.exercises._REGISTRY if k.startswith("ch99.")]:
        del nnlib.exercises._REGISTRY[key]


@exercise("ch99.square", success="Squares, all of them.")
def _square_checker(square):
    for x in (0.0, 1.5, -2.0):
        expect_close(square(x), x * x, f"square({x})", "Multiply x by itself.")


@exercise("ch99.fails_with_hint")
def _failing_checker(answer):
    raise Fail("the answer is wrong", "try again")


def _stub(x):
    raise NotImplementedError  # your code here


def test_check_prints_a_pass(capsys):
    check("ch99.square", lambda x: x * x)
    out = capsys.readouterr()
    assert out.out == "✅ Correct! Squares, all of them.\n"
    assert out.err == ""


def test_default_success_message():
    @exercise("ch99.default_success")
    def _(answer):
        return None

    assert str(evaluate("ch99.default_success", None)) == "✅ Correct! All cases pass."


def test_stub_gets_not_yet_with_the_stub_hint(capsys):
    check("ch99.square", _stub)
    out = capsys.readouterr().out
    assert out.startswith("❌ Not yet. The stub still raises NotImplementedError.")
    assert "💡 Hint: Replace the `raise NotImplementedError` line" in out
    assert "Traceback" not in out


def test_reader_exception_becomes_a_verdict(capsys):
    def broken(x):
        return {}[x]

    check("ch99.square", broken)
    out = capsys.readouterr().out
    assert out.startswith("❌ Not yet. Your code raised KeyError: 0.0")
    assert "Run your function on one small input" in out
    assert "Traceback" not in out


def test_reader_exception_of_any_kind_is_caught():
    def broken(x):
        raise ZeroDivisionError("division by zero")

    verdict = evaluate("ch99.square", broken)
    assert not verdict.passed
    assert verdict.message == "Your code raised ZeroDivisionError: division by zero"


def test_fail_carries_message_and_hint():
    verdict = evaluate("ch99.fails_with_hint", None)
    assert verdict == Verdict("ch99.fails_with_hint", False, "the answer is wrong", "try again")
    assert str(verdict) == "❌ Not yet. the answer is wrong\n💡 Hint: try again"


def test_verdict_without_hint_and_truthiness():
    assert str(Verdict("x.y", False, "wrong")) == "❌ Not yet. wrong"
    assert not Verdict("x.y", False, "wrong")
    assert Verdict("x.y", True, "fine")


def test_unknown_id_lists_the_known_ids():
    with pytest.raises(ValueError) as info:
        check("ch01.nope", None)
    message = str(info.value)
    assert message.startswith("no exercise called 'ch01.nope'; exercises of ch01: ")
    assert all(known in message for known in registered("ch01"))


def test_unknown_chapter_says_none():
    with pytest.raises(ValueError, match="exercises of ch77: none"):
        evaluate("ch77.anything", None)


@pytest.mark.parametrize("bad", ["and_gate", 12, None])
def test_malformed_id(bad):
    with pytest.raises(ValueError, match="exercise ids look like 'ch01.and_gate'"):
        evaluate(bad, None)


def test_malformed_id_at_registration():
    with pytest.raises(ValueError, match="exercise ids look like"):
        exercise("nodot")


def test_registered_lists_and_filters():
    assert "ch99.square" in registered()
    ch01 = registered("ch01")
    assert ch01 and ch01 == sorted(ch01)
    assert all(k.startswith("ch01.") for k in ch01)
    assert set(ch01) <= set(registered())
    assert registered("ch77") == []


def test_checks_load_the_chapter_module_lazily():
    assert "ch01.and_gate" in registered("ch01")


# --- expect_close -----------------------------------------------------------------------------


def test_expect_close_passes():
    expect_close(1.0 + 1e-9, 1.0, "f(1)")
    expect_close([1.0, 2.0], np.array([1.0, 2.0]), "f(x)")


def test_expect_close_on_none():
    with pytest.raises(Fail) as info:
        expect_close(None, 1.0, "f(1)")
    assert info.value.message == "f(1) returned None."
    assert "return" in info.value.hint


def test_expect_close_on_non_number():
    with pytest.raises(Fail, match="f\\(1\\) returned 'one', which is not a number"):
        expect_close("one", 1.0, "f(1)", "give a float")


def test_expect_close_on_shape():
    with pytest.raises(Fail) as info:
        expect_close(np.zeros((2, 3)), np.zeros(3), "f(X)")
    assert info.value.message == "f(X) has shape (2, 3); expected shape (3,)."
    assert info.value.hint == "Check which axis you sum or reduce over."


def test_expect_close_shape_with_own_hint():
    with pytest.raises(Fail) as info:
        expect_close([1.0], 1.0, "f(1)", "return a number")
    assert info.value.hint == "return a number"


def test_expect_close_on_value():
    with pytest.raises(Fail) as info:
        expect_close([1.0, 2.5], [1.0, 2.0], "f(x)", "look again")
    assert info.value.message == "f(x) gave [1. , 2.5]; expected [1., 2.]."
    assert info.value.hint == "look again"


def test_expect_close_tolerance_and_nan():
    expect_close(1.05, 1.0, "f", atol=0.1)
    with pytest.raises(Fail):
        expect_close(1.05, 1.0, "f")
    with pytest.raises(Fail):
        expect_close(np.nan, np.nan, "f")


def test_expect_close_relative_tolerance():
    expect_close(1000.0005, 1000.0, "f", rtol=1e-6)
    with pytest.raises(Fail):
        expect_close(1000.0005, 1000.0, "f")


def test_expect_close_gives_the_hint_of_a_matching_mistake():
    mistakes = [([2.0], "no factor 2"), ([1.0, 1.0], "a pair"), ([3.0], "off by one")]
    with pytest.raises(Fail) as info:
        expect_close([3.0], [4.0], "f(2)", "look again", mistakes=mistakes)
    assert info.value.message == "f(2) gave [3.]; expected [4.]."
    assert info.value.hint == "off by one"
    with pytest.raises(Fail) as info:
        expect_close([5.0], [4.0], "f(2)", "look again", mistakes=mistakes)
    assert info.value.hint == "look again"


def test_expect_close_custom_format():
    with pytest.raises(Fail) as info:
        expect_close([1.0, 2 / 3], [1.0, 0.5], "f(x)", fmt=format_value)
    assert info.value.message == "f(x) gave [1, 0.6667]; expected [1, 0.5]."


def test_as_floats():
    assert as_floats(3, "f").shape == ()
    assert as_floats([1, 2], "f").dtype == np.float64
    with pytest.raises(Fail) as info:
        as_floats(None, "f(1)")
    assert info.value.message == "f(1) returned None."
    with pytest.raises(Fail) as info:
        as_floats("one", "f(1)", "give a float")
    assert info.value.hint == "give a float"


def test_format_value():
    assert format_value(2 / 3) == "0.6667"
    assert format_value(np.array([1, 1e-5])) == "[1, 1e-05]"


def test_a_topic_whose_package_is_missing_is_skipped_with_a_clear_error(tmp_path, monkeypatch):
    """A chapter's numpy checkers still load where torch (say) is not installed, and an
    exercise of the topic that could not load says what to install."""
    import sys

    import nnlib.exercises as ex

    chapter = tmp_path / "ch97"
    chapter.mkdir()
    (chapter / "__init__.py").write_text("")
    (chapter / "plain.py").write_text(
        "from nnlib.exercises import exercise\n\n\n@exercise('ch97.plain')\ndef _(f):\n    pass\n"
    )
    (chapter / "heavy.py").write_text("import a_package_nobody_installed  # noqa: F401\n")
    monkeypatch.setattr(ex, "__path__", [*ex.__path__, str(tmp_path)])
    monkeypatch.setattr(ex, "_REGISTRY", dict(ex._REGISTRY))
    monkeypatch.setattr(ex, "_UNAVAILABLE", {})
    for name in ("nnlib.exercises.ch97", "nnlib.exercises.ch97.plain"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    try:
        assert ex.registered("ch97") == ["ch97.plain"]
        assert ex.evaluate("ch97.plain", lambda: None).passed
        with pytest.raises(ModuleNotFoundError, match="a_package_nobody_installed") as err:
            ex.evaluate("ch97.heavy_one", lambda: None)
        assert err.value.name == "a_package_nobody_installed"
        assert "ch97.heavy" in str(err.value)
    finally:
        for name in [m for m in sys.modules if m.startswith("nnlib.exercises.ch97")]:
            del sys.modules[name]


def test_a_missing_package_raises_instead_of_blaming_the_answer(monkeypatch):
    import nnlib.exercises as ex

    def checker(answer):
        import a_package_nobody_installed  # noqa: F401

    monkeypatch.setitem(ex._REGISTRY, "ch97.needs_a_package", (checker, "ok"))
    with pytest.raises(ModuleNotFoundError, match="a_package_nobody_installed"):
        ex.evaluate("ch97.needs_a_package", lambda: None)
