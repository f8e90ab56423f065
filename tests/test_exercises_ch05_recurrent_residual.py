"""Checkers of Chapter 5's recurrent and residual notebooks: typical wrong answers get their
targeted hint (each reference solution passing: tests/test_exercise_solutions.py)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from exercise_helpers import assert_hint, assert_stub_not_yet, forgot_return, rejected  # noqa: E402

from nnlib.exercises.ch05.recurrent import gru_step, lstm_step  # noqa: E402
from nnlib.exercises.ch05.residual import layer_norm, residual_forward  # noqa: E402

IDS = ["ch05.lstm_step", "ch05.gru_step", "ch05.layer_norm", "ch05.residual_forward"]


@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_not_yet(exercise_id):
    assert_stub_not_yet(exercise_id)


@pytest.mark.parametrize("exercise_id", IDS)
def test_forgotten_return_is_explained(exercise_id):
    assert_hint(rejected(exercise_id, forgot_return), "return")


def lstm_gates_ifog(x, h, c, W_ih, W_hh, b_ih, b_hh):
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    a_i, a_f, a_o, a_g = a.chunk(4, dim=1)
    i, f, o, g = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.sigmoid(a_o), torch.tanh(a_g)
    c = f * c + i * g
    return o * torch.tanh(c), c


def lstm_sigmoid_candidate(x, h, c, W_ih, W_hh, b_ih, b_hh):
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, g, o = torch.sigmoid(a).chunk(4, dim=1)
    c = f * c + i * g
    return o * torch.tanh(c), c


def lstm_old_cell_in_h(x, h, c, W_ih, W_hh, b_ih, b_hh):
    h_new, c_new = lstm_step(x, h, c, W_ih, W_hh, b_ih, b_hh)
    o = torch.sigmoid((x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)[3])
    return o * torch.tanh(c), c_new


def lstm_no_forget(x, h, c, W_ih, W_hh, b_ih, b_hh):
    return lstm_step(x, h, torch.zeros_like(c), W_ih, W_hh, b_ih, b_hh)


def gru_swapped(x, h, W_ih, W_hh, b_ih, b_hh):
    new = gru_step(x, h, W_ih, W_hh, b_ih, b_hh)
    z = torch.sigmoid((x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(3, dim=1)[1])
    n = (new - z * h) / (1 - z)
    return z * n + (1 - z) * h


def gru_reset_before_matmul(x, h, W_ih, W_hh, b_ih, b_hh):
    u_r, u_z, u_n = (x @ W_ih.T + b_ih).chunk(3, dim=1)
    v_r, v_z, _ = (h @ W_hh.T + b_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(u_r + v_r), torch.sigmoid(u_z + v_z)
    n = torch.tanh(u_n + (r * h) @ W_hh[8:].T + b_hh[8:])
    return (1 - z) * n + z * h


WRONG = [
    ("ch05.lstm_step", lstm_gates_ifog, "i, f, g, o"),
    ("ch05.lstm_step", lstm_sigmoid_candidate, "tanh, not the sigmoid"),
    ("ch05.lstm_step", lstm_old_cell_in_h, "*new* cell state"),
    ("ch05.lstm_step", lambda *a: lstm_step(*a)[0], "pair (h_new, c_new)"),
    ("ch05.lstm_step", lstm_no_forget, "Follow the equations"),
    ("ch05.gru_step", gru_swapped, "Swap z and 1 - z"),
    ("ch05.gru_step", gru_reset_before_matmul, "after the matrix product"),
    (
        "ch05.layer_norm",
        lambda x, g, b: (
            g * (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, keepdim=True) + 1e-5) + b
        ),
        "biased variance",
    ),
    (
        "ch05.layer_norm",
        lambda x, g, b: g * (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + 1e-5) + b,
        "batch norm",
    ),
    (
        "ch05.layer_norm",
        lambda x, g, b: (
            (x - x.mean(-1, keepdim=True))
            / torch.sqrt(x.var(-1, unbiased=False, keepdim=True) + 1e-5)
        ),
        "gamma * x_hat + beta",
    ),
    (
        "ch05.residual_forward",
        lambda x, W1, b1, W2, b2: torch.relu(torch.relu(x @ W1.T + b1) @ W2.T + b2),
        "skip connection",
    ),
    (
        "ch05.residual_forward",
        lambda x, W1, b1, W2, b2: x + torch.relu(torch.relu(x @ W1.T + b1) @ W2.T + b2),
        "before* the final ReLU",
    ),
    (
        "ch05.residual_forward",
        lambda x, W1, b1, W2, b2: torch.relu(x + torch.relu(x @ W1 + b1) @ W2 + b2),
        "W.T",
    ),
]


@pytest.mark.parametrize(("exercise_id", "answer", "fragment"), WRONG)
def test_typical_mistakes_get_their_hint(exercise_id, answer, fragment):
    assert_hint(rejected(exercise_id, answer), fragment)


def test_solutions_pass():
    from exercise_helpers import assert_passes

    assert_passes("ch05.lstm_step", lstm_step)
    assert_passes("ch05.gru_step", gru_step)
    assert_passes("ch05.layer_norm", layer_norm)
    assert_passes("ch05.residual_forward", residual_forward)
