"""The first artificial neurons: threshold logic, Hebbian learning, the perceptron.

Three ideas from 1943 to 1958, each small enough to read in one sitting:

- :class:`McCullochPittsUnit` (1943): binary inputs, fixed weights, a threshold. Units for
  AND, OR and NOT, and :class:`ThresholdNetwork` to wire units into layers (XOR needs two).
- Hebb's rule (1949): :func:`hebbian_update` strengthens connections between co-active
  units; :class:`HebbianMemory` stores patterns with it and recalls them from noisy cues;
  :func:`train_hebbian` shows the weights of a plain Hebbian neuron growing without bound
  and :func:`oja_update` (Oja, 1982) keeping them bounded.
- :class:`Perceptron` (1958): Rosenblatt's error-correcting rule, which converges on
  linearly separable data and never on XOR.

Taught in: Chapter 1, History.
"""

from __future__ import annotations

import itertools
import numbers
from dataclasses import dataclass

import numpy as np

from nnlib._validate import as_float_array, as_rng, check_finite, check_positive, describe

__all__ = [
    "AND",
    "NOT",
    "OR",
    "HebbianMemory",
    "HebbianRun",
    "McCullochPittsUnit",
    "Perceptron",
    "ThresholdNetwork",
    "and_unit",
    "binary_inputs",
    "corrupt",
    "find_threshold_units",
    "hebbian_update",
    "mistake_bound",
    "not_unit",
    "oja_update",
    "or_unit",
    "train_hebbian",
    "xor_network",
]


# ---------------------------------------------------------------------------------------------
# McCulloch-Pitts threshold units (1943)
# ---------------------------------------------------------------------------------------------


def _check_real(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {describe(value)}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value}")
    return float(value)


def _check_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int; got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}")
    return int(value)


def _binary(x, n_inputs: int, name: str = "x") -> tuple[np.ndarray, bool]:
    """Check binary inputs of shape (n_inputs,) or (m, n_inputs); return (2-D array, single)."""
    arr = as_float_array(x, name, ndim=(1, 2))
    if arr.shape[-1] != n_inputs:
        raise ValueError(
            f"{name} must have {n_inputs} input(s) per sample (shape ({n_inputs},) or "
            f"(m, {n_inputs})); got shape {arr.shape}"
        )
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        value = arr[bad].flat[0]
        raise ValueError(
            f"{name} must be binary: McCulloch-Pitts inputs are 0 or 1; got the value {value}"
        )
    single = arr.ndim == 1
    return (arr[None, :] if single else arr), single


