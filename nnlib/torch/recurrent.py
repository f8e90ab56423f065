"""Recurrent cells written from their equations: vanilla RNN, LSTM and GRU.

Taught in: Chapter 5, Architectures (recurrent networks).

A recurrent network reads a sequence one step at a time and carries a *hidden state* from
step to step. A *cell* is the rule for one step: it takes the input ``x_t`` of the current
step and the previous state and returns the new state. Running the same cell (the same
weights) over every step is the whole network; :func:`run_cell` does that loop.

Shapes are batch-first throughout, as with ``torch.nn.LSTM(batch_first=True)``:

- a sequence is ``(batch, time, features)``; one step of it is ``(batch, features)``;
- a hidden state ``h`` (and the LSTM's cell state ``c``) is ``(batch, hidden_size)``.

The weights are named and laid out as in ``torch.nn.RNNCell`` / ``LSTMCell`` / ``GRUCell``
(``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``, gates stacked in torch's order), so
that weights copied from ``torch.nn.LSTM`` give the same numbers, which the tests check to
1e-10 in float64.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["GRUCell", "LSTMCell", "RNNCell", "Recurrent", "SequenceClassifier", "run_cell"]


class _Cell(nn.Module):
    """What the three cells share: the weights, their initialisation and input checks."""

    #: how many blocks of ``hidden_size`` rows the stacked weights have (one per gate)
    gates = 1

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"{type(self).__name__}: {name} must be a positive integer; got {value!r}"
                )
        self.input_size, self.hidden_size = input_size, hidden_size
        rows = self.gates * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(rows, input_size))
        self.weight_hh = nn.Parameter(torch.empty(rows, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(rows))
        self.bias_hh = nn.Parameter(torch.empty(rows))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Uniform in ``[-1/sqrt(hidden_size), 1/sqrt(hidden_size)]``, as torch does."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"

    def _check_step(self, x: torch.Tensor, h: torch.Tensor | None) -> torch.Tensor:
        name = type(self).__name__
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"{name}: x must be a torch.Tensor; got {type(x).__name__}")
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(
                f"{name}: one step of input must have shape (batch, {self.input_size}); got "
                f"{tuple(x.shape)} (a whole sequence goes to run_cell or Recurrent)"
            )
        if h is None:
            return x.new_zeros(len(x), self.hidden_size)
        if h.shape != (len(x), self.hidden_size):
            raise ValueError(
                f"{name}: the state must have shape (batch, hidden_size) = "
                f"({len(x)}, {self.hidden_size}); got {tuple(h.shape)}"
            )
        return h

    def _linear(self, x: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The input part ``W_ih x + b_ih`` and the recurrent part ``W_hh h + b_hh``."""
        return x @ self.weight_ih.T + self.bias_ih, h @ self.weight_hh.T + self.bias_hh


class RNNCell(_Cell):
    r"""The vanilla (Elman) recurrent cell: :math:`h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh}
    h_{t-1} + b_{hh})`.

    Taught in: Chapter 5, Architectures (recurrent networks).

    Parameters
    ----------
    input_size : int
        Features per step of the input.
    hidden_size : int
        Size of the hidden state.

    Notes
    -----
    ``forward(x, h=None)`` takes one step ``x`` of shape ``(batch, input_size)`` and the
    previous state ``h`` of shape ``(batch, hidden_size)`` (zeros when ``None``) and returns
    the new state, of the same shape as ``h``. Same numbers as ``torch.nn.RNNCell``.
    """

    gates = 1

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        h = self._check_step(x, h)
        from_input, from_state = self._linear(x, h)
        return torch.tanh(from_input + from_state)


class LSTMCell(_Cell):
    r"""The long short-term memory cell (Hochreiter & Schmidhuber, 1997, with a forget gate).

    Taught in: Chapter 5, Architectures (recurrent networks).

    With :math:`a = W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}` split into four blocks
    :math:`a_i, a_f, a_g, a_o` (torch's order):

    .. math::

        i = \sigma(a_i),\quad f = \sigma(a_f),\quad g = \tanh(a_g),\quad o = \sigma(a_o),\\
        c_t = f \odot c_{t-1} + i \odot g,\qquad h_t = o \odot \tanh(c_t).

    The cell state :math:`c` is the memory: it changes only by the forget gate's
    multiplication and the input gate's addition, so gradients can travel along it for many
    steps.

    Parameters
    ----------
    input_size : int
    hidden_size : int

    Notes
    -----
    ``forward(x, state=None)`` takes ``x`` of shape ``(batch, input_size)`` and
    ``state = (h, c)``, each ``(batch, hidden_size)`` (zeros when ``None``), and returns the
    new ``(h, c)``. Same numbers as ``torch.nn.LSTMCell``.
    """

    gates = 4

    def forward(self, x: torch.Tensor, state=None) -> tuple[torch.Tensor, torch.Tensor]:
        h, c = (None, None) if state is None else _pair(state, "LSTMCell")
        h = self._check_step(x, h)
        c = self._check_step(x, c)
        from_input, from_state = self._linear(x, h)
        a_i, a_f, a_g, a_o = (from_input + from_state).chunk(4, dim=1)
        i, f, g, o = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        return h, c


