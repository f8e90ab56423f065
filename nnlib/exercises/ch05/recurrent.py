"""Chapter 5, recurrent networks: one step of an LSTM cell and of a GRU cell, each checked
against torch.nn.LSTMCell / GRUCell with the same weights (float64)."""

from __future__ import annotations

import numpy as np
import torch

from nnlib.exercises import Fail, exercise, expect_close, solution, tensor_floats

__all__: list[str] = []


_numbers = tensor_floats  # the reader's tensor or array, as floats


def _cases(gates: int):
    """(x, h, c, W_ih, W_hh, b_ih, b_hh) in float64: batch 3, 2 inputs, hidden size 4."""
    g = torch.Generator().manual_seed(5)

    def randn(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64)

    for batch in (3, 1):
        yield (
            randn(batch, 2),
            randn(batch, 4),
            randn(batch, 4),
            randn(gates * 4, 2),
            randn(gates * 4, 4),
            randn(gates * 4),
            randn(gates * 4),
        )


def _lstm_variants(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """The right (h, c) and what typical mistakes give."""
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    a_i, a_f, a_g, a_o = a.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
    c_new = f * c + i * g
    right = (o * torch.tanh(c_new), c_new)
    wrong = []
    # gates read in the order i, f, o, g instead of torch's i, f, g, o
    i2, f2, o2, g2 = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.sigmoid(a_g), torch.tanh(a_o)
    c2 = f2 * c + i2 * g2
    wrong.append(
        (
            (o2 * torch.tanh(c2), c2),
            "torch stacks the four gates in the order i, f, g, o (input, forget, candidate, "
            "output): chunk(4, dim=1) gives them in that order.",
        )
    )
    c3 = f * c + i * torch.sigmoid(a_g)
    wrong.append(
        (
            (o * torch.tanh(c3), c3),
            "The candidate g uses tanh, not the sigmoid: it is a value to write (between -1 "
            "and 1), not a gate.",
        )
    )
    wrong.append(((o * torch.tanh(c), c_new), "h uses the *new* cell state: o * tanh(c_new)."))
    wrong.append(
        ((o * c_new, c_new), "Squash the new cell state with tanh before the output gate.")
    )
    c5 = c + i * g
    wrong.append(((o * torch.tanh(c5), c5), "The old cell state is multiplied by the forget gate."))
    return right, wrong


@exercise("ch05.lstm_step", success="Your LSTM step matches torch.nn.LSTMCell on every case.")
def _(lstm_step):
    for x, h, c, W_ih, W_hh, b_ih, b_hh in _cases(4):
        what = f"lstm_step on a batch of {len(x)}"
        got = lstm_step(x.clone(), h.clone(), c.clone(), W_ih, W_hh, b_ih, b_hh)
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            raise Fail(
                f"{what} returned {type(got).__name__}; expected a pair (h_new, c_new).",
                "Return both states: `return h_new, c_new`.",
            )
        cell = torch.nn.LSTMCell(2, 4).double()
        with torch.no_grad():
            for name, value in zip(
                ("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
                (W_ih, W_hh, b_ih, b_hh),
                strict=True,
            ):
                getattr(cell, name).copy_(value)
            h_ref, c_ref = cell(x, (h, c))
        right, wrong = _lstm_variants(x, h, c, W_ih, W_hh, b_ih, b_hh)
        both = np.concatenate([_numbers(got[0], what), _numbers(got[1], what)], axis=-1)
        expected = torch.cat([h_ref, c_ref], dim=1).numpy()
        mistakes = [(torch.cat(pair, dim=1).numpy(), hint) for pair, hint in wrong]
        expect_close(
            both,
            expected,
            f"{what} (h_new and c_new side by side)",
            "Follow the equations: a = x W_ih^T + b_ih + h W_hh^T + b_hh, split into i, f, g, "
            "o; c_new = f*c + i*g; h_new = o*tanh(c_new).",
            atol=1e-10,
            mistakes=mistakes,
        )


@solution("ch05.lstm_step")
def lstm_step(x, h, c, W_ih, W_hh, b_ih, b_hh):
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    a_i, a_f, a_g, a_o = a.chunk(4, dim=1)
    i, f, o = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.sigmoid(a_o)
    g = torch.tanh(a_g)
    c_new = f * c + i * g
    h_new = o * torch.tanh(c_new)
    return h_new, c_new


def _gru_variants(x, h, W_ih, W_hh, b_ih, b_hh):
    u_r, u_z, u_n = (x @ W_ih.T + b_ih).chunk(3, dim=1)
    v_r, v_z, v_n = (h @ W_hh.T + b_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(u_r + v_r), torch.sigmoid(u_z + v_z)
    n = torch.tanh(u_n + r * v_n)
    right = (1 - z) * n + z * h
    W_hn, b_hn = W_hh[8:], b_hh[8:]
    wrong = [
        (
            z * n + (1 - z) * h,
            "Swap z and 1 - z: in torch's convention z is the share of the *old* state kept, "
            "h_new = (1 - z) * n + z * h.",
        ),
        (
            (1 - z) * torch.tanh(u_n + r * (h @ W_hn.T) + b_hn) + z * h,
            "The reset gate multiplies the whole recurrent part of n, bias included: "
            "r * (h W_hn^T + b_hn).",
        ),
        (
            (1 - z) * torch.tanh(u_n + (r * h) @ W_hn.T + b_hn) + z * h,
            "torch applies the reset gate after the matrix product: r * (h W_hn^T + b_hn), "
            "not (r * h) W_hn^T (that is the variant of the original paper).",
        ),
        (
            (1 - z) * torch.tanh(u_n + v_n) + z * h,
            "The candidate n must use the reset gate: tanh(u_n + r * v_n).",
        ),
    ]
    return right, wrong


@exercise("ch05.gru_step", success="Your GRU step matches torch.nn.GRUCell on every case.")
def _(gru_step):
    for x, h, _c, W_ih, W_hh, b_ih, b_hh in _cases(3):
        what = f"gru_step on a batch of {len(x)}"
        got = _numbers(gru_step(x.clone(), h.clone(), W_ih, W_hh, b_ih, b_hh), what)
        cell = torch.nn.GRUCell(2, 4).double()
        with torch.no_grad():
            for name, value in zip(
                ("weight_ih", "weight_hh", "bias_ih", "bias_hh"),
                (W_ih, W_hh, b_ih, b_hh),
                strict=True,
            ):
                getattr(cell, name).copy_(value)
            expected = cell(x, h).numpy()
        _, wrong = _gru_variants(x, h, W_ih, W_hh, b_ih, b_hh)
        expect_close(
            got,
            expected,
            what,
            "Split x W_ih^T + b_ih and h W_hh^T + b_hh each into three blocks (r, z, n); "
            "r and z are sigmoids of the sums, n = tanh(u_n + r * v_n), "
            "h_new = (1 - z) * n + z * h.",
            atol=1e-10,
            mistakes=[(w.numpy(), hint) for w, hint in wrong],
        )


@solution("ch05.gru_step")
def gru_step(x, h, W_ih, W_hh, b_ih, b_hh):
    u_r, u_z, u_n = (x @ W_ih.T + b_ih).chunk(3, dim=1)
    v_r, v_z, v_n = (h @ W_hh.T + b_hh).chunk(3, dim=1)
    r = torch.sigmoid(u_r + v_r)
    z = torch.sigmoid(u_z + v_z)
    n = torch.tanh(u_n + r * v_n)
    return (1 - z) * n + z * h