class McCullochPittsUnit:
    """A threshold logic unit: it fires (outputs 1) when its weighted input reaches a threshold.

    With binary inputs :math:`x_j \\in \\{0, 1\\}`, weights :math:`w_j` and threshold
    :math:`\\theta`, the unit outputs

    .. math:: y = 1 \\text{ if } \\sum_j w_j x_j \\ge \\theta \\text{, else } 0.

    In the 1943 model an *inhibitory* input is absolute: if any of them is on, the unit stays
    silent whatever the others do. Name such inputs with ``inhibitory``; a negative weight is
    the modern, softer way of saying the same thing.

    Taught in: Chapter 1, History.

    Parameters
    ----------
    weights : array_like of shape (n_inputs,)
        One real weight per input.
    threshold : float
        The unit fires when the weighted sum is at least this.
    inhibitory : sequence of int, optional
        Indices of inputs with absolute inhibition (the 1943 veto).

    Examples
    --------
    >>> unit = McCullochPittsUnit([1, 1], threshold=2)  # AND
    >>> unit([1, 1]), unit([0, 1])
    (1, 0)
    >>> unit([[0, 0], [1, 1]]).tolist()
    [0, 1]
    """

    def __init__(self, weights, threshold, inhibitory=()):
        w = as_float_array(weights, "weights", ndim=1)
        if w.size == 0:
            raise ValueError("weights is empty; a unit needs at least one input")
        check_finite(w, "weights")
        self._w = w.astype(np.float64, copy=True)
        self._w.setflags(write=False)
        self._theta = _check_real(threshold, "threshold")
        if isinstance(inhibitory, (str, bytes)) or not hasattr(inhibitory, "__iter__"):
            raise TypeError(f"inhibitory must be a sequence of input indices; got {inhibitory!r}")
        idx = []
        for i in inhibitory:
            if isinstance(i, (bool, np.bool_)) or not isinstance(i, numbers.Integral):
                raise TypeError(f"inhibitory must hold int indices; got {i!r}")
            if not 0 <= i < w.size:
                raise ValueError(
                    f"inhibitory index {i} is out of range for a unit with {w.size} input(s)"
                )
            idx.append(int(i))
        self._inhibitory = tuple(sorted(set(idx)))

    @property
    def weights(self) -> np.ndarray:
        """The weights (a read-only float array)."""
        return self._w

    @property
    def threshold(self) -> float:
        """The threshold :math:`\\theta`."""
        return self._theta

    @property
    def inhibitory(self) -> tuple[int, ...]:
        """Indices of the inputs with absolute inhibition."""
        return self._inhibitory

    @property
    def n_inputs(self) -> int:
        """The number of inputs."""
        return self._w.size

    def net_input(self, x) -> np.ndarray | float:
        """The weighted sum :math:`\\sum_j w_j x_j` for one input or a batch."""
        arr, single = _binary(x, self.n_inputs)
        s = arr @ self._w
        return float(s[0]) if single else s

    def __call__(self, x):
        """Fire or not: 0/1 for one input of shape ``(n_inputs,)``, an int array for a batch."""
        arr, single = _binary(x, self.n_inputs)
        fires = arr @ self._w >= self._theta
        if self._inhibitory:
            fires &= ~arr[:, list(self._inhibitory)].astype(bool).any(axis=1)
        out = fires.astype(np.int64)
        return int(out[0]) if single else out

    def __repr__(self) -> str:
        w = ", ".join(f"{v:g}" for v in self._w)
        extra = f", inhibitory={list(self._inhibitory)}" if self._inhibitory else ""
        return f"McCullochPittsUnit(weights=[{w}], threshold={self._theta:g}{extra})"


def and_unit(n_inputs: int = 2) -> McCullochPittsUnit:
    """A unit that fires only when all ``n_inputs`` inputs are on (weights 1, threshold n).

    Taught in: Chapter 1, History.
    """
    n = _check_int(n_inputs, "n_inputs")
    return McCullochPittsUnit(np.ones(n), threshold=n)


def or_unit(n_inputs: int = 2) -> McCullochPittsUnit:
    """A unit that fires when at least one input is on (weights 1, threshold 1).

    Taught in: Chapter 1, History.
    """
    n = _check_int(n_inputs, "n_inputs")
    return McCullochPittsUnit(np.ones(n), threshold=1)


def not_unit() -> McCullochPittsUnit:
    """A one-input unit that fires when its input is off (weight -1, threshold 0).

    Taught in: Chapter 1, History.
    """
    return McCullochPittsUnit([-1.0], threshold=0)


#: A ready-made two-input AND unit (weights 1 and 1, threshold 2).
AND = and_unit()
#: A ready-made two-input OR unit (weights 1 and 1, threshold 1).
OR = or_unit()
#: A ready-made one-input NOT unit (weight -1, threshold 0).
NOT = not_unit()


