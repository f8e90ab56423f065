"""nnlib.torch.recurrent: RNN, LSTM and GRU cells against torch.nn (float64, 1e-10)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from nnlib.torch.recurrent import (  # noqa: E402
    GRUCell,
    LSTMCell,
    Recurrent,
    RNNCell,
    SequenceClassifier,
    run_cell,
)

PAIRS = [(RNNCell, nn.RNN), (LSTMCell, nn.LSTM), (GRUCell, nn.GRU)]
TOL = 1e-10


def twins(ours_cls, torch_cls, n_in=3, hidden=5, seed=0):
    """Our cell and a one-layer batch-first torch network holding the same weights."""
    torch.manual_seed(seed)
    ours = ours_cls(n_in, hidden).double()
    ref = torch_cls(n_in, hidden, batch_first=True).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(ref, f"{name}_l0").copy_(getattr(ours, name))
    return ours, ref


def initial_state(ours_cls, batch, hidden, seed=1):
    g = torch.Generator().manual_seed(seed)
    h = torch.randn(batch, hidden, generator=g, dtype=torch.float64)
    if ours_cls is LSTMCell:
        return h, torch.randn(batch, hidden, generator=g, dtype=torch.float64)
    return h


def as_torch_state(state):
    if isinstance(state, tuple):
        return tuple(s.unsqueeze(0) for s in state)
    return state.unsqueeze(0)


@pytest.mark.parametrize(("ours_cls", "torch_cls"), PAIRS, ids=["rnn", "lstm", "gru"])
@pytest.mark.parametrize("with_state", [False, True], ids=["zero-state", "given-state"])
def test_values_and_gradients_match_torch(ours_cls, torch_cls, with_state):
    ours, ref = twins(ours_cls, torch_cls)
    x = torch.randn(4, 7, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    x_ours, x_ref = x.clone().requires_grad_(), x.clone().requires_grad_()
    state = initial_state(ours_cls, 4, 5) if with_state else None
    out, final = run_cell(ours, x_ours, state)
    if with_state:
        out_ref, final_ref = ref(x_ref, as_torch_state(state))
    else:
        out_ref, final_ref = ref(x_ref)
    torch.testing.assert_close(out, out_ref, atol=TOL, rtol=0)
    if ours_cls is LSTMCell:
        torch.testing.assert_close(final[0], final_ref[0][0], atol=TOL, rtol=0)
        torch.testing.assert_close(final[1], final_ref[1][0], atol=TOL, rtol=0)
        extra = final[1].sum() * 0.3
        extra_ref = final_ref[1].sum() * 0.3
    else:
        torch.testing.assert_close(final, final_ref[0], atol=TOL, rtol=0)
        extra = extra_ref = 0.0
    weights = torch.randn(out.shape, dtype=torch.float64)
    ((out * weights).sum() + extra).backward()
    ((out_ref * weights).sum() + extra_ref).backward()
    torch.testing.assert_close(x_ours.grad, x_ref.grad, atol=TOL, rtol=0)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        got, want = getattr(ours, name).grad, getattr(ref, f"{name}_l0").grad
        torch.testing.assert_close(got, want, atol=TOL, rtol=0)


@pytest.mark.parametrize(
    ("ours_cls", "torch_cls"),
    [(RNNCell, nn.RNNCell), (LSTMCell, nn.LSTMCell), (GRUCell, nn.GRUCell)],
    ids=["rnn", "lstm", "gru"],
)
def test_one_step_matches_torch_cells(ours_cls, torch_cls):
    torch.manual_seed(3)
    ours = ours_cls(2, 4).double()
    ref = torch_cls(2, 4).double()
    ref.load_state_dict(ours.state_dict())  # same parameter names as torch's cells
    x = torch.randn(6, 2, dtype=torch.float64)
    state = initial_state(ours_cls, 6, 4)
    got, want = ours(x, state), ref(x, state)
    if ours_cls is LSTMCell:
        for a, b in zip(got, want, strict=True):
            torch.testing.assert_close(a, b, atol=TOL, rtol=0)
    else:
        torch.testing.assert_close(got, want, atol=TOL, rtol=0)


@pytest.mark.parametrize("cell_cls", [RNNCell, LSTMCell, GRUCell])
def test_parameter_shapes_and_initialisation_bound(cell_cls):
    cell = cell_cls(3, 8)
    rows = {RNNCell: 8, LSTMCell: 32, GRUCell: 24}[cell_cls]
    assert cell.weight_ih.shape == (rows, 3)
    assert cell.weight_hh.shape == (rows, 8)
    assert cell.bias_ih.shape == cell.bias_hh.shape == (rows,)
    bound = 8**-0.5
    assert all(p.abs().max() <= bound for p in cell.parameters())


def test_recurrent_module_and_classifier_shapes():
    torch.manual_seed(0)
    x = torch.randn(5, 9, 3)
    out, (h, c) = Recurrent(LSTMCell(3, 4))(x)
    assert out.shape == (5, 9, 4) and h.shape == c.shape == (5, 4)
    assert torch.equal(out[:, -1], h)
    logits = SequenceClassifier(GRUCell(3, 6), 2)(x)
    assert logits.shape == (5, 2)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("cell_cls", [RNNCell, LSTMCell, GRUCell])
def test_sequence_without_batch_axis_is_rejected(cell_cls):
    with pytest.raises(ValueError, match="without a batch axis"):
        run_cell(cell_cls(3, 4), torch.randn(7, 3))


@pytest.mark.parametrize("cell_cls", [RNNCell, LSTMCell, GRUCell])
def test_wrong_feature_size_is_rejected(cell_cls):
    with pytest.raises(ValueError, match="5 features but the cell expects input_size=3"):
        run_cell(cell_cls(3, 4), torch.randn(2, 7, 5))
    with pytest.raises(ValueError, match=r"shape \(batch, 3\)"):
        cell_cls(3, 4)(torch.randn(2, 5))


def test_other_bad_inputs():
    with pytest.raises(ValueError, match=r"\(batch, time, features\)"):
        run_cell(RNNCell(3, 4), torch.randn(2, 7, 3, 1))
    with pytest.raises(ValueError, match="no time steps"):
        run_cell(RNNCell(3, 4), torch.randn(2, 0, 3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        run_cell(RNNCell(3, 4), [[[0.0, 0.0, 0.0]]])
    with pytest.raises(TypeError, match="RNNCell, LSTMCell or GRUCell"):
        run_cell(nn.Linear(3, 4), torch.randn(2, 7, 3))
    with pytest.raises(TypeError, match="RNNCell, LSTMCell or GRUCell"):
        Recurrent(nn.LSTM(3, 4))
    with pytest.raises(ValueError, match="state must have shape"):
        RNNCell(3, 4)(torch.randn(2, 3), torch.randn(3, 4))
    with pytest.raises(TypeError, match="pair"):
        LSTMCell(3, 4)(torch.randn(2, 3), torch.randn(2, 4))
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        GRUCell(3, 0)
