"""Small datasets, splits and preprocessing for every chapter.

Used throughout; introduced in Chapter 1, History (truth tables) and Chapter 2, Neurons and
networks (two moons, circles, spirals).

Every generator takes ``rng``, an integer seed or a :class:`numpy.random.Generator`, so the
same call gives the same data, and returns ``X`` as float64 and ``y`` as int64.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LOGIC_GATES", "logic_gate", "xor"]

#: The four inputs of a two-input truth table, in the order (0,0), (0,1), (1,0), (1,1).
_TRUTH_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)

#: Output column of each two-input gate, one entry per row of the truth table.
LOGIC_GATES: dict[str, tuple[int, int, int, int]] = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xor": (0, 1, 1, 0),
    "xnor": (1, 0, 0, 1),
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Truth table of a two-input logic gate.

    Used throughout; introduced in Chapter 1, History.

    Parameters
    ----------
    name : str
        One of ``"and"``, ``"or"``, ``"nand"``, ``"nor"``, ``"xor"``, ``"xnor"``
        (case-insensitive).

    Returns
    -------
    X : ndarray of shape (4, 2), float64
        The inputs (0,0), (0,1), (1,0), (1,1).
    y : ndarray of shape (4,), int64
        The gate's output for each row.

    Examples
    --------
    >>> X, y = logic_gate("and")
    >>> y.tolist()
    [0, 0, 0, 1]
    """
    if not isinstance(name, str):
        raise TypeError(f"logic_gate: name must be a string, got {type(name).__name__}")
    key = name.strip().lower()
    if key not in LOGIC_GATES:
        valid = ", ".join(repr(k) for k in LOGIC_GATES)
        raise ValueError(f"logic_gate: unknown gate {name!r}; valid names are {valid}")
    return _TRUTH_INPUTS.copy(), np.array(LOGIC_GATES[key], dtype=np.int64)


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table, the problem a single perceptron cannot solve.

    Used throughout; introduced in Chapter 1, History.

    Returns
    -------
    X : ndarray of shape (4, 2), float64
    y : ndarray of shape (4,), int64
        ``[0, 1, 1, 0]``.

    See Also
    --------
    logic_gate : the other two-input gates.
    """
    return logic_gate("xor")