class ThresholdNetwork:
    """Layers of McCulloch-Pitts units, each layer reading the outputs of the one before.

    Taught in: Chapter 1, History.

    Parameters
    ----------
    layers : sequence of sequences of McCullochPittsUnit
        ``layers[0]`` reads the network's inputs; every unit of ``layers[k]`` reads the
        outputs of ``layers[k - 1]``, in order.

    Examples
    --------
    >>> net = xor_network()
    >>> [net(x) for x in ([0, 0], [0, 1], [1, 0], [1, 1])]
    [0, 1, 1, 0]
    """

    def __init__(self, layers):
        if isinstance(layers, McCullochPittsUnit) or not hasattr(layers, "__iter__"):
            raise TypeError("layers must be a list of layers, each a list of units")
        self.layers: list[list[McCullochPittsUnit]] = []
        for k, layer in enumerate(layers):
            if isinstance(layer, McCullochPittsUnit):
                layer = [layer]
            layer = list(layer)
            if not layer:
                raise ValueError(f"layer {k} is empty; every layer needs at least one unit")
            for unit in layer:
                if not isinstance(unit, McCullochPittsUnit):
                    raise TypeError(
                        f"layer {k} must hold McCullochPittsUnit objects; got {describe(unit)}"
                    )
            if k == 0:
                sizes = {u.n_inputs for u in layer}
                if len(sizes) != 1:
                    raise ValueError(
                        f"the units of layer 0 must read the same inputs; got input sizes "
                        f"{sorted(sizes)}"
                    )
            else:
                n_prev = len(self.layers[-1])
                for unit in layer:
                    if unit.n_inputs != n_prev:
                        raise ValueError(
                            f"layer {k} reads the {n_prev} outputs of layer {k - 1}, but has a "
                            f"unit with {unit.n_inputs} input(s)"
                        )
            self.layers.append(layer)
        if not self.layers:
            raise ValueError("layers is empty; a network needs at least one layer")

    @property
    def n_inputs(self) -> int:
        """The number of inputs the first layer reads."""
        return self.layers[0][0].n_inputs

    def __call__(self, x):
        """Run the network; a single output unit gives 0/1 (or a 1-D array for a batch)."""
        arr, single = _binary(x, self.n_inputs)
        for layer in self.layers:
            arr = np.stack([unit(arr) for unit in layer], axis=1)
        if arr.shape[1] == 1:
            arr = arr[:, 0]
            return int(arr[0]) if single else arr
        return arr[0] if single else arr

    def __repr__(self) -> str:
        sizes = [self.n_inputs] + [len(layer) for layer in self.layers]
        return f"ThresholdNetwork(sizes={sizes})"


def xor_network() -> ThresholdNetwork:
    """Two layers of threshold units computing XOR.

    The hidden units detect "x1 and not x2" (weights 1, -1, threshold 1) and "x2 and not x1";
    the output unit is their OR. No single unit can do this (see
    :func:`find_threshold_units`).

    Taught in: Chapter 1, History.
    """
    hidden = [McCullochPittsUnit([1, -1], 1), McCullochPittsUnit([-1, 1], 1)]
    return ThresholdNetwork([hidden, [or_unit(2)]])


def binary_inputs(n_inputs: int) -> np.ndarray:
    """Every binary input of length ``n_inputs``, one per row, in truth-table order.

    Taught in: Chapter 1, History.

    Returns
    -------
    ndarray of shape (2**n_inputs, n_inputs), float64
        For two inputs: (0,0), (0,1), (1,0), (1,1).
    """
    n = _check_int(n_inputs, "n_inputs")
    if n > 20:
        raise ValueError(f"n_inputs={n} would give {2**n} rows; use at most 20")
    return np.array(list(itertools.product((0.0, 1.0), repeat=n)))


