"""The attention explorer: turn and stretch a query, and watch where its attention goes.

Five keys point in different directions of a plane; the query is an arrow you turn (its
angle) and stretch (its length). The scores are the dot products of the query with the
keys divided by :math:`\\sqrt{2}` (the width of the vectors), the weights their softmax.
The direction decides *which* keys win; the length decides *how sharply*: a short query
averages all values, a long one looks up a single key, like a dictionary.
:func:`attention_explorer` is the live version (ipywidgets 7.7 and 8.x);
:func:`attention_settings_figure` draws a few representative settings for readers of the
static HTML book, and :func:`attention_figure` draws one setting (the widget redraws it on
every change).

Taught in: Chapter 5, Architectures (attention).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnlib.widgets import require_ipywidgets

__all__ = [
    "KEYS",
    "VALUES",
    "AttentionExplorer",
    "attention_explorer",
    "attention_figure",
    "attention_settings_figure",
    "attention_weights",
]

#: The five keys of the explorer, one row each (2-D vectors of different directions).
KEYS = np.array([[1.0, 0.0], [0.6, 0.8], [-0.2, 1.0], [-1.0, -0.1], [0.1, -1.0]])

#: The value each key hands over (the output is their weighted average).
VALUES = np.array([10.0, 20.0, 30.0, 40.0, 50.0])


def _check_setting(angle, length) -> tuple[float, float]:
    for name, x in (("angle", angle), ("length", length)):
        if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a number, got {type(x).__name__}")
        if not np.isfinite(x):
            raise ValueError(f"{name} must be finite, got {x}")
    if length < 0:
        raise ValueError(f"length must be zero or positive, got {length}")
    return float(angle), float(length)


def attention_weights(angle: float, length: float) -> tuple[np.ndarray, np.ndarray, float]:
    """The query for an angle (degrees) and length, and its attention over :data:`KEYS`.

    Taught in: Chapter 5, Architectures (attention).

    Returns
    -------
    query : ndarray of shape (2,)
    weights : ndarray of shape (5,)
        ``softmax(KEYS @ query / sqrt(2))``; they sum to 1.
    output : float
        ``weights @ VALUES``.
    """
    angle, length = _check_setting(angle, length)
    rad = np.deg2rad(angle)
    query = length * np.array([np.cos(rad), np.sin(rad)])
    scores = KEYS @ query / np.sqrt(2)
    weights = np.exp(scores - scores.max())
    weights /= weights.sum()
    return query, weights, float(weights @ VALUES)


def attention_figure(angle: float = 30.0, length: float = 2.0, axes=None):
    """Draw one setting: the keys and the query in the plane, and the weights as bars.

    Taught in: Chapter 5, Architectures (attention).

    Parameters
    ----------
    angle : float
        The query's direction in degrees (0 = along the first key).
    length : float
        The query's length; longer means a sharper softmax.
    axes : pair of matplotlib Axes, optional
        Where to draw the plane and the bars; a new figure if omitted.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.pyplot as plt

    from nnlib.plot import PALETTE, style

    query, weights, output = attention_weights(angle, length)
    with style():
        if axes is None:
            fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        else:
            fig = axes[0].figure
        plane, bars = axes
        reach = 1.35
        for j, (key, w) in enumerate(zip(KEYS, weights, strict=True)):
            plane.annotate(
                "",
                xy=key,
                xytext=(0, 0),
                arrowprops={"arrowstyle": "->", "color": PALETTE[0], "lw": 1 + 4 * w},
            )
            plane.text(*(1.18 * key), f"key {j}", ha="center", va="center", fontsize=9)
        tip = 1.1 * np.array([np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))])
        plane.annotate(  # drawn at a fixed length: only its direction is to scale
            "",
            xy=tip,
            xytext=(0, 0),
            arrowprops={"arrowstyle": "->", "color": PALETTE[3], "ls": "--", "lw": 1.5},
        )
        plane.text(*(0.6 * tip), "query", color=PALETTE[3], fontsize=9, ha="center")
        plane.set(xlim=(-reach, reach), ylim=(-reach, reach), aspect="equal")
        plane.set_title(f"Query at {angle:g} degrees, length {length:g}\n(keys: width = weight)")
        plane.set_xlabel("first coordinate")
        plane.set_ylabel("second coordinate")
        labels = [f"{j}: {v:g}" for j, v in enumerate(VALUES)]
        bars.bar(range(len(KEYS)), weights, color=PALETTE[0])
        bars.set_xticks(range(len(KEYS)), labels, fontsize=8)
        bars.set_ylim(0, 1)
        bars.set_title(f"Weights (softmax); output = {output:.1f}")
        bars.set_xlabel("key: its value")
        bars.set_ylabel("attention weight")
        fig.tight_layout()
    return fig


