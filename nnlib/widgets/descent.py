"""The learning-rate widget: gradient descent on a 2-D surface, with the rate on a slider.

Move the learning rate and watch the path: too small and it crawls, a little too large and
it zigzags, larger still and it flies off the map. :func:`learning_rate_widget` is the live
version (ipywidgets 7.7 and 8.x); :func:`learning_rate_figure` draws a few representative
rates side by side for readers of the static HTML book, and :func:`descent_figure` draws a
single run (the widget redraws it on every change).

Taught in: Chapter 4, Learning (gradient descent).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnlib.surfaces import SURFACES, Surface, descend, get_surface
from nnlib.widgets import require_ipywidgets

__all__ = [
    "LearningRateWidget",
    "describe_run",
    "descent_figure",
    "learning_rate_figure",
    "learning_rate_widget",
]

#: Within this distance of a minimum, a run counts as converged.
TOLERANCE = 1e-3


def _check_run(surface, lr, steps, start) -> tuple[Surface, tuple[float, float]]:
    surface = get_surface(surface)
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)):
        raise TypeError(f"lr must be a number, got {type(lr).__name__}")
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a positive finite number, got {lr}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    start = surface.start if start is None else start
    point = np.asarray(start, dtype=float)
    if point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(f"start must be a finite point (x, y), got {start!r}")
    return surface, (float(point[0]), float(point[1]))


def describe_run(surface: Surface | str, path: np.ndarray, steps: int) -> str:
    """A few words saying how a run of gradient descent ended.

    Taught in: Chapter 4, Learning (gradient descent).

    Parameters
    ----------
    surface : Surface or str
        The surface descended.
    path : ndarray of shape (k, 2)
        The path from :func:`nnlib.surfaces.descend`.
    steps : int
        How many steps were asked for (a shorter path means descent blew up).

    Returns
    -------
    str
        One of "diverged after N steps", "diverging: loss A -> B", "converged in N steps",
        "stuck at the saddle point", or "not there yet: D from a minimum".
    """
    surface = get_surface(surface)
    path = np.asarray(path, dtype=float)
    if path.ndim != 2 or path.shape[1] != 2 or len(path) == 0:
        raise ValueError(f"path must have shape (k, 2) with k >= 1, got {path.shape}")
    end = path[-1]
    if len(path) < steps + 1 or not np.all(np.isfinite(end)):
        return f"diverged after {len(path) - 1} steps"
    for m in surface.minima:
        dist = np.hypot(*(path - m).T)
        if dist[-1] < TOLERANCE:
            first = int(np.argmax(dist < TOLERANCE))
            if np.all(dist[first:] < TOLERANCE):
                return f"converged in {first} steps"
    for s in surface.saddles:
        if np.hypot(*(end - s)) < TOLERANCE:
            return "stuck at the saddle point"
    gap = _gap(surface, path)
    if gap[-1] > gap[0]:
        return f"diverging: loss {gap[0]:.3g} -> {gap[-1]:.3g}"
    m = surface.nearest_minimum(end)
    return f"not there yet: {np.hypot(*(end - m)):.3g} from a minimum"


def _gap(surface: Surface, path: np.ndarray) -> np.ndarray:
    """Height above the lowest minimum along a path, floored for a log scale."""
    lowest = surface.value(surface.minima[0])
    with np.errstate(over="ignore", invalid="ignore"):
        return np.maximum(surface.value(path) - lowest, 1e-16)


def descent_figure(surface="ravine", lr: float = 0.1, steps: int = 40, start=None, axes=None):
    """Draw one run of gradient descent: the path on the contour map, and the loss per step.

    Taught in: Chapter 4, Learning (gradient descent).

    Parameters
    ----------
    surface : str or Surface
        Which surface (a name from :data:`nnlib.surfaces.SURFACES`).
    lr : float
        The learning rate.
    steps : int
        How many steps of descent.
    start : (float, float), optional
        The starting point; the surface's own ``start`` if omitted.
    axes : pair of matplotlib Axes, optional
        Where to draw the map and the loss curve; a new figure if omitted.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.pyplot as plt

    from nnlib.plot import contour_with_paths, style

    surface, start = _check_run(surface, lr, steps, start)
    path = descend(surface.grad, start, lr, steps)
    with style():
        if axes is None:
            fig, axes = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": (1.15, 1)})
        else:
            fig = axes[0].figure
        ax_map, ax_loss = axes
        contour_with_paths(
            surface.f,
            surface.xlim,
            surface.ylim,
            paths={f"lr = {lr:.3g}": path},
            ax=ax_map,
            log_levels=surface.log_levels,
            title=f"{surface.name}: {describe_run(surface, path, steps)}",
            xlabel="$x$",
            ylabel="$y$",
        )
        ax_loss.semilogy(np.arange(len(path)), _gap(surface, path), "-o", ms=2.5)
        ax_loss.set_xlim(0, steps)
        ax_loss.set_title(f"Loss per step, lr = {lr:.3g}")
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel(r"$f - f_{\min}$ (log scale)")
        fig.tight_layout()
    return fig