def find_threshold_units(X, y, values=None) -> list[tuple[tuple[float, ...], float]]:
    """Search a grid for single threshold units that reproduce a truth table.

    Every combination of weights and threshold taken from ``values`` is tried; the ones
    whose outputs on ``X`` equal ``y`` everywhere are returned. An empty list for XOR, on
    any grid, is the brute-force side of the fact that no single unit computes it.

    Taught in: Chapter 1, History.

    Parameters
    ----------
    X : array_like of shape (m, n)
        Binary inputs.
    y : array_like of shape (m,)
        The wanted outputs, 0 or 1.
    values : array_like, optional
        The candidate values for each weight and for the threshold; by default
        ``numpy.linspace(-2, 2, 17)`` (steps of 0.25).

    Returns
    -------
    list of (weights, threshold)
        Every solution on the grid (weights as a tuple of floats).
    """
    Xa = as_float_array(X, "X", ndim=2)
    if Xa.shape[0] == 0:
        raise ValueError("X is empty; expected at least one row of inputs")
    Xa, _ = _binary(Xa, Xa.shape[1], "X")
    ya = np.asarray(y)
    if ya.shape != (Xa.shape[0],):
        raise ValueError(
            f"y must have shape ({Xa.shape[0]},), one output per row of X; got {ya.shape}"
        )
    if not np.isin(ya, (0, 1)).all():
        raise ValueError(f"y must hold 0 or 1; got values {sorted(set(ya.tolist()))}")
    grid = np.linspace(-2, 2, 17) if values is None else as_float_array(values, "values", ndim=1)
    if grid.size == 0:
        raise ValueError("values is empty; give at least one candidate value")
    check_finite(grid, "values")
    n = Xa.shape[1]
    if grid.size ** (n + 1) > 5_000_000:
        raise ValueError(
            f"{grid.size} values for {n} weights and a threshold make {grid.size ** (n + 1)} "
            "candidates; use a coarser grid (at most 5,000,000 candidates)"
        )
    # every combination, in the order of itertools.product: shape (K, n + 1)
    cand = np.stack(np.meshgrid(*[grid] * (n + 1), indexing="ij"), axis=-1).reshape(-1, n + 1)
    fires = (Xa @ cand[:, :n].T) >= cand[:, n]  # (m, K)
    ok = (fires == ya.astype(bool)[:, None]).all(axis=0)
    return [(tuple(float(v) for v in c[:n]), float(c[n])) for c in cand[ok]]


# ---------------------------------------------------------------------------------------------
# Hebbian learning (1949) and Oja's normalised rule (1982)
# ---------------------------------------------------------------------------------------------


def _weights_and_input(W, x, where: str) -> tuple[np.ndarray, np.ndarray]:
    Wa = as_float_array(W, "W", ndim=(1, 2))
    xa = as_float_array(x, "x", ndim=1)
    check_finite(Wa, "W")
    check_finite(xa, "x")
    if Wa.shape[-1] != xa.shape[0]:
        raise ValueError(
            f"{where}: W has {Wa.shape[-1]} input column(s) (shape {Wa.shape}) but x has "
            f"{xa.shape[0]} value(s); W must have shape (n_out, {xa.shape[0]}) or "
            f"({xa.shape[0]},)"
        )
    return Wa, xa


def hebbian_update(W, x, y, lr: float = 0.1) -> np.ndarray:
    """One step of Hebb's rule: strengthen each weight by the product of its two activities.

    .. math:: \\Delta W_{ij} = \\eta \\, y_i \\, x_j

    where :math:`x_j` is the activity of input :math:`j`, :math:`y_i` that of output
    :math:`i` and :math:`\\eta` the learning rate. Nothing in the rule ever makes a weight
    smaller when the activities agree in sign, which is why it needs a normalisation.

    Taught in: Chapter 1, History.

    Parameters
    ----------
    W : array_like of shape (n_out, n_in), or (n_in,) for one output unit
        The current weights (not modified).
    x : array_like of shape (n_in,)
        The input activities.
    y : array_like of shape (n_out,), or a number for one output unit
        The output activities.
    lr : float
        The learning rate :math:`\\eta > 0`.

    Returns
    -------
    ndarray
        The new weights, ``W + lr * outer(y, x)``, with the shape of ``W``.
    """
    Wa, xa = _weights_and_input(W, x, "hebbian_update")
    check_positive(lr, "lr")
    ya = as_float_array(y, "y", ndim=(0, 1))
    check_finite(ya, "y")
    n_out = 1 if Wa.ndim == 1 else Wa.shape[0]
    if ya.size != n_out or (Wa.ndim == 2 and ya.ndim != 1):
        want = "a number (or shape (1,))" if Wa.ndim == 1 else f"shape ({n_out},)"
        raise ValueError(
            f"hebbian_update: y must have one value per output unit, {want}; got shape "
            f"{ya.shape} for W of shape {Wa.shape}"
        )
    if Wa.ndim == 1:
        return Wa + lr * float(ya.reshape(())) * xa
    return Wa + lr * np.outer(ya, xa)


