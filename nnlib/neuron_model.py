"""A biological neuron, simplified: a leaky integrate-and-fire model and two schematics.

Chapter 2 sets the cell in your head beside the unit in a network. This module holds the
code for the biological side: :func:`simulate_lif` runs the leaky integrate-and-fire model
(a membrane that charges with its input, leaks back to rest, and fires a spike and resets
when it reaches a threshold), and :func:`draw_biological_neuron` /
:func:`draw_artificial_neuron` draw the two schematics side by side.

The model is dimensionless: the membrane potential ``v`` is measured from rest in units of
the firing threshold, so rest is 0 and the threshold is 1 by default, and the input is the
steady potential it would drive the membrane to (``R * I`` in a physiology text).

Taught in: Chapter 2, Neurons and networks.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from nnlib._validate import as_float_array, as_rng, check_finite, check_not_empty, check_positive

__all__ = ["LIFTrace", "draw_artificial_neuron", "draw_biological_neuron", "simulate_lif"]


class LIFTrace(NamedTuple):
    """The result of :func:`simulate_lif`, one entry per time step.

    Attributes
    ----------
    t : numpy.ndarray
        Times in seconds, ``0, dt, 2 dt, ...``.
    v : numpy.ndarray
        Membrane potential after each step (in units of the threshold; 0 is rest).
    spikes : numpy.ndarray of bool
        True where the neuron fired during that step.

    Taught in: Chapter 2, Neurons and networks.
    """

    t: np.ndarray
    v: np.ndarray
    spikes: np.ndarray


def simulate_lif(
    current,
    dt: float = 1e-3,
    tau: float = 0.02,
    threshold: float = 1.0,
    reset: float = 0.0,
    refractory: float = 0.002,
    noise: float = 0.0,
    rng=None,
) -> LIFTrace:
    r"""Simulate a leaky integrate-and-fire neuron driven by an input current.

    Between spikes the membrane potential :math:`v` follows
    :math:`\tau \, dv/dt = -v + I(t)` (Euler steps of size ``dt``): it charges towards the
    input :math:`I` and leaks back towards rest (0). When :math:`v` reaches ``threshold``
    the neuron fires a spike, :math:`v` jumps to ``reset``, and it stays there for the
    ``refractory`` period.

    Parameters
    ----------
    current : array_like, 1-D
        The input :math:`I` at each time step (dimensionless, in units of the threshold).
    dt : float
        Time step in seconds.
    tau : float
        Membrane time constant in seconds (how fast the membrane charges and leaks).
    threshold : float
        Potential at which the neuron fires.
    reset : float
        Potential right after a spike; must be below ``threshold``.
    refractory : float
        Dead time after each spike, in seconds (0 for none).
    noise : float
        Standard deviation of Gaussian noise added to the input at every step.
    rng : None, int or numpy.random.Generator
        Source of the noise (only used when ``noise > 0``).

    Returns
    -------
    LIFTrace
        Times, membrane potential and spikes, one entry per step.

    Raises
    ------
    ValueError
        Empty or non-finite ``current``, non-positive ``dt``/``tau``/``threshold``, a
        ``reset`` not below ``threshold``, a negative ``refractory`` or ``noise``.
    TypeError
        ``current`` is not numeric or not 1-D.

    Examples
    --------
    >>> trace = simulate_lif(np.full(1000, 1.5))   # one second of constant input
    >>> int(trace.spikes.sum()) > 0
    True

    Taught in: Chapter 2, Neurons and networks.
    """
    drive = as_float_array(current, name="current", ndim=1)
    check_not_empty(drive, "current")
    check_finite(drive, "current")
    check_positive(dt, "dt")
    check_positive(tau, "tau")
    check_positive(threshold, "threshold")
    check_positive(refractory, "refractory", allow_zero=True)
    check_positive(noise, "noise", allow_zero=True)
    if (
        isinstance(reset, bool)
        or not isinstance(reset, numbers.Real)
        or not -np.inf < reset < threshold
    ):
        raise ValueError(f"reset must be a finite number below threshold={threshold}; got {reset}")
    if noise > 0:
        drive = drive + noise * as_rng(rng).standard_normal(drive.shape)

    n = drive.size
    v = np.empty(n)
    spikes = np.zeros(n, dtype=bool)
    potential = 0.0  # start at rest
    dead_steps = int(round(refractory / dt))
    wait = 0
    for i in range(n):
        if wait > 0:  # refractory: the membrane is held at reset
            wait -= 1
            potential = reset
        else:
            potential += dt / tau * (drive[i] - potential)
            if potential >= threshold:
                spikes[i] = True
                potential = reset
                wait = dead_steps
        v[i] = potential
    return LIFTrace(np.arange(n) * dt, v, spikes)


def draw_biological_neuron(ax=None):
    """Draw a schematic biological neuron with its parts labelled.

    Dendrites on the left collect inputs, the soma integrates them, the axon carries spikes
    to the terminals on the right, where synapses pass them on to other cells.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    matplotlib.axes.Axes

    Taught in: Chapter 2, Neurons and networks.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyBboxPatch

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    body = "#c98a5a"
    # Dendrites: a few branching trees reaching left from the soma.
    for angle in (150, 180, 210, 125, 235):
        rad = np.deg2rad(angle)
        x0, y0 = 1.6 + 0.45 * np.cos(rad), 1.5 + 0.45 * np.sin(rad)
        x1, y1 = x0 + 0.8 * np.cos(rad), y0 + 0.8 * np.sin(rad)
        ax.plot([x0, x1], [y0, y1], color=body, lw=3, solid_capstyle="round")
        for fork in (-25, 25):
            r2 = np.deg2rad(angle + fork)
            ax.plot([x1, x1 + 0.45 * np.cos(r2)], [y1, y1 + 0.45 * np.sin(r2)], color=body, lw=2)
    ax.add_patch(Circle((1.6, 1.5), 0.5, color=body, zorder=3))
    ax.add_patch(Circle((1.6, 1.5), 0.16, color="#7a4a2a", zorder=4))  # nucleus
    # Axon with myelin sheaths, then the terminals.
    ax.plot([2.1, 5.6], [1.5, 1.5], color=body, lw=3)
    for x in np.arange(2.5, 5.3, 0.75):
        box = FancyBboxPatch((x, 1.38), 0.55, 0.24, boxstyle="round,pad=0.02", color="#e8d9a8")
        ax.add_patch(box)
    for dy in (-0.55, 0.0, 0.55):
        ax.plot([5.6, 6.3], [1.5, 1.5 + dy], color=body, lw=2)
        ax.add_patch(Circle((6.35, 1.5 + dy), 0.09, color="#7a4a2a", zorder=3))
    labels = [
        ("dendrites\n(inputs)", (0.55, 2.2), (0.05, 2.95)),
        ("soma\n(integrates)", (1.6, 1.0), (1.2, 0.1)),
        ("axon hillock\n(threshold)", (2.15, 1.5), (2.3, 2.6)),
        ("axon\n(carries spikes)", (4.2, 1.62), (3.9, 2.6)),
        ("synapses\n(weights)", (6.35, 0.95), (5.4, 0.1)),
    ]
    for text, xy, xytext in labels:
        ax.annotate(
            text,
            xy=xy,
            xytext=xytext,
            fontsize=8,
            ha="left",
            arrowprops={"arrowstyle": "-", "color": "0.4", "lw": 0.8},
        )
    ax.set_xlim(-0.3, 7.0)
    ax.set_ylim(-0.1, 3.4)
    ax.set_aspect("equal")
    ax.set_title("A biological neuron (schematic)")
    ax.axis("off")
    return ax