class GRUCell(_Cell):
    r"""The gated recurrent unit (Cho et al., 2014).

    Taught in: Chapter 5, Architectures (recurrent networks).

    With the input part :math:`W_{ih} x_t + b_{ih}` split into :math:`u_r, u_z, u_n` and the
    recurrent part :math:`W_{hh} h_{t-1} + b_{hh}` into :math:`v_r, v_z, v_n` (torch's order):

    .. math::

        r = \sigma(u_r + v_r),\quad z = \sigma(u_z + v_z),\quad
        n = \tanh(u_n + r \odot v_n),\\
        h_t = (1 - z) \odot n + z \odot h_{t-1}.

    The update gate :math:`z` chooses between keeping the old state and taking the
    candidate :math:`n`; the reset gate :math:`r` decides how much of the old state the
    candidate sees.

    Parameters
    ----------
    input_size : int
    hidden_size : int

    Notes
    -----
    ``forward(x, h=None)``: ``x`` is ``(batch, input_size)``, ``h`` is
    ``(batch, hidden_size)`` (zeros when ``None``); returns the new ``h``. Same numbers as
    ``torch.nn.GRUCell``.
    """

    gates = 3

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        h = self._check_step(x, h)
        from_input, from_state = self._linear(x, h)
        u_r, u_z, u_n = from_input.chunk(3, dim=1)
        v_r, v_z, v_n = from_state.chunk(3, dim=1)
        r = torch.sigmoid(u_r + v_r)
        z = torch.sigmoid(u_z + v_z)
        n = torch.tanh(u_n + r * v_n)
        return (1 - z) * n + z * h


def _pair(state, name: str):
    if not (isinstance(state, (tuple, list)) and len(state) == 2):
        raise TypeError(f"{name}: the state must be a pair (h, c); got {type(state).__name__}")
    return state


def _check_sequence(cell: nn.Module, x) -> None:
    if not isinstance(cell, _Cell):
        raise TypeError(
            f"run_cell: cell must be an RNNCell, LSTMCell or GRUCell; got {type(cell).__name__}"
        )
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"run_cell: x must be a torch.Tensor; got {type(x).__name__}")
    if x.ndim == 2:
        raise ValueError(
            f"run_cell: x has shape {tuple(x.shape)}, a sequence without a batch axis; "
            "sequences are (batch, time, features): use x.unsqueeze(0) for a single one"
        )
    if x.ndim != 3:
        raise ValueError(
            f"run_cell: x must have shape (batch, time, features); got {tuple(x.shape)}"
        )
    if x.shape[2] != cell.input_size:
        raise ValueError(
            f"run_cell: each step has {x.shape[2]} features but the cell expects "
            f"input_size={cell.input_size}"
        )
    if x.shape[1] == 0:
        raise ValueError("run_cell: the sequence has no time steps")


def run_cell(cell: nn.Module, x: torch.Tensor, state=None):
    """Run a recurrent cell over a whole sequence, one step at a time.

    Taught in: Chapter 5, Architectures (recurrent networks).

    Parameters
    ----------
    cell : RNNCell, LSTMCell or GRUCell
    x : torch.Tensor, shape (batch, time, input_size)
        The sequence, batch first.
    state : tensor or (h, c), optional
        The initial state (zeros by default): ``h`` of shape ``(batch, hidden_size)``, or
        the pair ``(h, c)`` for an LSTM cell.

    Returns
    -------
    outputs : torch.Tensor, shape (batch, time, hidden_size)
        The hidden state ``h_t`` after every step.
    state : tensor or (h, c)
        The final state (for an LSTM, the pair ``(h_T, c_T)``).

    Raises
    ------
    ValueError
        For a sequence without a batch axis (2-D), a wrong number of features or an empty
        sequence.
    """
    _check_sequence(cell, x)
    outputs = []
    for t in range(x.shape[1]):
        state = cell(x[:, t], state)
        outputs.append(state[0] if isinstance(state, tuple) else state)
    return torch.stack(outputs, dim=1), state


class Recurrent(nn.Module):
    """A cell run over a sequence, as a module: ``Recurrent(LSTMCell(3, 8))(x)``.

    Taught in: Chapter 5, Architectures (recurrent networks).

    The from-scratch counterpart of ``torch.nn.RNN`` / ``LSTM`` / ``GRU`` with
    ``batch_first=True`` and one layer: ``forward(x, state=None)`` returns
    ``(outputs, state)`` exactly as :func:`run_cell` does.

    Parameters
    ----------
    cell : RNNCell, LSTMCell or GRUCell
    """

    def __init__(self, cell: nn.Module):
        super().__init__()
        if not isinstance(cell, _Cell):
            raise TypeError(
                f"Recurrent: cell must be an RNNCell, LSTMCell or GRUCell; "
                f"got {type(cell).__name__}"
            )
        self.cell = cell

    def forward(self, x: torch.Tensor, state=None):
        return run_cell(self.cell, x, state)


class SequenceClassifier(nn.Module):
    """A recurrent cell that reads a sequence, then a linear layer on its last hidden state.

    Taught in: Chapter 5, Architectures (recurrent networks).

    ``forward(x)`` maps a batch of sequences ``(batch, time, input_size)`` to class scores
    (logits) ``(batch, n_classes)``: the whole sequence must be summarised in ``h_T``.

    Parameters
    ----------
    cell : RNNCell, LSTMCell or GRUCell
    n_classes : int
        Number of outputs.
    """

    def __init__(self, cell: nn.Module, n_classes: int):
        super().__init__()
        self.recurrent = Recurrent(cell)
        self.head = nn.Linear(cell.hidden_size, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.recurrent(x)
        return self.head(outputs[:, -1])