def oja_update(W, x, lr: float = 0.01) -> np.ndarray:
    """One step of Oja's rule: Hebb's rule plus a decay that keeps the weights bounded.

    For a linear unit with output :math:`y = w \\cdot x`,

    .. math:: \\Delta w = \\eta \\, y \\, (x - y \\, w).

    The extra term :math:`-\\eta y^2 w` shrinks the weights as they grow; the weight vector
    converges to unit length, along the direction of largest variance of the inputs (the
    first principal component). For several output units (``W`` of shape (n_out, n_in)) this
    is Oja's subspace rule, :math:`\\Delta W = \\eta (y x^T - y y^T W)` with :math:`y = W x`.

    Taught in: Chapter 1, History.

    Parameters
    ----------
    W : array_like of shape (n_in,) or (n_out, n_in)
        The current weights (not modified).
    x : array_like of shape (n_in,)
        The input.
    lr : float
        The learning rate :math:`\\eta > 0`.

    Returns
    -------
    ndarray
        The new weights, with the shape of ``W``.
    """
    Wa, xa = _weights_and_input(W, x, "oja_update")
    check_positive(lr, "lr")
    if Wa.ndim == 1:
        y = float(Wa @ xa)
        return Wa + lr * y * (xa - y * Wa)
    y = Wa @ xa
    return Wa + lr * (np.outer(y, xa) - np.outer(y, y) @ Wa)


@dataclass(frozen=True)
class HebbianRun:
    """What :func:`train_hebbian` returns.

    Taught in: Chapter 1, History.

    Attributes
    ----------
    weights : ndarray of shape (n_in,)
        The final weight vector.
    norms : ndarray of shape (n_steps + 1,)
        The Euclidean norm of the weights before the first step and after each step.
    rule : str
        ``"hebb"`` or ``"oja"``.
    """

    weights: np.ndarray
    norms: np.ndarray
    rule: str


def train_hebbian(X, rule: str = "hebb", lr: float = 0.01, epochs: int = 5, w0=None, rng=0):
    """Train one linear unit :math:`y = w \\cdot x` on the rows of ``X`` with Hebb's or Oja's rule.

    Each epoch visits the rows in a new random order. The plain Hebbian weights grow
    roughly geometrically (by a factor near :math:`1 + \\eta \\lambda_1` per step, with
    :math:`\\lambda_1` the largest variance of the data); Oja's stay near unit length.

    Taught in: Chapter 1, History.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_in)
        The inputs (best centred: Hebbian learning follows the correlations of the data).
    rule : {"hebb", "oja"}
        The learning rule.
    lr : float
        The learning rate.
    epochs : int
        Passes over the data.
    w0 : array_like of shape (n_in,), optional
        The starting weights; by default a random vector of length 0.1.
    rng : None, int or numpy.random.Generator
        The seed for the order of the samples and for ``w0``.

    Returns
    -------
    HebbianRun
        The final weights and the weight norm after every step.
    """
    Xa = as_float_array(X, "X", ndim=2)
    if Xa.shape[0] == 0:
        raise ValueError(f"X is empty (shape {Xa.shape}); expected at least one sample")
    check_finite(Xa, "X")
    if rule not in ("hebb", "oja"):
        raise ValueError(f"rule must be 'hebb' or 'oja'; got {rule!r}")
    check_positive(lr, "lr")
    epochs = _check_int(epochs, "epochs")
    gen = as_rng(rng)
    if w0 is None:
        w = gen.normal(size=Xa.shape[1])
        w *= 0.1 / np.linalg.norm(w)
    else:
        w = as_float_array(w0, "w0", ndim=1).astype(np.float64, copy=True)
        check_finite(w, "w0")
        if w.shape != (Xa.shape[1],):
            raise ValueError(f"w0 must have shape ({Xa.shape[1]},); got {w.shape}")
    norms = [float(np.linalg.norm(w))]
    for _ in range(epochs):
        for i in gen.permutation(Xa.shape[0]):
            x = Xa[i]
            y = float(w @ x)
            w = w + lr * y * x if rule == "hebb" else w + lr * y * (x - y * w)
            norms.append(float(np.linalg.norm(w)))
    return HebbianRun(w, np.array(norms), rule)


