"""The book's figures: decision boundaries, loss surfaces, learning curves, network diagrams.

Used throughout; introduced in Chapter 2, Neurons and networks.

Every function draws in one consistent style (the colour-blind-safe :data:`PALETTE`, light
grid, no top/right frame), applied through :func:`style` while it draws and never globally
on import. Every function labels its axes, sets a title, returns the ``Axes`` (or the
``Figure`` for multi-panel grids) and never calls ``plt.show()``: the notebook cell does.

matplotlib is imported inside the functions, so ``import nnlib.plot`` stays cheap.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

from nnlib._validate import as_float_array, check_finite, check_labels, check_same_length
from nnlib.data import _check_count

__all__ = [
    "PALETTE",
    "PATH_COLOURS",
    "PATH_END_MARKERS",
    "confusion_matrix_plot",
    "contour_with_paths",
    "decision_boundary",
    "image_grid",
    "learning_curves",
    "network_diagram",
    "style",
    "surface_3d",
    "weight_heatmap",
]

#: Colour-blind-safe colours (Okabe and Ito), in the order classes and curves use them.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # green
    "#D55E00",  # vermillion
    "#CC79A7",  # purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

#: Colours of optimizer paths on a contour map, in order: distinct from each other and
#: visible on the viridis colours of the map.
PATH_COLOURS: tuple[str, ...] = (
    PALETTE[3],
    PALETTE[5],
    PALETTE[4],
    PALETTE[6],
    PALETTE[1],
    "white",
)

#: End markers of optimizer paths, in the same order as :data:`PATH_COLOURS`.
PATH_END_MARKERS: tuple[str, ...] = ("*", "D", "P", "X", "v", "^")

_RC = {
    "figure.figsize": (5.5, 4.0),
    "figure.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "image.cmap": "viridis",
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Context manager applying the book's matplotlib style to what is drawn inside it.

    Used throughout; introduced in Chapter 2, Neurons and networks.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with style():
    ...     fig, ax = plt.subplots()
    """
    import matplotlib as mpl
    from cycler import cycler

    with mpl.rc_context({**_RC, "axes.prop_cycle": cycler(color=PALETTE)}):
        yield


def _new_axes(ax=None, **subplot_kw):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax
    _, ax = plt.subplots(subplot_kw=subplot_kw or None)
    return ax


def _finish(ax, title: str, xlabel: str, ylabel: str, grid: bool = True):
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if hasattr(ax, "spines") and "top" in ax.spines:
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
    if grid:
        ax.grid(True, alpha=0.3)
    else:
        ax.grid(False)
    return ax


def _check_lim(lim, name: str) -> tuple[float, float]:
    lo, hi = (float(v) for v in lim)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be (low, high) with finite low < high; got {lim}")
    return lo, hi


def _grid(xlim, ylim, resolution: int):
    _check_count(resolution, "resolution", minimum=2)
    xs = np.linspace(*xlim, resolution)
    ys = np.linspace(*ylim, resolution)
    return np.meshgrid(xs, ys)


def _evaluate_surface(f: Callable, XX: np.ndarray, YY: np.ndarray) -> np.ndarray:
    """Call ``f(x, y)`` on whole grids, or point by point if it does not broadcast."""
    try:
        Z = np.asarray(f(XX, YY), dtype=np.float64)
        if Z.shape == XX.shape:
            return Z
    except (TypeError, ValueError):
        pass
    return np.vectorize(lambda a, b: float(f(a, b)))(XX, YY).astype(np.float64)


# ---------------------------------------------------------------------------------------------
# Classifiers
# ---------------------------------------------------------------------------------------------


def _is_torch_module(obj) -> bool:
    torch = sys.modules.get("torch")  # never import torch here: only if already in use
    return torch is not None and isinstance(obj, torch.nn.Module)


def _model_scores(model_or_fn, points: np.ndarray) -> np.ndarray:
    """Scores or labels for each row of ``points`` from an nnlib model, torch model or callable."""
    if _is_torch_module(model_or_fn):
        import torch

        was_training = model_or_fn.training
        model_or_fn.eval()
        try:
            with torch.no_grad():
                dtype = next(model_or_fn.parameters(), torch.empty(0)).dtype
                out = model_or_fn(torch.as_tensor(points, dtype=dtype))
        finally:
            model_or_fn.train(was_training)
        return out.detach().cpu().numpy()
    if all(hasattr(model_or_fn, a) for a in ("parameters", "train", "eval")):
        from nnlib.train import predict

        return np.asarray(predict(model_or_fn, points))
    if not callable(model_or_fn):
        raise TypeError(
            "model_or_fn must be an nnlib model, a torch module or a callable mapping "
            f"an (n, 2) array to scores or labels; got {type(model_or_fn).__name__}"
        )
    return np.asarray(model_or_fn(points))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # the stable form of 1 / (1 + exp(-z))