def learning_rate_figure(
    surface="ravine",
    lrs: Sequence[float] = (0.05, 0.3, 0.45, 0.52),
    steps: int = 40,
    start=None,
):
    """The static companion of the widget: several learning rates, one map each.

    One contour map per learning rate with its path (titled with how the run ended), two or
    three maps to a row so that the figure stays readable at a book's width, and below them
    the loss per step of every run on one log-scale plot.

    Taught in: Chapter 4, Learning (gradient descent).

    Parameters
    ----------
    surface : str or Surface
        Which surface.
    lrs : sequence of float
        The learning rates, one panel each (1 to 6 of them).
    steps : int
        Steps per run.
    start : (float, float), optional
        The common starting point; the surface's own ``start`` if omitted.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.pyplot as plt

    from nnlib.plot import PALETTE, contour_with_paths, style

    lrs = list(lrs)
    if not 1 <= len(lrs) <= 6:
        raise ValueError(f"lrs must hold 1 to 6 learning rates, got {len(lrs)}")
    runs = []
    for lr in lrs:
        surf, point = _check_run(surface, lr, steps, start)
        runs.append((lr, descend(surf.grad, point, lr, steps)))
    surface = surf
    k = len(lrs)
    # Two maps a row for 2 or 4 rates, three for 3, 5 or 6: readable at a book's width.
    ncols = 2 if k in (2, 4) else min(k, 3)
    nrows = -(-k // ncols)
    with style():
        fig = plt.figure(figsize=(max(3.7 * ncols, 7.0), 3.3 * nrows + 3.2), dpi=85)
        grid = fig.add_gridspec(nrows + 1, ncols, height_ratios=(1.0,) * nrows + (0.9,))
        ax_loss = fig.add_subplot(grid[nrows, :])
        for i, (lr, path) in enumerate(runs):
            ax = fig.add_subplot(grid[i // ncols, i % ncols])
            contour_with_paths(
                surface.f,
                surface.xlim,
                surface.ylim,
                ax=ax,
                resolution=100,
                log_levels=surface.log_levels,
                title=f"lr = {lr:g}\n{describe_run(surface, path, steps)}",
                xlabel="$x$",
                ylabel="$y$" if i % ncols == 0 else "",
            )
            colour = PALETTE[i % len(PALETTE)]
            ax.plot(path[:, 0], path[:, 1], "-o", color="white", ms=2, lw=1.2)
            ax.plot(*path[0], "s", color=colour, ms=6, markeredgecolor="black")
            if len(path) == steps + 1:
                ax.plot(*path[-1], "*", color=colour, ms=11, markeredgecolor="black")
            ax.title.set_fontsize(10)
            ax_loss.semilogy(_gap(surface, path), "-o", ms=2, color=colour, label=f"lr = {lr:g}")
        ax_loss.set_xlim(0, steps)
        ax_loss.set_title(f"Gradient descent on the {surface.name}: loss per step")
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel(r"$f - f_{\min}$ (log scale)")
        ax_loss.legend(loc="best")
        fig.tight_layout()
    return fig


class LearningRateWidget:
    """Gradient descent on a surface, with the learning rate, steps and start on sliders.

    Display it as the last line of a cell. Every change re-runs descent and redraws
    :func:`descent_figure` below the controls. Works with ipywidgets 7.7 and 8.x.

    Taught in: Chapter 4, Learning (gradient descent).

    Parameters
    ----------
    surface : str
        The surface to start with (the dropdown offers all of them).
    lr : float
        The initial learning rate (the slider is logarithmic, 0.001 to 3).
    steps : int
        The initial number of steps.

    Attributes
    ----------
    surface, lr, steps, x0, y0 : ipywidgets controls
    output : ipywidgets.Output
        Where the figure is drawn.
    path : ndarray
        The path of the last run.
    status : str
        How the last run ended (see :func:`describe_run`).
    widget : ipywidgets.VBox
        The whole interface.
    """

    def __init__(self, surface: str = "ravine", lr: float = 0.1, steps: int = 40):
        widgets = require_ipywidgets()

        first, _ = _check_run(surface, lr, steps, None)
        self.surface = widgets.Dropdown(
            options=list(SURFACES), value=first.name, description="surface"
        )
        self.lr = widgets.FloatLogSlider(
            value=lr,
            base=10,
            min=-3,
            max=0.5,
            step=0.02,
            readout_format=".3g",
            description="learning rate",
            continuous_update=False,
        )
        self.steps = widgets.IntSlider(
            value=steps, min=1, max=200, description="steps", continuous_update=False
        )
        self.x0 = widgets.FloatSlider(description="start x", continuous_update=False)
        self.y0 = widgets.FloatSlider(description="start y", continuous_update=False)
        self._set_start_range(first)
        self.output = widgets.Output()
        self.path = np.empty((0, 2))
        self.status = ""
        self._muted = False
        style = {"description_width": "90px"}
        for control in (self.surface, self.lr, self.steps, self.x0, self.y0):
            control.style = style
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.surface, self.lr, self.steps]),
                widgets.HBox([self.x0, self.y0]),
                self.output,
            ]
        )
        self.surface.observe(self._on_surface, names="value")
        for control in (self.lr, self.steps, self.x0, self.y0):
            control.observe(self._on_change, names="value")
        self.update()

    def _set_start_range(self, surface: Surface) -> None:
        for control, lim, value in (
            (self.x0, surface.xlim, surface.start[0]),
            (self.y0, surface.ylim, surface.start[1]),
        ):
            # Widen first, so that the old value never falls outside the new range.
            control.min, control.max = min(control.min, lim[0]), max(control.max, lim[1])
            control.min, control.max = lim
            control.step = (lim[1] - lim[0]) / 200
            control.value = value

    def _on_surface(self, change) -> None:
        self._muted = True
        try:
            self._set_start_range(get_surface(change["new"]))
        finally:
            self._muted = False
        self.update()

    def _on_change(self, change) -> None:
        if not self._muted:
            self.update()

    def update(self) -> None:
        """Re-run descent with the current settings and redraw the figure."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        surface = get_surface(self.surface.value)
        start = (self.x0.value, self.y0.value)
        self.path = descend(surface.grad, start, self.lr.value, self.steps.value)
        self.status = describe_run(surface, self.path, self.steps.value)
        with self.output:
            self.output.clear_output(wait=True)
            fig = descent_figure(surface, self.lr.value, self.steps.value, start)
            display(fig)
            plt.close(fig)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def learning_rate_widget(surface: str = "ravine", lr: float = 0.1, steps: int = 40):
    """Build the learning-rate widget (see :class:`LearningRateWidget`).

    Taught in: Chapter 4, Learning (gradient descent).

    Examples
    --------
    >>> learning_rate_widget("ravine", lr=0.3)  # doctest: +SKIP
    """
    return LearningRateWidget(surface, lr, steps)
