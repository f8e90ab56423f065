"""The neuron playground: one artificial neuron with two inputs, its weights on sliders.

A neuron with inputs :math:`x_1, x_2` computes :math:`z = w_1 x_1 + w_2 x_2 + b` and outputs
:math:`a = \\sigma(z)`. Over the input plane, :math:`z = 0` is a straight line, the
*decision line*: the weight vector :math:`\\mathbf{w} = (w_1, w_2)` is perpendicular to it and
points to the side where :math:`z > 0`, and the line sits at signed distance
:math:`-b / \\lVert \\mathbf{w} \\rVert` from the origin along :math:`\\mathbf{w}`.

- :func:`neuron_playground` builds the widget: sliders for :math:`w_1, w_2, b`, a dropdown
  for the activation, and a figure of the output surface with the decision line, redrawn
  whenever a control moves. It uses only ipywidgets 7.7-compatible API.
- :func:`static_grid` draws a grid of representative settings, for readers of the HTML book
  where no Python runs.
- :func:`draw_neuron` draws one setting on a given axes; :func:`decision_line` gives the
  line's geometry as numbers.

Taught in: Chapter 2, Neurons and networks.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from nnlib._validate import _check_number, check_positive
from nnlib.widgets import require_ipywidgets

__all__ = [
    "ACTIVATION_CHOICES",
    "DecisionLine",
    "NeuronPlayground",
    "decision_line",
    "draw_neuron",
    "neuron_playground",
    "static_grid",
]

#: The activations the playground offers, in dropdown order.
ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu", "step", "identity")

_WEIGHT_RANGE = (-3.0, 3.0)
_BIAS_RANGE = (-3.0, 3.0)


class DecisionLine(NamedTuple):
    """Geometry of the line :math:`w_1 x_1 + w_2 x_2 + b = 0`.

    Attributes
    ----------
    point : numpy.ndarray, shape (2,)
        The point of the line closest to the origin,
        :math:`-b\\,\\mathbf{w}/\\lVert\\mathbf{w}\\rVert^2`.
    normal : numpy.ndarray, shape (2,)
        The unit vector :math:`\\mathbf{w}/\\lVert\\mathbf{w}\\rVert`, pointing to the side where
        :math:`z > 0`.
    offset : float
        Signed distance from the origin to the line along ``normal``:
        :math:`-b/\\lVert\\mathbf{w}\\rVert`.

    Taught in: Chapter 2, Neurons and networks.
    """

    point: np.ndarray
    normal: np.ndarray
    offset: float


def _activation(name: str):
    """Return the activation function called ``name`` (see :data:`ACTIVATION_CHOICES`)."""
    if not isinstance(name, str):
        raise TypeError(f"activation must be a string; got {type(name).__name__}")
    if name not in ACTIVATION_CHOICES:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATION_CHOICES)}; got {name!r}")
    if name == "step":
        return lambda z: (z >= 0).astype(float)
    if name == "identity":
        return lambda z: z
    from nnlib import activations

    return getattr(activations, name)


def _check_weights(w1, w2, b) -> tuple[float, float, float]:
    return tuple(float(_check_number(v, n)) for v, n in ((w1, "w1"), (w2, "w2"), (b, "b")))


def decision_line(w1: float, w2: float, b: float) -> DecisionLine:
    """Where a two-input neuron's pre-activation :math:`z = w_1 x_1 + w_2 x_2 + b` is zero.

    Parameters
    ----------
    w1, w2 : float
        The weights; not both zero (with zero weights :math:`z = b` everywhere and there is
        no line).
    b : float
        The bias.

    Returns
    -------
    DecisionLine
        ``point`` (closest to the origin), unit ``normal`` (along the weights) and signed
        ``offset`` :math:`-b/\\lVert\\mathbf{w}\\rVert`.

    Raises
    ------
    ValueError
        Both weights zero, or a weight or bias that is NaN or infinite.
    TypeError
        A weight or bias that is not a real number.

    Examples
    --------
    >>> line = decision_line(1.0, 0.0, -2.0)   # x1 = 2
    >>> line.point.tolist(), line.offset
    ([2.0, 0.0], 2.0)

    Taught in: Chapter 2, Neurons and networks.
    """
    w1, w2, b = _check_weights(w1, w2, b)
    w = np.array([w1, w2])
    norm = float(np.hypot(w1, w2))
    if norm == 0.0:
        raise ValueError(
            "decision_line needs at least one nonzero weight; with w1 = w2 = 0 the "
            f"pre-activation is the constant b = {b} and there is no line"
        )
    # (+ 0.0 turns a negative zero into 0.0, so b = 0 prints as 0.000, not -0.000)
    return DecisionLine(point=-b * w / norm**2 + 0.0, normal=w / norm, offset=-b / norm + 0.0)


def _output_limits(activation: str, a: np.ndarray) -> tuple[float, float]:
    """Fixed colour limits where the activation has a fixed range, else the data's range."""
    if activation in ("sigmoid", "step"):
        return 0.0, 1.0
    if activation == "tanh":
        return -1.0, 1.0
    lo, hi = float(a.min()), float(a.max())
    if activation == "relu":
        lo = 0.0
    else:  # identity: symmetric about 0, its value on the decision line
        lo, hi = -max(abs(lo), abs(hi)), max(abs(lo), abs(hi))
    if hi - lo < 1e-9:
        hi = lo + 1.0
    return lo, hi