def draw_artificial_neuron(ax=None, n_inputs: int = 3):
    """Draw a schematic artificial neuron: inputs, weights, a sum with bias, an activation.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when omitted.
    n_inputs : int
        How many inputs :math:`x_1 \\dots x_n` to draw (1 to 6).

    Returns
    -------
    matplotlib.axes.Axes

    Taught in: Chapter 2, Neurons and networks.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyBboxPatch

    if isinstance(n_inputs, bool) or not isinstance(n_inputs, (int, np.integer)):
        raise TypeError(f"n_inputs must be an int; got {type(n_inputs).__name__}")
    if not 1 <= n_inputs <= 6:
        raise ValueError(f"n_inputs must be between 1 and 6; got {n_inputs}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    ys = np.linspace(2.7, 0.3, n_inputs) if n_inputs > 1 else np.array([1.5])
    for i, y in enumerate(ys, 1):
        ax.add_patch(Circle((0.5, y), 0.22, fc="#dbe8f5", ec="#2b5d8a", zorder=3))
        ax.text(0.5, y, f"$x_{i}$", ha="center", va="center", fontsize=10, zorder=4)
        ax.annotate(
            "",
            xy=(2.55, 1.5),
            xytext=(0.72, y),
            arrowprops={"arrowstyle": "->", "color": "#2b5d8a", "lw": 1.2},
        )
        ax.text(1.45, y + (1.5 - y) * 0.45 + 0.12, f"$w_{i}$", fontsize=10, color="#2b5d8a")
    ax.add_patch(Circle((3.0, 1.5), 0.45, fc="#f5e1c8", ec="#8a5a2b", zorder=3))
    ax.text(3.0, 1.5, r"$\Sigma$", ha="center", va="center", fontsize=16, zorder=4)
    ax.text(3.0, 2.15, "$+\\,b$", ha="center", fontsize=10)
    ax.annotate("", xy=(4.3, 1.5), xytext=(3.45, 1.5), arrowprops={"arrowstyle": "->"})
    ax.text(3.87, 1.62, "$z$", ha="center", fontsize=10)
    ax.add_patch(
        FancyBboxPatch(
            (4.3, 1.15), 0.8, 0.7, boxstyle="round,pad=0.03", fc="#e2f0d9", ec="#3d7a2b", zorder=3
        )
    )
    ax.text(4.7, 1.5, r"$\sigma$", ha="center", va="center", fontsize=14, zorder=4)
    ax.annotate("", xy=(6.1, 1.5), xytext=(5.15, 1.5), arrowprops={"arrowstyle": "->"})
    ax.text(6.25, 1.5, "$a$", va="center", fontsize=11)
    ax.text(3.0, 0.55, "weighted sum\n$z = \\sum_i w_i x_i + b$", ha="center", fontsize=8)
    ax.text(4.7, 0.55, "activation\n$a = \\sigma(z)$", ha="center", fontsize=8)
    ax.set_xlim(-0.3, 7.0)
    ax.set_ylim(-0.1, 3.4)
    ax.set_aspect("equal")
    ax.set_title("An artificial neuron")
    ax.axis("off")
    return ax