def decision_boundary(
    model_or_fn,
    X,
    y,
    ax=None,
    title: str | None = None,
    resolution: int = 200,
    margin: float = 0.1,
):
    """Colour the plane by the class a classifier predicts, with the data on top.

    Used throughout; introduced in Chapter 2, Neurons and networks.

    The classifier is evaluated on a ``resolution x resolution`` grid that covers the data
    plus a ``margin``. What it returns decides the picture:

    - one score per class, shape ``(m, K)`` with ``K >= 2`` (probabilities or logits):
      regions coloured by the argmax class;
    - one number per point, shape ``(m,)`` or ``(m, 1)``: integer labels colour regions;
      floats in ``[0, 1]`` are read as the probability of class 1, other floats as logits
      (passed through the sigmoid), shaded from class 0's colour to class 1's with the
      boundary drawn where the probability is 0.5.

    Parameters
    ----------
    model_or_fn : nnlib model, torch module or callable
        An nnlib ``Sequential`` (run in eval mode, as :func:`nnlib.train.predict` does),
        a ``torch.nn.Module`` (run in eval mode without gradients) or any function mapping
        an ``(m, 2)`` array to scores or labels.
    X : array_like of shape (n, 2)
        The points to show.
    y : array_like of shape (n,)
        Their integer labels.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    title : str, optional
        Defaults to "Decision boundary".
    resolution : int, default 200
        Grid points along each axis.
    margin : float, default 0.1
        Extra room around the data, as a fraction of its range.

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.colors import LinearSegmentedColormap, ListedColormap

    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 columns (points in the plane); got shape {X.shape}")
    check_finite(X, "X")
    y = check_labels(y, name="y")
    check_same_length(X, y, "X", "y")
    if len(y) and y.min() < 0:
        raise ValueError(f"y must hold labels >= 0; got label {y.min()}")
    span = np.ptp(X, axis=0) if len(X) else np.ones(2)
    span = np.where(span > 0, span, 1.0)
    low, high = X.min(axis=0) - margin * span, X.max(axis=0) + margin * span
    XX, YY = _grid((low[0], high[0]), (low[1], high[1]), resolution)
    points = np.column_stack([XX.ravel(), YY.ravel()])
    scores = _model_scores(model_or_fn, points)
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]
    if scores.shape[0] != len(points) or scores.ndim not in (1, 2):
        raise ValueError(
            f"the classifier returned shape {scores.shape} for {len(points)} points; "
            "expected (n,), (n, 1) or (n, n_classes)"
        )
    n_classes = int(y.max()) + 1 if len(y) else 2

    with style():
        ax = _new_axes(ax)
        if scores.ndim == 2 or scores.dtype.kind in "iub":
            labels = scores.argmax(axis=1) if scores.ndim == 2 else scores.astype(np.int64)
            n_classes = max(n_classes, int(labels.max()) + 1)
            colours = [PALETTE[k % len(PALETTE)] for k in range(n_classes)]
            levels = np.arange(n_classes + 1) - 0.5
            ZZ = labels.reshape(XX.shape)
            ax.contourf(XX, YY, ZZ, levels=levels, cmap=ListedColormap(colours), alpha=0.25)
            ax.contour(XX, YY, ZZ, levels=levels[1:-1], colors="0.2", linewidths=1.0)
        else:
            scores = scores.astype(np.float64)
            if not np.all(np.isfinite(scores)):
                raise ValueError("the classifier returned NaN or infinite scores on the grid")
            inside = scores.min() >= 0.0 and scores.max() <= 1.0
            prob = (scores if inside else _sigmoid(scores)).reshape(XX.shape)
            cmap = LinearSegmentedColormap.from_list("nnlib2", [PALETTE[0], "white", PALETTE[1]])
            ax.contourf(XX, YY, prob, levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.45)
            if prob.min() < 0.5 < prob.max():
                ax.contour(XX, YY, prob, levels=[0.5], colors="0.2", linewidths=1.5)
        for k in np.unique(y):
            mask = y == k
            ax.scatter(
                X[mask, 0],
                X[mask, 1],
                s=22,
                color=PALETTE[int(k) % len(PALETTE)],
                edgecolors="white",
                linewidths=0.5,
                label=f"class {k}",
            )
        ax.set_xlim(low[0], high[0])
        ax.set_ylim(low[1], high[1])
        if len(y):
            ax.legend(loc="best")
        return _finish(ax, title or "Decision boundary", "$x_1$", "$x_2$", grid=False)


# ---------------------------------------------------------------------------------------------
# Loss surfaces
# ---------------------------------------------------------------------------------------------


def contour_with_paths(
    f: Callable,
    xlim,
    ylim,
    paths: Mapping[str, np.ndarray] | None = None,
    ax=None,
    levels: int = 30,
    log_levels: bool = False,
    title: str | None = None,
    resolution: int = 200,
    xlabel: str = "$w_1$",
    ylabel: str = "$w_2$",
    colorbar: bool = False,
    colorbar_label: str = "loss",
):
    """Contour map of a function of two variables, with optimizer paths drawn on it.

    Used throughout; introduced in Chapter 4, Learning (gradient descent, optimizers).

    Parameters
    ----------
    f : callable
        ``f(x, y) -> z``; called on whole grids if it broadcasts (as numpy expressions do,
        e.g. ``nnlib.surfaces.Surface.f``), point by point otherwise.
    xlim, ylim : (float, float)
        The ranges to draw.
    paths : dict of str to array_like of shape (k, 2), optional
        Named sequences of points (one per optimizer step): each is drawn as a line in its
        own colour (:data:`PATH_COLOURS`, in order) with a square at its start and a large
        marker at its end (:data:`PATH_END_MARKERS`: a star, a diamond, ...), and named in
        the legend with its end marker, so that paths ending at the same point stay apart.
    ax : matplotlib Axes, optional
    levels : int, default 30
        Number of contour levels.
    log_levels : bool, default False
        Space the levels logarithmically above the minimum, which shows the floor of a
        narrow valley (Rosenbrock's, say) that even spacing would hide.
    title : str, optional
        Defaults to "Loss surface".
    resolution : int, default 200
        Grid points along each axis.
    xlabel, ylabel : str
        Axis labels (the two parameters).
    colorbar : bool, default False
        Add a colour bar that reads the contour colours as values of ``f``.
    colorbar_label : str, default "loss"
        The colour bar's label.

    Returns
    -------
    matplotlib Axes
    """
    xlim = _check_lim(xlim, "xlim")
    ylim = _check_lim(ylim, "ylim")
    XX, YY = _grid(xlim, ylim, resolution)
    Z = _evaluate_surface(f, XX, YY)
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        raise ValueError("f is NaN or infinite everywhere on the grid")
    zmin, zmax = float(finite.min()), float(finite.max())
    if zmax <= zmin:
        zmax = zmin + 1.0
    if log_levels:
        # Geometric spacing of the height above the minimum, starting just above it.
        level_values = zmin + np.geomspace((zmax - zmin) * 1e-4, zmax - zmin, levels)
    else:
        level_values = np.linspace(zmin, zmax, levels)
    checked_paths = {}
    for name, path in (paths or {}).items():
        arr = as_float_array(path, f"paths[{name!r}]", ndim=2)
        if arr.shape[1] != 2 or len(arr) == 0:
            raise ValueError(f"paths[{name!r}] must have shape (k, 2) with k >= 1; got {arr.shape}")
        checked_paths[name] = arr

    with style():
        ax = _new_axes(ax)
        filled = ax.contourf(
            XX, YY, Z, levels=level_values, cmap="viridis", alpha=0.85, extend="both"
        )
        ax.contour(XX, YY, Z, levels=level_values, colors="white", linewidths=0.4, alpha=0.5)
        if colorbar:
            from matplotlib.ticker import MaxNLocator

            ticks = MaxNLocator(6).tick_values(zmin, zmax)  # round numbers, inside the range
            ticks = ticks[(ticks >= zmin) & (ticks <= zmax)]
            bar = ax.figure.colorbar(filled, ax=ax, ticks=ticks)
            bar.set_label(colorbar_label)
        handles = []
        for i, (name, arr) in enumerate(checked_paths.items()):
            colour = PATH_COLOURS[i % len(PATH_COLOURS)]
            end = PATH_END_MARKERS[i % len(PATH_END_MARKERS)]
            ax.plot(arr[:, 0], arr[:, 1], "-o", color=colour, ms=2.5, lw=1.5)
            ax.plot(*arr[0], "s", color=colour, ms=7, markeredgecolor="black")
            size = 15 if end == "*" else 10
            ax.plot(*arr[-1], end, color=colour, ms=size, markeredgecolor="black", zorder=5)
            (handle,) = ax.plot([], [], "-", color=colour, lw=1.5, marker=end, ms=size * 0.8)
            handle.set_markeredgecolor("black")
            handle.set_label(name)
            handles.append(handle)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        if checked_paths:
            ax.legend(handles=handles, loc="best", frameon=True)
        return _finish(ax, title or "Loss surface", xlabel, ylabel, grid=False)


def surface_3d(
    f: Callable,
    xlim,
    ylim,
    ax=None,
    title: str | None = None,
    resolution: int = 60,
    xlabel: str = "$w_1$",
    ylabel: str = "$w_2$",
    zlabel: str = "loss",
):
    """Draw a function of two variables as a 3-D surface.

    Used throughout; introduced in Chapter 4, Learning (gradient descent).

    Parameters
    ----------
    f : callable
        ``f(x, y) -> z`` (see :func:`contour_with_paths`).
    xlim, ylim : (float, float)
    ax : matplotlib 3-D Axes, optional
        Must have ``projection="3d"``; a new figure if omitted.
    title : str, optional
        Defaults to "Loss surface".
    resolution : int, default 60
    xlabel, ylabel, zlabel : str

    Returns
    -------
    matplotlib Axes (3-D)
    """
    xlim = _check_lim(xlim, "xlim")
    ylim = _check_lim(ylim, "ylim")
    XX, YY = _grid(xlim, ylim, resolution)
    Z = _evaluate_surface(f, XX, YY)
    with style():
        ax = _new_axes(ax, projection="3d")
        if not hasattr(ax, "plot_surface"):
            raise TypeError("surface_3d needs an Axes made with projection='3d'")
        ax.plot_surface(XX, YY, Z, cmap="viridis", linewidth=0, antialiased=True, alpha=0.9)
        ax.set_zlabel(zlabel)
        return _finish(ax, title or "Loss surface", xlabel, ylabel)


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


def learning_curves(
    history,
    metrics: Sequence[str] = ("loss", "accuracy"),
    axes=None,
    title: str | None = None,
    ax=None,
):
    """Training and validation curves, one panel per metric, against the epoch.

    Used throughout; introduced in Chapter 4, Learning (monitoring training).

    A gap that opens between the training and the validation curve is overfitting made
    visible. If ``history`` knows its best epoch (as :class:`nnlib.train.History` does), a
    dotted line marks it.

    Parameters
    ----------
    history : nnlib.train.History or dict of str to list of float
        Per-epoch values under ``"loss"``, ``"val_loss"``, ``"accuracy"``, ... .
    metrics : sequence of str, default ("loss", "accuracy")
        What to draw; ``"val_" + name`` is drawn beside ``name`` when present. Metrics absent
        from ``history`` are skipped.
    axes : matplotlib Axes or sequence of Axes, optional
        One per metric drawn; a new row of panels if omitted.
    title : str, optional
        Title of the first panel; each panel defaults to "Learning curve: <metric>".
    ax : matplotlib Axes, optional
        Same as ``axes``, under the name the other functions use (give one or the other).

    Returns
    -------
    list of matplotlib Axes
        One per metric drawn.
    """
    import matplotlib.pyplot as plt

    record = getattr(history, "history", history)
    if not isinstance(record, Mapping):
        raise TypeError(
            f"history must be an nnlib.train.History or a dict of lists; got {type(history)}"
        )
    if isinstance(metrics, str):
        metrics = (metrics,)
    shown = [m for m in metrics if len(record.get(m, ())) or len(record.get(f"val_{m}", ()))]
    if not shown:
        raise ValueError(
            f"history has none of the metrics {tuple(metrics)}; it has {sorted(record)}"
        )
    best = getattr(history, "best_epoch", None)
    if ax is not None:
        if axes is not None:
            raise TypeError("learning_curves: give axes or ax, not both")
        axes = ax
    with style():
        if axes is None:
            width, height = _RC["figure.figsize"]
            _, axes = plt.subplots(1, len(shown), figsize=(width * len(shown) * 0.8, height))
        axes_list = list(np.atleast_1d(axes).ravel())
        if len(axes_list) != len(shown):
            raise ValueError(
                f"got {len(axes_list)} Axes for {len(shown)} metrics to draw ({shown})"
            )
        for i, (ax, name) in enumerate(zip(axes_list, shown, strict=True)):
            for key, colour, label in (
                (name, PALETTE[0], "train"),
                (f"val_{name}", PALETTE[3], "validation"),
            ):
                values = np.asarray(record.get(key, ()), dtype=np.float64)
                if values.size:
                    epochs = np.arange(1, len(values) + 1)
                    ax.plot(
                        epochs,
                        values,
                        "-",
                        color=colour,
                        lw=1.8,
                        label=label,
                        marker="o" if len(values) <= 30 else None,
                        ms=3,
                    )
            if best is not None:
                ax.axvline(best, color="0.4", ls=":", lw=1.2, label=f"best epoch ({best})")
            ax.legend(loc="best")
            panel_title = title if (title and i == 0) else f"Learning curve: {name}"
            _finish(ax, panel_title, "epoch", name)
        return axes_list


# ---------------------------------------------------------------------------------------------
# Networks and weights
# ---------------------------------------------------------------------------------------------


def _layer_sizes(model_or_sizes) -> tuple[list[int], list[str], int]:
    """Layer widths, the activation after each layer, and the parameter count."""
    layers = getattr(model_or_sizes, "layers", None)
    if layers is None:
        sizes = list(model_or_sizes)
        if len(sizes) < 2 or any(
            isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in sizes
        ):
            raise ValueError(
                "network_diagram needs a model with Dense layers or a list of at least two "
                f"positive layer sizes; got {model_or_sizes!r}"
            )
        n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=False))
        return [int(s) for s in sizes], [""] * len(sizes), n_params
    sizes: list[int] = []
    acts: list[str] = []
    for layer in layers:
        n_in, n_out = getattr(layer, "n_in", None), getattr(layer, "n_out", None)
        if n_in is None and getattr(getattr(layer, "W", None), "data", None) is not None:
            n_in, n_out = layer.W.data.shape
        if n_in is not None:
            if sizes and sizes[-1] != n_in:
                raise ValueError(f"layer sizes do not chain: {sizes[-1]} then {n_in} inputs")
            if not sizes:
                sizes, acts = [int(n_in)], [""]
            sizes.append(int(n_out))
            acts.append("")
        elif sizes:
            acts[-1] = (acts[-1] + ", " if acts[-1] else "") + type(layer).__name__
    if len(sizes) < 2:
        raise ValueError("network_diagram found no Dense layers (with n_in/n_out) in the model")
    if hasattr(model_or_sizes, "n_params"):
        n_params = int(model_or_sizes.n_params())
    else:
        n_params = sum(p.data.size for p in model_or_sizes.parameters())
    return sizes, acts, n_params


def network_diagram(model_or_sizes, ax=None, max_units: int = 9, title: str | None = None):
    """Draw a fully connected network as circles (units) and lines (weights).

    Used throughout; introduced in Chapter 2, Neurons and networks.

    Parameters
    ----------
    model_or_sizes : nnlib Sequential or sequence of int
        A model (its ``Dense`` layers give the widths, the layers after them the activation
        names shown under each column) or the widths themselves, e.g. ``[2, 3, 2]``.
    ax : matplotlib Axes, optional
    max_units : int, default 9
        Wider layers are collapsed: the first and last few units are drawn, with a vertical
        ellipsis between them and the true width written below.
    title : str, optional
        Defaults to the shape and the number of parameters, e.g.
        "Network 2-3-2 (17 parameters)".

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.patches import Circle

    sizes, acts, n_params = _layer_sizes(model_or_sizes)
    _check_count(max_units, "network_diagram: max_units", minimum=3)
    shown_rows = min(max(sizes), max_units)
    radius = 0.32

    def column(size: int) -> tuple[np.ndarray, float | None]:
        """Heights of the drawn units (top to bottom) and of the ellipsis, if any."""
        if size <= max_units:
            return (size - 1) / 2.0 - np.arange(size), None
        n_top = max_units // 2  # slots 0..n_top-1, the ellipsis, then the bottom units
        slots = np.concatenate([np.arange(n_top), np.arange(n_top + 1, max_units)])
        centre = (max_units - 1) / 2.0
        return centre - slots, centre - n_top

    with style():
        ax = _new_axes(ax)
        columns = [column(size) for size in sizes]
        dx = max(2.0, 0.4 * shown_rows)  # horizontal gap between layers, in unit spacings
        xs = dx * np.arange(len(sizes))
        for i in range(len(sizes) - 1):
            for y0 in columns[i][0]:
                for y1 in columns[i + 1][0]:
                    ax.plot(xs[i : i + 2], [y0, y1], color="0.55", lw=0.6, alpha=0.6, zorder=1)
        for i, (ys, ellipsis_at) in enumerate(columns):
            role = 0 if i == 0 else (3 if i == len(sizes) - 1 else 2)
            for y_unit in ys:
                ax.add_patch(
                    Circle(
                        (xs[i], y_unit),
                        radius,
                        facecolor=PALETTE[role],
                        edgecolor="black",
                        lw=0.8,
                        zorder=3,
                    )
                )
            if ellipsis_at is not None:
                ax.text(
                    xs[i], ellipsis_at, "\u22ee", ha="center", va="center", fontsize=16, zorder=4
                )
            if acts[i]:
                ax.text(
                    xs[i],
                    -(shown_rows / 2.0) - 0.1,
                    acts[i],
                    ha="center",
                    va="top",
                    fontsize=8,
                    color="0.3",
                )
        names = ["input"] + [f"hidden {k}" for k in range(1, len(sizes) - 1)] + ["output"]
        ax.set_xticks(xs)
        ax.set_xticklabels([f"{name}\n({size})" for name, size in zip(names, sizes, strict=True)])
        ax.set_yticks([])
        ax.set_xlim(xs[0] - 0.8, xs[-1] + 0.8)
        bottom = shown_rows / 2.0 + (0.7 if any(acts) else 0.2)
        ax.set_ylim(-bottom, shown_rows / 2.0 + 0.2)
        ax.set_aspect("equal")
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        shape = "-".join(str(s) for s in sizes)
        _finish(
            ax, title or f"Network {shape} ({n_params:,} parameters)", "layer", "units", grid=False
        )
        ax.tick_params(axis="x", length=0)
        return ax


def weight_heatmap(W, ax=None, title: str | None = None, annotate: bool | None = None):
    """Show a weight matrix as colours: red positive, blue negative, white near zero.

    Used throughout; introduced in Chapter 2, Neurons and networks.

    Parameters
    ----------
    W : array_like of shape (n_in, n_out), or an object with ``.data`` (a Parameter)
        Row ``i``, column ``j`` is the weight from input unit ``i`` to output unit ``j``,
        as in ``nnlib.layers.Dense`` (``y = x @ W + b``). A 1-D array is drawn as one row.
    ax : matplotlib Axes, optional
    title : str, optional
        Defaults to "Weights (n_in x n_out)".
    annotate : bool, optional
        Write each value in its cell; by default only for small matrices (at most 64
        cells and 10 columns).

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    M = as_float_array(getattr(W, "data", W), "W", ndim=(1, 2))
    if M.ndim == 1:
        M = M[None, :]
    if M.size == 0:
        raise ValueError(f"W is empty (shape {M.shape})")
    check_finite(M, "W")
    if annotate is None:
        annotate = M.size <= 64 and M.shape[1] <= 10
    limit = float(np.abs(M).max()) or 1.0
    with style():
        ax = _new_axes(ax)
        image = ax.imshow(M, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        plt.colorbar(image, ax=ax, label="weight")
        if annotate:
            for (i, j), value in np.ndenumerate(M):
                ax.text(
                    j,
                    i,
                    f"{value:.2f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if abs(value) > 0.6 * limit else "black",
                )
        if M.shape[1] <= 20:
            ax.set_xticks(range(M.shape[1]))
        if M.shape[0] <= 20:
            ax.set_yticks(range(M.shape[0]))
        return _finish(
            ax,
            title or f"Weights ({M.shape[0]} x {M.shape[1]})",
            "output unit j",
            "input unit i",
            grid=False,
        )


def confusion_matrix_plot(
    cm, ax=None, class_names: Sequence[str] | None = None, title: str | None = None
):
    """Draw a confusion matrix (rows: true class, columns: predicted class) with counts.

    Used throughout; introduced in Chapter 4, Learning (precision and recall).

    Parameters
    ----------
    cm : array_like of shape (K, K)
        Counts, as returned by :func:`nnlib.metrics.confusion_matrix`.
    ax : matplotlib Axes, optional
    class_names : sequence of str, optional
        Tick labels; the class numbers by default.
    title : str, optional
        Defaults to "Confusion matrix".

    Returns
    -------
    matplotlib Axes
    """
    M = as_float_array(cm, "cm", ndim=2)
    if M.shape[0] != M.shape[1] or M.size == 0:
        raise ValueError(f"cm must be a non-empty square matrix; got shape {M.shape}")
    k = M.shape[0]
    names = [str(i) for i in range(k)] if class_names is None else [str(c) for c in class_names]
    if len(names) != k:
        raise ValueError(f"class_names has {len(names)} names for {k} classes")
    with style():
        ax = _new_axes(ax)
        ax.imshow(M, cmap="Blues")
        top = M.max() or 1.0
        size = 16 if k <= 3 else 12 if k <= 6 else 9  # readable, and fits the cells
        for (i, j), value in np.ndenumerate(M):
            ax.text(
                j,
                i,
                f"{value:g}",
                ha="center",
                va="center",
                fontsize=size,
                color="white" if value > 0.5 * top else "black",
            )
        ax.set_xticks(range(k))
        ax.set_xticklabels(names)
        ax.set_yticks(range(k))
        ax.set_yticklabels(names)
        return _finish(ax, title or "Confusion matrix", "predicted class", "true class", grid=False)


def image_grid(
    images,
    labels=None,
    ncols: int = 10,
    predictions=None,
    title: str | None = None,
    cmap: str = "gray_r",
):
    """Show small images (the digits, say) in a grid, with their labels or predictions.

    Used throughout; introduced in Chapter 4, Learning (the digits).

    Parameters
    ----------
    images : array_like of shape (n, h, w), or (n, d) with d a perfect square
        Grey images; flattened rows are reshaped to squares (64 -> 8x8).
    labels : array_like of shape (n,), optional
        The true label of each image, written above it.
    ncols : int, default 10
        Images per row.
    predictions : array_like of shape (n,), optional
        Predicted labels; shown above each image, in red with the true label where the
        prediction is wrong (needs ``labels``).
    title : str, optional
        The figure's title; defaults to "Images".
    cmap : str, default "gray_r"
        Dark ink on white paper.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.pyplot as plt

    imgs = as_float_array(images, "images", ndim=(2, 3))
    if imgs.ndim == 2:
        side = math.isqrt(imgs.shape[1])
        if side * side != imgs.shape[1]:
            raise ValueError(
                f"flattened images need a square number of pixels; got {imgs.shape[1]}"
            )
        imgs = imgs.reshape(len(imgs), side, side)
    n = len(imgs)
    if n == 0:
        raise ValueError("images is empty; need at least one image")
    _check_count(ncols, "image_grid: ncols", minimum=1)
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None:
            check_same_length(imgs, np.asarray(values), "images", name)
    if predictions is not None and labels is None:
        raise ValueError("predictions need labels to compare with; pass labels=")
    ncols = min(int(ncols), n)
    nrows = math.ceil(n / ncols)
    with style():
        fig, axes = plt.subplots(
            nrows, ncols, figsize=(0.9 * ncols, 1.05 * nrows + 0.5), squeeze=False
        )
        for idx, ax in enumerate(axes.ravel()):
            ax.axis("off")
            if idx >= n:
                continue
            ax.imshow(imgs[idx], cmap=cmap, interpolation="nearest")
            if predictions is not None:
                right = predictions[idx] == labels[idx]
                text = f"{predictions[idx]}" if right else f"{predictions[idx]} ({labels[idx]})"
                ax.set_title(text, fontsize=9, color="black" if right else PALETTE[3])
            elif labels is not None:
                ax.set_title(f"{labels[idx]}", fontsize=9)
        fig.suptitle(title or "Images")
        fig.tight_layout()
        return fig
