"""The activation explorer: pick an activation function, see it and its derivative.

A dropdown chooses the function, a slider sets the input range and, for the functions that
have one, a second slider sets the parameter (the leaky slope, PReLU's ``a``, ELU's
``alpha``). The plot shows the function and its derivative side by side, so the reader sees
at once where the slope vanishes (the flat tails of sigmoid and tanh, the left half of
ReLU) and where it does not.

Works with ipywidgets 7.7 (Colab) and 8.x: only ``Dropdown``, ``FloatSlider``, ``HBox``,
``VBox``, ``Output`` and ``observe``. For the static HTML book, :func:`static_figure` draws a
few representative settings. Taught in: Chapter 3, Activation functions.

Examples
--------
>>> from nnlib.widgets.activation import activation_explorer, static_figure
>>> explorer = activation_explorer("elu")  # doctest: +SKIP
>>> explorer  # displays the controls and the plot in a notebook  # doctest: +SKIP
>>> fig = static_figure()  # the same plots for readers of the HTML page
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlib.widgets import require_ipywidgets

__all__ = [
    "EXPLORER_ACTIVATIONS",
    "ActivationExplorer",
    "activation_explorer",
    "activation_curves",
    "plot_activation",
    "static_figure",
]


@dataclass(frozen=True)
class _Param:
    """The one tunable parameter of an activation, and its slider's range."""

    keyword: str  # the keyword of the nnlib.activations function
    label: str  # how the slider and the legend name it
    default: float
    low: float
    high: float
    step: float


#: The functions the explorer offers, each with its parameter (``None`` for those without
#: one). Softmax is left out: it maps a vector to a vector, and Chapter 3's last notebook
#: plots it on its own. Labels come from :data:`nnlib.activations.ACTIVATIONS`.
EXPLORER_ACTIVATIONS: dict[str, _Param | None] = {
    "sigmoid": None,
    "tanh": None,
    "relu": None,
    "leaky_relu": _Param("negative_slope", "slope", 0.01, 0.0, 0.5, 0.01),
    "prelu": _Param("a", "a", 0.25, 0.0, 1.0, 0.05),
    "elu": _Param("alpha", "alpha", 1.0, 0.1, 3.0, 0.1),
    "silu": None,
    "gelu": None,
}


def _label(name: str) -> str:
    from nnlib.activations import ACTIVATIONS

    return ACTIVATIONS[name].label


#: Representative settings drawn by :func:`static_figure`: (name, parameter or None).
STATIC_SETTINGS: tuple[tuple[str, float | None], ...] = (
    ("sigmoid", None),
    ("tanh", None),
    ("relu", None),
    ("leaky_relu", 0.1),
    ("elu", 1.0),
    ("gelu", None),
)