def _colormap(activation: str) -> str:
    """A diverging map whose middle colour is the output on the decision line (z = 0);
    for ReLU, whose output is 0 on a whole half-plane, a sequential map starting at 0."""
    return "Reds" if activation == "relu" else "RdBu_r"


def draw_neuron(
    ax,
    w1: float,
    w2: float,
    b: float,
    activation: str = "sigmoid",
    lim: float = 3.0,
    resolution: int = 121,
    colorbar_ax=None,
    title: str | None = None,
):
    """Draw one neuron's output over the plane, its decision line and its weight vector.

    The filled contours show :math:`a = \\sigma(w_1 x_1 + w_2 x_2 + b)` on the square
    :math:`[-\\mathrm{lim}, \\mathrm{lim}]^2`; the black line is :math:`z = 0`; the arrow is
    :math:`\\mathbf{w}`, drawn from the line's point closest to the origin.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw (cleared first).
    w1, w2, b : float
        Weights and bias.
    activation : str
        One of :data:`ACTIVATION_CHOICES`.
    lim : float
        Half-width of the square of inputs shown.
    resolution : int
        Grid points per axis (at least 10).
    colorbar_ax : matplotlib.axes.Axes, optional
        If given, a colour bar of the output is drawn there (cleared first).
    title : str, optional
        The axes title; by default the weights, the bias and the activation.

    Returns
    -------
    matplotlib.contour.QuadContourSet
        The filled contours (for a colour bar).

    Taught in: Chapter 2, Neurons and networks.
    """
    w1, w2, b = _check_weights(w1, w2, b)
    fn = _activation(activation)
    check_positive(lim, "lim")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        raise TypeError(f"resolution must be an int; got {type(resolution).__name__}")
    if resolution < 10:
        raise ValueError(f"resolution must be at least 10; got {resolution}")

    grid = np.linspace(-lim, lim, resolution)
    x1, x2 = np.meshgrid(grid, grid)
    a = np.asarray(fn(w1 * x1 + w2 * x2 + b), dtype=float)
    lo, hi = _output_limits(activation, a)
    ax.clear()
    levels = np.linspace(lo, hi, 21)
    cmap = _colormap(activation)
    filled = ax.contourf(x1, x2, np.clip(a, lo, hi), levels=levels, cmap=cmap, extend="neither")
    if w1 == 0.0 and w2 == 0.0:
        ax.text(
            0,
            0,
            "w = 0: no decision line\n(output is constant)",
            ha="center",
            va="center",
            fontsize=9,
            bbox={"fc": "white", "alpha": 0.8},
        )
    else:
        line = decision_line(w1, w2, b)
        direction = np.array([-line.normal[1], line.normal[0]])
        ends = line.point + np.outer([-4 * lim, 4 * lim], direction)
        ax.plot(ends[:, 0], ends[:, 1], color="black", lw=2, label="decision line $z = 0$")
        if np.all(np.abs(line.point) <= lim):
            ax.annotate(
                "",
                xy=line.point + line.normal,
                xytext=line.point,
                arrowprops={"arrowstyle": "->", "color": "black", "lw": 1.8},
            )
            ax.plot(*line.point, "o", color="black", ms=4)
            ax.text(*(line.point + 1.1 * line.normal), "$\\mathbf{w}$", fontsize=11)
        ax.legend(loc="lower left", fontsize=8, framealpha=0.8)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("input $x_1$")
    ax.set_ylabel("input $x_2$")
    if title is None:
        title = f"$w_1$={w1:.2f}, $w_2$={w2:.2f}, $b$={b:.2f} ({activation})"
    ax.set_title(title, fontsize=10)
    if colorbar_ax is not None:
        colorbar_ax.clear()
        bar = ax.figure.colorbar(filled, cax=colorbar_ax)
        bar.set_label(f"output $a$ = {activation}($z$)")
        bar.set_ticks(np.linspace(lo, hi, 5))
    return filled