def _bipolar(p, name: str, n: int | None = None) -> np.ndarray:
    arr = as_float_array(p, name, ndim=(1, 2))
    if not np.isin(arr, (-1.0, 1.0)).all():
        raise ValueError(f"{name} must hold only -1 and +1 (bipolar patterns)")
    if n is not None and arr.shape[-1] != n:
        raise ValueError(f"{name} must have {n} values per pattern; got shape {arr.shape}")
    return arr


class HebbianMemory:
    """An associative memory: store patterns with Hebb's rule, recall them from a noisy cue.

    Units take the values -1 and +1. Storing pattern :math:`p` adds :math:`p_i p_j / n` to
    every weight :math:`W_{ij}` (Hebb's outer-product rule; no self-connections). Recall
    starts from a cue and repeatedly sets every unit to the sign of its input
    :math:`\\sum_j W_{ij} x_j` until nothing changes. J. J. Hopfield analysed this kind of
    network in 1982; the storage rule is Hebb's.

    Taught in: Chapter 1, History.

    Parameters
    ----------
    n_units : int
        The size of every pattern.

    Attributes
    ----------
    W : ndarray of shape (n_units, n_units)
        The weights.
    n_stored : int
        How many patterns have been stored.
    """

    def __init__(self, n_units: int):
        self.n_units = _check_int(n_units, "n_units", minimum=2)
        self.W = np.zeros((self.n_units, self.n_units))
        self.n_stored = 0

    def store(self, patterns) -> HebbianMemory:
        """Store one pattern (shape (n_units,)) or several (shape (k, n_units)); return self."""
        P = _bipolar(patterns, "patterns", self.n_units)
        P = P[None, :] if P.ndim == 1 else P
        self.W = self.W + P.T @ P / self.n_units
        np.fill_diagonal(self.W, 0.0)
        self.n_stored += P.shape[0]
        return self

    def recall(self, cue, max_steps: int = 20) -> np.ndarray:
        """Settle from ``cue`` to a stable pattern (synchronous updates, at most ``max_steps``).

        A unit whose input is exactly 0 keeps its value.

        Returns
        -------
        ndarray of shape (n_units,)
            The recalled pattern, -1 and +1 (float).
        """
        x = _bipolar(cue, "cue", self.n_units)
        if x.ndim != 1:
            raise ValueError(f"cue must be one pattern of shape ({self.n_units},); got {x.shape}")
        max_steps = _check_int(max_steps, "max_steps")
        x = x.copy()
        for _ in range(max_steps):
            h = self.W @ x
            new = np.where(h > 0, 1.0, np.where(h < 0, -1.0, x))
            if np.array_equal(new, x):
                break
            x = new
        return x

    def __repr__(self) -> str:
        return f"HebbianMemory(n_units={self.n_units}, n_stored={self.n_stored})"


def corrupt(pattern, n_flips: int, rng=0) -> np.ndarray:
    """Flip ``n_flips`` randomly chosen entries of a bipolar pattern (a noisy cue).

    Taught in: Chapter 1, History.

    Returns
    -------
    ndarray
        A new pattern; the input is not modified.
    """
    p = _bipolar(pattern, "pattern")
    if p.ndim != 1:
        raise ValueError(f"pattern must be 1-D; got shape {p.shape}")
    n_flips = _check_int(n_flips, "n_flips", minimum=0)
    if n_flips > p.size:
        raise ValueError(f"n_flips={n_flips} is more than the {p.size} entries of the pattern")
    out = p.copy()
    idx = as_rng(rng).choice(p.size, size=n_flips, replace=False)
    out[idx] *= -1
    return out