def _check_name(name) -> str:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str such as 'relu'; got a {type(name).__name__}")
    if name not in EXPLORER_ACTIVATIONS:
        known = ", ".join(repr(k) for k in EXPLORER_ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; the explorer knows {known}")
    return name


def _check_range(x_min, x_max) -> tuple[float, float]:
    from nnlib._validate import check_in_range

    x_min = check_in_range(x_min, "x_min", -1e6, 1e6)
    x_max = check_in_range(x_max, "x_max", -1e6, 1e6)
    if not x_min < x_max:
        raise ValueError(f"x_min must be smaller than x_max; got x_min={x_min}, x_max={x_max}")
    return float(x_min), float(x_max)


def _resolve_param(name: str, param) -> tuple[_Param | None, float | None]:
    spec = EXPLORER_ACTIVATIONS[name]
    if spec is None:
        if param is not None:
            raise ValueError(f"{name!r} has no parameter; got param={param!r} (pass None)")
        return None, None
    if param is None:
        return spec, spec.default
    from nnlib._validate import check_in_range

    check_in_range(param, f"param ({spec.label} of {name})", spec.low, spec.high)
    return spec, float(param)


def activation_curves(
    name: str, x_min: float = -5.0, x_max: float = 5.0, param=None, n: int = 401
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample an activation function and its derivative on a grid.

    Taught in: Chapter 3, Activation functions.

    Parameters
    ----------
    name : str
        A key of :data:`EXPLORER_ACTIVATIONS` (``"sigmoid"``, ``"relu"``, ``"elu"``, ...).
    x_min, x_max : float
        The input range, ``x_min < x_max``.
    param : float, optional
        The parameter of ``"leaky_relu"`` (slope), ``"prelu"`` (``a``) or ``"elu"``
        (``alpha``); ``None`` uses the default. Must be ``None`` for the others.
    n : int
        Number of grid points.

    Returns
    -------
    x, y, dy : ndarray of shape (n,)
        The inputs, the activation and its derivative, computed by :mod:`nnlib.activations`.
    """
    from nnlib import activations as act

    name = _check_name(name)
    x_min, x_max = _check_range(x_min, x_max)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an int >= 2; got {n!r}")
    spec, value = _resolve_param(name, param)
    x = np.linspace(x_min, x_max, int(n))
    if name == "prelu":
        # PReLU is leaky ReLU whose slope is learned: same function, same derivative in x.
        y = act.prelu(x, value)
        dy = act.prelu_grad(x, value)
    elif spec is not None:
        y = getattr(act, name)(x, **{spec.keyword: value})
        dy = getattr(act, f"{name}_grad")(x, **{spec.keyword: value})
    else:
        y = getattr(act, name)(x)
        dy = getattr(act, f"{name}_grad")(x)
    return x, np.asarray(y, dtype=float), np.asarray(dy, dtype=float)


def plot_activation(name: str, x_min=-5.0, x_max=5.0, param=None, ax=None):
    """Plot one activation function and its derivative on the same axes.

    Taught in: Chapter 3, Activation functions.

    Parameters
    ----------
    name : str
        A key of :data:`EXPLORER_ACTIVATIONS`.
    x_min, x_max : float
        The input range.
    param : float, optional
        The parameter of leaky ReLU, PReLU or ELU (``None``: the default).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with a title, axis labels and a legend.
    """
    import matplotlib.pyplot as plt

    from nnlib.plot import PALETTE, style

    x, y, dy = activation_curves(name, x_min, x_max, param)
    if ax is None:
        with style():
            _, ax = plt.subplots(figsize=(4.5, 3.2))
    label = _label(name)
    spec, value = _resolve_param(name, param)
    title = label if spec is None else f"{label} ({spec.label} = {value:g})"
    ax.axhline(0.0, color="0.75", lw=0.8)
    ax.axvline(0.0, color="0.75", lw=0.8)
    ax.plot(x, y, color=PALETTE[0], lw=2, label="f(x)")
    ax.plot(x, dy, color=PALETTE[1], lw=2, ls="--", label="f'(x)")
    ax.set_xlim(x_min, x_max)
    ax.set_title(title)
    ax.set_xlabel("pre-activation x")
    ax.set_ylabel("value")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax


def static_figure(settings=STATIC_SETTINGS, x_min: float = -5.0, x_max: float = 5.0):
    """Draw the explorer's plot for a few representative settings, in a grid.

    For readers of the static HTML book, where the sliders cannot run Python.
    Taught in: Chapter 3, Activation functions.

    Parameters
    ----------
    settings : sequence of (str, float or None)
        The (activation name, parameter) pairs to draw, at most 12.
    x_min, x_max : float
        The common input range.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    settings = list(settings)
    if not 1 <= len(settings) <= 12:
        raise ValueError(f"settings must hold 1 to 12 (name, param) pairs; got {len(settings)}")
    for item in settings:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError(f"each setting must be a pair (name, param); got {item!r}")
    n_cols = min(3, len(settings))
    n_rows = -(-len(settings) // n_cols)
    from nnlib.plot import style

    with style():
        fig, axes = plt.subplots(
            n_rows, n_cols, figsize=(2.9 * n_cols, 2.3 * n_rows + 0.4), squeeze=False, sharex=True
        )
        for i, (ax, (name, param)) in enumerate(zip(axes.flat, settings, strict=False)):
            plot_activation(name, x_min, x_max, param, ax=ax)
            if i > 0:  # one legend is enough: the suptitle says which line is which
                ax.get_legend().remove()
            if i % n_cols:
                ax.set_ylabel("")
        for ax in axes.flat[len(settings) :]:
            ax.set_visible(False)
        for column in axes.T:  # the x label and tick labels under each column's lowest panel
            shown = [ax for ax in column if ax.get_visible()]
            for ax in shown[:-1]:
                ax.set_xlabel("")
            shown[-1].tick_params(axis="x", labelbottom=True)
        fig.suptitle("Activation functions (solid) and their derivatives (dashed)")
        fig.tight_layout()
    return fig


class ActivationExplorer:
    """The interactive explorer: controls, an output area and the update callback.

    Build it with :func:`activation_explorer`. Displaying the object in a notebook shows
    :attr:`ui`. Taught in: Chapter 3, Activation functions.

    Attributes
    ----------
    dropdown : ipywidgets.Dropdown
        Which activation.
    range_slider : ipywidgets.FloatSlider
        The half-width ``r`` of the input range ``[-r, r]``.
    param_slider : ipywidgets.FloatSlider
        The parameter; disabled for functions without one.
    output : ipywidgets.Output
        Where the figure is drawn.
    ui : ipywidgets.VBox
        Everything together, ready to display.
    figure : matplotlib.figure.Figure or None
        The last figure drawn (kept for tests and for saving).
    """

    def __init__(self, name: str = "relu", x_range: float = 5.0, param=None):
        widgets = require_ipywidgets()

        name = _check_name(name)
        from nnlib._validate import check_in_range

        check_in_range(x_range, "x_range", 1.0, 20.0)
        spec, value = _resolve_param(name, param)
        self.figure = None
        self._updating = False
        options = [(_label(key), key) for key in EXPLORER_ACTIVATIONS]
        labels = {"description_width": "initial"}  # show descriptions in full
        self.dropdown = widgets.Dropdown(
            options=options, value=name, description="function", style=labels
        )
        self.range_slider = widgets.FloatSlider(
            value=float(x_range), min=1.0, max=20.0, step=0.5, description="x range ±", style=labels
        )
        self.param_slider = widgets.FloatSlider(
            value=0.0, min=0.0, max=1.0, step=0.01, style=labels
        )
        self._set_param_slider(name, value)
        self.output = widgets.Output()
        # The menu on one line, the sliders below it (side by side where there is room), so
        # the controls fit a narrow column such as the book's.
        sliders = widgets.HBox(
            [self.range_slider, self.param_slider], layout=widgets.Layout(flex_flow="row wrap")
        )
        controls = widgets.VBox([self.dropdown, sliders])
        self.ui = widgets.VBox([controls, self.output])
        self.dropdown.observe(self._on_name, names="value")
        self.range_slider.observe(self.update, names="value")
        self.param_slider.observe(self.update, names="value")
        self.update()

    def _set_param_slider(self, name: str, value: float | None) -> None:
        spec = EXPLORER_ACTIVATIONS[name]
        slider = self.param_slider
        self._updating = True
        try:
            # One message to the browser for all the changes: sent one by one, a new min or
            # max makes the browser's slider clamp its old value and send that back, which
            # would overwrite the new function's default.
            with slider.hold_sync():
                if spec is None:
                    slider.description = "(no parameter)"
                    slider.disabled = True
                else:
                    # Widen before narrowing so min <= max holds at every step (traitlets).
                    slider.min = min(slider.min, spec.low)
                    slider.max = max(slider.max, spec.high)
                    slider.min, slider.max, slider.step = spec.low, spec.high, spec.step
                    slider.value = value
                    slider.description = spec.label
                    slider.disabled = False
        finally:
            self._updating = False

    def _on_name(self, change=None) -> None:
        name = self.dropdown.value
        spec = EXPLORER_ACTIVATIONS[name]
        self._set_param_slider(name, None if spec is None else spec.default)
        self.update()

    @property
    def settings(self) -> tuple[str, float, float | None]:
        """The current ``(name, x_range, param)``; ``param`` is ``None`` when not used."""
        name = self.dropdown.value
        param = None if EXPLORER_ACTIVATIONS[name] is None else self.param_slider.value
        return name, float(self.range_slider.value), param

    def update(self, change=None) -> None:
        """Redraw the plot for the current settings (the widgets' callback)."""
        if self._updating:
            return
        import matplotlib.pyplot as plt
        from IPython import get_ipython
        from IPython.display import display

        from nnlib.plot import style

        name, r, param = self.settings
        with style():
            fig, ax = plt.subplots(figsize=(6.0, 3.6))
            plot_activation(name, -r, r, param, ax=ax)
            ax.set_title(f"{ax.get_title()}: function and derivative")
            fig.tight_layout()
        plt.close(fig)  # shown once, through the output area, not again by the inline backend
        self.figure = fig
        if get_ipython() is None:  # plain Python (a test, a script): nothing to show into
            return
        with self.output:
            self.output.clear_output(wait=True)
            display(fig)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)


def activation_explorer(name: str = "relu", x_range: float = 5.0, param=None):
    """Build the activation explorer widget.

    Taught in: Chapter 3, Activation functions.

    Parameters
    ----------
    name : str
        The activation shown first (a key of :data:`EXPLORER_ACTIVATIONS`).
    x_range : float
        The initial half-width of the input range, between 1 and 20.
    param : float, optional
        The initial parameter of leaky ReLU, PReLU or ELU.

    Returns
    -------
    ActivationExplorer
        Display it (make it the last expression of a cell) to show the controls and the plot.
    """
    return ActivationExplorer(name, x_range, param)