def _parse_setting(setting, default_activation: str, index: int) -> dict:
    if isinstance(setting, Mapping):
        missing = {"w1", "w2", "b"} - set(setting)
        if missing:
            raise ValueError(
                f"settings[{index}] must have keys 'w1', 'w2', 'b' (and optionally "
                f"'activation'); missing {sorted(missing)}"
            )
        unknown = set(setting) - {"w1", "w2", "b", "activation"}
        if unknown:
            raise ValueError(f"settings[{index}] has unknown keys {sorted(unknown)}")
        parsed = {k: setting[k] for k in ("w1", "w2", "b")}
        parsed["activation"] = setting.get("activation", default_activation)
    elif isinstance(setting, Sequence) and not isinstance(setting, str):
        if len(setting) not in (3, 4):
            raise ValueError(
                f"settings[{index}] must be (w1, w2, b) or (w1, w2, b, activation); "
                f"got {len(setting)} values"
            )
        parsed = dict(zip(("w1", "w2", "b"), setting[:3], strict=True))
        parsed["activation"] = setting[3] if len(setting) == 4 else default_activation
    else:
        raise TypeError(
            f"settings[{index}] must be a dict with keys w1, w2, b or a tuple (w1, w2, b); "
            f"got {type(setting).__name__}"
        )
    for key in ("w1", "w2", "b"):
        _check_number(parsed[key], f"settings[{index}]['{key}']")
    _activation(parsed["activation"])
    return parsed