# ---------------------------------------------------------------------------------------------
# Rosenblatt's perceptron (1958)
# ---------------------------------------------------------------------------------------------


def _binary_labels(y, n: int) -> np.ndarray:
    ya = np.asarray(y)
    if ya.dtype.kind not in "iub":
        raise TypeError(
            f"y must hold integer labels 0 and 1; got dtype {ya.dtype} "
            "(use y.astype(int) if the values are whole numbers)"
        )
    if ya.ndim != 1 or ya.shape[0] != n:
        raise ValueError(f"y must have shape ({n},), one label per row of X; got {ya.shape}")
    if not np.isin(ya, (0, 1)).all():
        got = sorted(set(ya.tolist()))
        hint = " (for -1/+1 labels use (y + 1) // 2)" if -1 in got else ""
        raise ValueError(f"y must hold the labels 0 and 1; got {got}{hint}")
    return ya.astype(np.int64)


def _features(X, name: str = "X", n_features: int | None = None) -> np.ndarray:
    Xa = as_float_array(X, name, ndim=2)
    if Xa.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {Xa.shape}); expected at least one sample")
    check_finite(Xa, name)
    if n_features is not None and Xa.shape[1] != n_features:
        raise ValueError(
            f"{name} has {Xa.shape[1]} feature(s) per sample; the perceptron was fitted on "
            f"{n_features}"
        )
    return Xa


class Perceptron:
    """Rosenblatt's perceptron: a threshold unit that learns from its mistakes.

    The unit predicts :math:`\\hat y = 1` when :math:`w \\cdot x + b \\ge 0` and 0 otherwise.
    Training visits the examples one at a time; after each mistake it moves the weights
    towards the right answer,

    .. math::

        w \\leftarrow w + \\eta (y - \\hat y) x, \\qquad b \\leftarrow b + \\eta (y - \\hat y),

    and does nothing when the prediction is right. If a line (a hyperplane) separates the
    two classes, training stops after finitely many updates (at most
    :func:`mistake_bound`); if none does, as for XOR, it never stops by itself.

    Taught in: Chapter 1, History.

    Parameters
    ----------
    lr : float
        The learning rate :math:`\\eta > 0`. Starting from zero weights, it only rescales
        the weights: the predictions and the number of updates do not depend on it.
    rng : None, int or numpy.random.Generator
        ``None`` visits the examples in their given order every epoch; a seed or a
        generator shuffles them anew each epoch.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        The weights :math:`w` after :meth:`fit`.
    intercept_ : float
        The bias :math:`b`.
    n_updates_ : int
        How many mistakes (updates) training made.
    epochs_ : int
        How many epochs ran.
    converged_ : bool
        Whether the last epoch made no mistake (every training example is classified right).
    errors_per_epoch_ : list of int
        The number of mistakes in each epoch.
    history_ : list of (ndarray, float)
        ``(w, b)`` before training and after every update: ``len(history_) == n_updates_ + 1``.

    Examples
    --------
    >>> from nnlib.data import logic_gate
    >>> X, y = logic_gate("and")
    >>> p = Perceptron().fit(X, y)
    >>> p.converged_, p.predict(X).tolist()
    (True, [0, 0, 0, 1])
    """

    def __init__(self, lr: float = 1.0, rng=None):
        check_positive(lr, "lr")
        if rng is not None:
            as_rng(rng)  # validate now, with a clear message
        self.lr = float(lr)
        self.rng = rng

    def fit(self, X, y, max_epochs: int = 100) -> Perceptron:
        """Train on ``X`` (shape (n_samples, n_features)) and labels ``y`` in {0, 1}; return self.

        Stops after the first epoch without a mistake, or after ``max_epochs`` epochs.
        """
        Xa = _features(X)
        ya = _binary_labels(y, Xa.shape[0])
        max_epochs = _check_int(max_epochs, "max_epochs")
        gen = None if self.rng is None else as_rng(self.rng)
        w = np.zeros(Xa.shape[1])
        b = 0.0
        self.history_ = [(w.copy(), b)]
        self.errors_per_epoch_ = []
        self.n_updates_ = 0
        self.converged_ = False
        for epoch in range(1, max_epochs + 1):
            order = range(Xa.shape[0]) if gen is None else gen.permutation(Xa.shape[0])
            errors = 0
            for i in order:
                y_hat = 1 if Xa[i] @ w + b >= 0 else 0
                if y_hat != ya[i]:
                    step = self.lr * (ya[i] - y_hat)
                    w = w + step * Xa[i]
                    b = b + step
                    errors += 1
                    self.history_.append((w.copy(), float(b)))
            self.errors_per_epoch_.append(errors)
            self.n_updates_ += errors
            self.epochs_ = epoch
            if errors == 0:
                self.converged_ = True
                break
        self.coef_ = w
        self.intercept_ = float(b)
        return self

    def _check_fitted(self, where: str) -> None:
        if not hasattr(self, "coef_"):
            raise RuntimeError(f"Perceptron.{where}: call fit(X, y) first")

    def decision_function(self, X) -> np.ndarray:
        """The signed score :math:`w \\cdot x + b` of every row of ``X``."""
        self._check_fitted("decision_function")
        return _features(X, n_features=self.coef_.size) @ self.coef_ + self.intercept_

    def predict(self, X) -> np.ndarray:
        """The predicted labels (0 or 1, int64) of every row of ``X``."""
        return (self.decision_function(X) >= 0).astype(np.int64)

    def score(self, X, y) -> float:
        """The accuracy of :meth:`predict` on ``X`` against labels ``y``."""
        pred = self.predict(X)
        return float(np.mean(pred == _binary_labels(y, pred.shape[0])))

    def __repr__(self) -> str:
        state = f", converged_={self.converged_}" if hasattr(self, "coef_") else ""
        return f"Perceptron(lr={self.lr:g}{state})"