def attention_settings_figure(
    settings: Sequence[tuple[float, float]] = (
        (45.0, 0.5),
        (45.0, 2.0),
        (45.0, 12.0),
        (170.0, 12.0),
    ),
):
    """The static companion of the explorer: a few (angle, length) settings side by side.

    Taught in: Chapter 5, Architectures (attention).

    Parameters
    ----------
    settings : sequence of (angle, length)
        One column each (1 to 4): the plane on top, the weights below.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.pyplot as plt

    from nnlib.plot import style

    settings = [_check_setting(a, n) for a, n in settings]
    if not 1 <= len(settings) <= 4:
        raise ValueError(f"settings must hold 1 to 4 (angle, length) pairs, got {len(settings)}")
    with style():
        fig, axes = plt.subplots(2, len(settings), figsize=(3.6 * len(settings), 7), squeeze=False)
        for k, (angle, length) in enumerate(settings):
            attention_figure(angle, length, axes=(axes[0, k], axes[1, k]))
            axes[0, k].title.set_fontsize(10)
            axes[1, k].title.set_fontsize(10)
        fig.tight_layout()
    return fig


class AttentionExplorer:
    """The query's angle and length on sliders; the weights redrawn on every change.

    Display it as the last line of a cell. Works with ipywidgets 7.7 and 8.x.

    Taught in: Chapter 5, Architectures (attention).

    Parameters
    ----------
    angle : float
        The initial direction of the query, in degrees.
    length : float
        The initial length of the query (the slider is logarithmic, 0.1 to 20).

    Attributes
    ----------
    angle, length : ipywidgets controls
    output : ipywidgets.Output
        Where the figure is drawn.
    weights : ndarray
        The weights of the last setting.
    widget : ipywidgets.VBox
        The whole interface.
    """

    def __init__(self, angle: float = 30.0, length: float = 2.0):
        widgets = require_ipywidgets()

        angle, length = _check_setting(angle, length)
        self.angle = widgets.FloatSlider(
            value=angle,
            min=-180,
            max=180,
            step=5,
            description="angle",
            continuous_update=False,
        )
        self.length = widgets.FloatLogSlider(
            value=max(length, 0.1),
            base=10,
            min=-1,
            max=np.log10(20),
            step=0.02,
            readout_format=".2g",
            description="length",
            continuous_update=False,
        )
        for control in (self.angle, self.length):
            control.style = {"description_width": "60px"}
        self.output = widgets.Output()
        self.weights = np.empty(0)
        self.widget = widgets.VBox([widgets.HBox([self.angle, self.length]), self.output])
        for control in (self.angle, self.length):
            control.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change) -> None:
        self.update()

    def update(self) -> None:
        """Recompute the weights for the current sliders and redraw the figure."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        _, self.weights, _ = attention_weights(self.angle.value, self.length.value)
        with self.output:
            self.output.clear_output(wait=True)
            fig = attention_figure(self.angle.value, self.length.value)
            display(fig)
            plt.close(fig)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def attention_explorer(angle: float = 30.0, length: float = 2.0) -> AttentionExplorer:
    """Build the attention explorer (see :class:`AttentionExplorer`).

    Taught in: Chapter 5, Architectures (attention).

    Examples
    --------
    >>> attention_explorer(angle=45, length=4)  # doctest: +SKIP
    """
    return AttentionExplorer(angle, length)