def static_grid(
    settings,
    activation: str = "sigmoid",
    ncols: int = 3,
    lim: float = 3.0,
    resolution: int = 81,
    suptitle: str | None = "One neuron, several settings of its weights and bias",
):
    """Draw a grid of neuron settings: the static companion of :func:`neuron_playground`.

    Parameters
    ----------
    settings : sequence
        Each entry is a dict ``{"w1": ..., "w2": ..., "b": ...}`` (optionally with
        ``"activation"``) or a tuple ``(w1, w2, b)`` / ``(w1, w2, b, activation)``.
    activation : str
        The activation for entries that do not name one.
    ncols : int
        Panels per row.
    lim, resolution
        As in :func:`draw_neuron`.
    suptitle : str or None
        The figure's overall title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per setting, each titled and with labelled axes, with a shared colour bar
        when every panel uses the same bounded activation (sigmoid, tanh, step) and one colour
        bar per panel otherwise.

    Raises
    ------
    ValueError
        Empty ``settings``, a malformed entry, an unknown activation, ``ncols < 1``.
    TypeError
        ``settings`` (or an entry) of the wrong type.

    Taught in: Chapter 2, Neurons and networks.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    if isinstance(settings, (str, Mapping)) or not isinstance(settings, Sequence):
        raise TypeError(
            "settings must be a list of dicts {'w1', 'w2', 'b'} or of tuples (w1, w2, b); "
            f"got {type(settings).__name__}"
        )
    if len(settings) == 0:
        raise ValueError("settings is empty; give at least one (w1, w2, b)")
    _activation(activation)
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols must be a positive int; got {ncols!r}")
    parsed = [_parse_setting(s, activation, i) for i, s in enumerate(settings)]

    ncols = min(int(ncols), len(parsed))
    nrows = -(-len(parsed) // ncols)
    # One shared colour bar when every panel has the same fixed output range; otherwise
    # (mixed activations, or relu/identity whose range depends on the weights) one per panel.
    kinds = {p["activation"] for p in parsed}
    shared = len(kinds) == 1 and kinds <= {"sigmoid", "tanh", "step"}
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=((3.4 if shared else 4.1) * ncols + 0.8, 3.5 * nrows + 0.4),
        squeeze=False,
        constrained_layout=True,
    )
    filled = None
    for ax, p in zip(axes.flat, parsed, strict=False):
        title = f"$w_1$={p['w1']:.2f}, $w_2$={p['w2']:.2f}, $b$={p['b']:.2f}\n{p['activation']}"
        filled = draw_neuron(ax, lim=lim, resolution=resolution, title=title, **p)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        if not shared:
            bar = fig.colorbar(filled, ax=ax, shrink=0.8, pad=0.02)
            bar.ax.yaxis.set_major_locator(MaxNLocator(5))
            bar.set_label(f"output $a$ = {p['activation']}($z$)", fontsize=8)
    for ax in axes.flat[len(parsed) :]:
        ax.remove()
    if suptitle:
        fig.suptitle(suptitle)
    if shared:
        bar = fig.colorbar(filled, ax=list(axes.flat[: len(parsed)]), shrink=0.85, pad=0.02)
        bar.ax.yaxis.set_major_locator(MaxNLocator(5))
        bar.set_label(f"output $a$ = {parsed[0]['activation']}($z$)")
    return fig


def _signed(x: float) -> str:
    """Format ``x`` as ``"+ 0.50"`` or ``"− 0.50"`` for an equation."""
    return f"{'−' if x < 0 else '+'} {abs(x):.2f}"


class NeuronPlayground:
    """The neuron playground widget (build it with :func:`neuron_playground`).

    Attributes
    ----------
    sliders : dict of str to ipywidgets.FloatSlider
        ``"w1"``, ``"w2"`` and ``"b"``.
    activation : ipywidgets.Dropdown
        The activation function.
    readout : ipywidgets.HTML
        The neuron's equation and the decision line's offset, as text.
    output : ipywidgets.Output
        Where the figure is shown.
    widget : ipywidgets.VBox
        The whole widget; displaying the playground displays this.
    figure : matplotlib.figure.Figure
        The figure redrawn on every change (not managed by pyplot).
    n_updates : int
        How many times the figure has been redrawn.

    Taught in: Chapter 2, Neurons and networks.
    """

    def __init__(self, w1, w2, b, activation, lim, continuous_update):
        widgets = require_ipywidgets()
        from matplotlib.figure import Figure

        w1, w2, b = _check_weights(w1, w2, b)
        _activation(activation)
        check_positive(lim, "lim")
        self.lim = float(lim)
        style = {"description_width": "80px"}
        layout = widgets.Layout(width="320px")

        def slider(name, value, bounds):
            lo, hi = bounds
            return widgets.FloatSlider(
                value=float(np.clip(value, lo, hi)),
                min=lo,
                max=hi,
                step=0.05,
                description=name,
                continuous_update=continuous_update,
                readout_format=".2f",
                style=style,
                layout=layout,
            )

        self.sliders = {
            "w1": slider("weight w1", w1, _WEIGHT_RANGE),
            "w2": slider("weight w2", w2, _WEIGHT_RANGE),
            "b": slider("bias b", b, _BIAS_RANGE),
        }
        self.activation = widgets.Dropdown(
            options=list(ACTIVATION_CHOICES),
            value=activation,
            description="activation",
            style=style,
            layout=widgets.Layout(width="300px"),
        )
        self.readout = widgets.HTML()
        self.output = widgets.Output()
        controls = widgets.VBox(
            [*self.sliders.values(), self.activation, self.readout],
            layout=widgets.Layout(width="340px", min_width="340px"),
        )
        self.widget = widgets.HBox([controls, self.output])
        self.figure = Figure(figsize=(5.2, 4.3), dpi=80)
        self._ax = self.figure.add_axes([0.12, 0.11, 0.66, 0.8])
        self._cax = self.figure.add_axes([0.82, 0.11, 0.035, 0.8])
        self.n_updates = 0
        for control in (*self.sliders.values(), self.activation):
            control.observe(self.update, names="value")
        self.update()

    @property
    def values(self) -> dict:
        """The current ``w1``, ``w2``, ``b`` and ``activation``."""
        current = {k: s.value for k, s in self.sliders.items()}
        current["activation"] = self.activation.value
        return current

    def update(self, change=None) -> None:
        """Redraw the figure and the readout from the controls' current values.

        Called by the widgets whenever a control changes (``change`` is the traitlets change
        dictionary, unused); call it directly to redraw.
        """
        from IPython.display import Image, clear_output, display

        v = self.values
        draw_neuron(
            self._ax,
            v["w1"],
            v["w2"],
            v["b"],
            v["activation"],
            lim=self.lim,
            resolution=81,
            colorbar_ax=self._cax,
        )
        norm = float(np.hypot(v["w1"], v["w2"]))
        where = (
            f"decision line: &minus;b/|w| = {-v['b'] / norm + 0.0:.2f}<br>"
            "(its signed distance along w)"
            if norm > 0
            else "no decision line (w = 0)"
        )
        self.readout.value = (
            f"<p style='font-family:monospace'>z = {v['w1']:.2f}·x1 {_signed(v['w2'])}·x2 "
            f"{_signed(v['b'])}<br>a = {v['activation']}(z)<br>{where}</p>"
        )
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        with self.output:
            clear_output(wait=True)
            display(Image(data=buffer.getvalue(), format="png"))
        self.n_updates += 1

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def neuron_playground(
    w1: float = 1.0,
    w2: float = -0.5,
    b: float = 0.5,
    activation: str = "sigmoid",
    lim: float = 3.0,
    continuous_update: bool = False,
) -> NeuronPlayground:
    """Build the neuron playground: sliders for two weights and the bias, an activation menu.

    Moving a control redraws the output surface :math:`a = \\sigma(w_1 x_1 + w_2 x_2 + b)`
    over the input plane, the decision line :math:`z = 0` and the weight vector. Display the
    returned object (make it the last expression of a cell) to show the widget.

    Parameters
    ----------
    w1, w2, b : float
        Starting values (sliders span -3 to 3; values outside are clipped).
    activation : str
        Starting activation, one of :data:`ACTIVATION_CHOICES`.
    lim : float
        Half-width of the square of inputs shown.
    continuous_update : bool
        Redraw while a slider is dragged (True) or when it is released (False, smoother on
        a slow kernel).

    Returns
    -------
    NeuronPlayground

    Taught in: Chapter 2, Neurons and networks.
    """
    return NeuronPlayground(w1, w2, b, activation, lim, continuous_update)