def mistake_bound(X, y, w, b=0.0) -> float:
    """Novikoff's bound on the number of perceptron updates, given one separating line.

    Append a constant 1 to every input so that the bias becomes a weight. Let :math:`R` be
    the largest length of these inputs and :math:`\\gamma` the margin of the unit vector
    :math:`u = (w, b) / \\lVert (w, b) \\rVert` (the smallest signed distance
    :math:`s_i \\, u \\cdot (x_i, 1)` with :math:`s_i = \\pm 1` the label). Started from
    zero, the perceptron makes at most :math:`(R / \\gamma)^2` updates.

    Taught in: Chapter 1, History.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
        Labels 0 and 1.
    w : array_like of shape (n_features,)
        The weights of a line that separates the data.
    b : float
        Its bias.

    Returns
    -------
    float
        :math:`(R / \\gamma)^2`.

    Raises
    ------
    ValueError
        If ``(w, b)`` does not separate the data with a positive margin.
    """
    Xa = _features(X)
    ya = _binary_labels(y, Xa.shape[0])
    wa = as_float_array(w, "w", ndim=1)
    check_finite(wa, "w")
    if wa.shape != (Xa.shape[1],):
        raise ValueError(f"w must have shape ({Xa.shape[1]},); got {wa.shape}")
    u = np.append(wa, _check_real(b, "b"))
    norm = np.linalg.norm(u)
    if norm == 0:
        raise ValueError("w and b are all zero; they do not describe a line")
    Z = np.hstack([Xa, np.ones((Xa.shape[0], 1))])
    margin = float(np.min((2 * ya - 1) * (Z @ u) / norm))
    if margin <= 0:
        raise ValueError(
            f"(w, b) does not separate the data: the smallest signed margin is {margin:.3g}"
        )
    R = float(np.max(np.linalg.norm(Z, axis=1)))
    return (R / margin) ** 2
