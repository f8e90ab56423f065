"""Two-dimensional test functions ("loss surfaces") and plain gradient descent on them.

A real network's loss depends on thousands of weights, too many to draw. These small
functions of two variables have the same features that make training hard (a narrow
ravine, a saddle point, a second, worse minimum, a curved valley), and they can be drawn as
contour plots with the path of an optimizer on top.

Each surface is a :class:`Surface`: ``s.f(x, y)`` evaluates it on numbers or whole grids,
``s.grad(p)`` gives the exact gradient at a point ``p = (x, y)``, and ``s.xlim``, ``s.ylim``,
``s.minima``, ``s.saddles`` and ``s.start`` say where to look. :func:`descend` runs plain
gradient descent and returns the path.

Taught in: Chapter 4, Learning (gradient descent; the optimizer race).

Examples
--------
>>> from nnlib.surfaces import bowl, descend
>>> path = descend(bowl.grad, start=(2.0, -1.0), lr=0.1, steps=50)
>>> path.shape
(51, 2)
>>> bool(abs(path[-1]).max() < 1e-4)
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "SURFACES",
    "Surface",
    "bowl",
    "descend",
    "get_surface",
    "ravine",
    "rosenbrock",
    "saddle",
    "two_minima",
]

Point = tuple[float, float]


@dataclass(frozen=True)
class Surface:
    """A function of two variables with its exact gradient and the places worth knowing.

    Taught in: Chapter 4, Learning (gradient descent).

    Attributes
    ----------
    name : str
        Short name, also the key in :data:`SURFACES` (``"bowl"``, ``"ravine"``, ...).
    formula : str
        The function in LaTeX, for titles and prose.
    description : str
        One sentence on what the surface is for.
    xlim, ylim : tuple of float
        A plot range that shows the interesting part.
    minima : tuple of (x, y)
        The local minima, lowest first (empty if the function has none).
    saddles : tuple of (x, y)
        The saddle points (stationary points that are neither minima nor maxima).
    start : (x, y)
        A starting point that makes a good demonstration.
    log_levels : bool
        Whether contour levels should be spaced logarithmically (for a narrow curved
        valley, as in :func:`nnlib.plot.contour_with_paths`).
    """

    name: str
    formula: str
    description: str
    _f: Callable = field(repr=False)
    _grad: Callable = field(repr=False)
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minima: tuple[Point, ...]
    saddles: tuple[Point, ...]
    start: Point
    log_levels: bool = False

    def f(self, x, y):
        """The function's value at ``(x, y)``.

        Works element-wise on numbers, numpy arrays (for example a ``meshgrid``) and torch
        tensors alike, because it uses only arithmetic.

        Parameters
        ----------
        x, y : float or array_like
            Coordinates, broadcast against each other.

        Returns
        -------
        float or ndarray
            The value(s), with the broadcast shape of ``x`` and ``y``.
        """
        if not hasattr(x, "shape") or isinstance(x, (list, tuple)):
            x = np.asarray(x, dtype=float)
        if not hasattr(y, "shape") or isinstance(y, (list, tuple)):
            y = np.asarray(y, dtype=float)
        out = self._f(x, y)
        if isinstance(out, (np.ndarray, np.generic)) and np.ndim(out) == 0:
            return float(out)
        return out

    def value(self, p) -> float | np.ndarray:
        """The function's value at the point(s) ``p`` (last axis of size 2: ``(x, y)``)."""
        p = _as_points(p, f"{self.name}.value")
        return self.f(p[..., 0], p[..., 1])

    def grad(self, p) -> np.ndarray:
        """The exact gradient ``(df/dx, df/dy)`` at the point(s) ``p``.

        Parameters
        ----------
        p : array_like of shape (2,) or (..., 2)
            One point ``(x, y)``, or many stacked along the leading axes.

        Returns
        -------
        ndarray of the same shape as ``p``, float64
            The partial derivatives, ``[..., 0]`` for ``x`` and ``[..., 1]`` for ``y``.

        Raises
        ------
        ValueError
            If ``p`` is not of shape (2,) or (..., 2), or holds NaN or infinity.
        """
        p = _as_points(p, f"{self.name}.grad")
        gx, gy = self._grad(p[..., 0], p[..., 1])
        return np.stack(np.broadcast_arrays(gx, gy), axis=-1).astype(np.float64)

    def grid(self, n: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A ``n`` x ``n`` grid over the plot range and the function's values on it.

        Returns
        -------
        X, Y, Z : ndarray of shape (n, n)
            As from :func:`numpy.meshgrid`, ready for ``plt.contour(X, Y, Z)``.
        """
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 2:
            raise ValueError(f"grid: n must be an integer >= 2, got {n!r}")
        X, Y = np.meshgrid(np.linspace(*self.xlim, n), np.linspace(*self.ylim, n))
        return X, Y, self.f(X, Y)

    def nearest_minimum(self, p) -> Point:
        """The minimum in :attr:`minima` closest to the point ``p``.

        Raises
        ------
        ValueError
            If ``p`` is not a single point, or the surface has no minima.
        """
        p = _as_points(p, f"{self.name}.nearest_minimum")
        if p.shape != (2,):
            raise ValueError(f"nearest_minimum: expected one point of shape (2,), got {p.shape}")
        if not self.minima:
            raise ValueError(f"the {self.name} surface has no minima")
        dists = [np.hypot(p[0] - mx, p[1] - my) for mx, my in self.minima]
        return self.minima[int(np.argmin(dists))]


def _as_points(p, where: str) -> np.ndarray:
    """Validate one point or a stack of points with a last axis of size 2."""
    try:
        arr = np.asarray(p, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: expected a point (x, y) of numbers, got {p!r}") from None
    if arr.ndim == 0 or arr.shape[-1] != 2:
        raise ValueError(
            f"{where}: expected a point (x, y) of shape (2,) or (..., 2), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{where}: the point holds NaN or infinity: {arr.tolist()}")
    return arr


# --- The surfaces ---------------------------------------------------------------------------

#: A round quadratic bowl, :math:`x^2 + y^2`: one minimum at the origin.
bowl = Surface(
    name="bowl",
    formula=r"f(x, y) = x^2 + y^2",
    description="A round quadratic bowl: the easiest case, one minimum, the same curvature "
    "in every direction.",
    _f=lambda x, y: x**2 + y**2,
    _grad=lambda x, y: (2 * x, 2 * y),
    xlim=(-3.0, 3.0),
    ylim=(-3.0, 3.0),
    minima=((0.0, 0.0),),
    saddles=(),
    start=(-2.5, 2.0),
)

#: An elongated bowl, :math:`0.1x^2 + 2y^2`: 20 times steeper across than along.
ravine = Surface(
    name="ravine",
    formula=r"f(x, y) = 0.1\,x^2 + 2\,y^2",
    description="An elongated bowl, 20 times steeper across (y) than along (x): a step size "
    "safe across the ravine crawls along it.",
    _f=lambda x, y: 0.1 * x**2 + 2 * y**2,
    _grad=lambda x, y: (0.2 * x, 4 * y),
    xlim=(-6.0, 6.0),
    ylim=(-3.0, 3.0),
    minima=((0.0, 0.0),),
    saddles=(),
    start=(-5.0, 2.0),
)

#: A saddle at the origin between two minima at (0, -1) and (0, 1).
saddle = Surface(
    name="saddle",
    formula=r"f(x, y) = x^2 + \tfrac{1}{4}\,y^4 - \tfrac{1}{2}\,y^2",
    description="A saddle point at the origin (uphill along x, downhill along y) between two "
    "equal minima at (0, -1) and (0, 1).",
    _f=lambda x, y: x**2 + 0.25 * y**4 - 0.5 * y**2,
    _grad=lambda x, y: (2 * x, y**3 - y),
    xlim=(-2.0, 2.0),
    ylim=(-1.8, 1.8),
    minima=((0.0, -1.0), (0.0, 1.0)),
    saddles=((0.0, 0.0),),
    start=(-1.5, 0.01),
)

# x^4 - 2x^2 + x/2 has stationary points where 4x^3 - 4x + 1/2 = 0: three real roots.
_A = 0.5
_roots = np.sort(np.roots([4.0, 0.0, -4.0, _A]).real)
_tm_left, _tm_mid, _tm_right = (float(r) for r in _roots)

#: Two basins, a global minimum on the left and a local one on the right.
two_minima = Surface(
    name="two_minima",
    formula=r"f(x, y) = x^4 - 2x^2 + \tfrac{1}{2}x + y^2",
    description="Two basins: a deeper (global) minimum on the left and a shallower (local) one "
    "on the right, with a saddle between them. Where descent ends depends on where it starts.",
    _f=lambda x, y: x**4 - 2 * x**2 + _A * x + y**2,
    _grad=lambda x, y: (4 * x**3 - 4 * x + _A, 2 * y),
    xlim=(-2.0, 2.0),
    ylim=(-1.5, 1.5),
    minima=((_tm_left, 0.0), (_tm_right, 0.0)),
    saddles=((_tm_mid, 0.0),),
    start=(0.5, 1.2),
)

#: Rosenbrock's curved valley, minimum at (1, 1): a classic optimizer test.
rosenbrock = Surface(
    name="rosenbrock",
    formula=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
    description="Rosenbrock's banana: a long curved valley whose floor falls very gently "
    "towards the minimum at (1, 1); a classic test for optimizers.",
    _f=lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    _grad=lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)),
    xlim=(-2.0, 2.0),
    ylim=(-1.0, 3.0),
    minima=((1.0, 1.0),),
    saddles=(),
    start=(-1.5, 2.0),
    log_levels=True,
)

#: Every surface by name.
SURFACES: dict[str, Surface] = {s.name: s for s in (bowl, ravine, saddle, two_minima, rosenbrock)}


def get_surface(name: str | Surface) -> Surface:
    """Look a surface up by name (a :class:`Surface` is returned as it is).

    Taught in: Chapter 4, Learning (gradient descent).

    Raises
    ------
    ValueError
        If no surface has that name (the message lists the names).
    """
    if isinstance(name, Surface):
        return name
    if not isinstance(name, str):
        raise TypeError(f"get_surface: expected a surface name (str), got {type(name).__name__}")
    if name not in SURFACES:
        raise ValueError(f"no surface called {name!r}; choose one of {', '.join(SURFACES)}")
    return SURFACES[name]


def descend(grad, start, lr: float, steps: int, blowup: float = 1e8) -> np.ndarray:
    """Plain gradient descent, ``p <- p - lr * grad(p)``, returning every point visited.

    Taught in: Chapter 4, Learning (gradient descent).

    Parameters
    ----------
    grad : callable or Surface
        The gradient: a function from a point to an array of the same shape (a
        :class:`Surface` stands for its own ``grad``). Works for one parameter (a number)
        as well as for points of any size.
    start : float or array_like
        The starting point.
    lr : float
        The learning rate (step size), a positive number.
    steps : int
        How many steps to take (0 or more).
    blowup : float
        Descent stops early once the point's size (largest absolute coordinate) exceeds
        this, or its coordinates overflow: the learning rate made it diverge.

    Returns
    -------
    ndarray of shape (n + 1, *start.shape)
        The start followed by each point visited; ``n == steps`` unless descent diverged,
        in which case the path is shorter and its last point is huge.

    Raises
    ------
    TypeError
        If ``grad`` is not callable, ``start`` is not numeric, or ``steps`` is not an int.
    ValueError
        If ``lr`` is not a positive finite number, ``steps`` is negative, ``start`` holds
        NaN/inf, or ``grad`` returns an array of the wrong shape.

    Examples
    --------
    >>> path = descend(lambda w: 2 * (w - 3), start=0.0, lr=0.25, steps=3)
    >>> path.round(3).tolist()
    [0.0, 1.5, 2.25, 2.625]
    """
    if isinstance(grad, Surface):
        grad = grad.grad
    if not callable(grad):
        raise TypeError(f"descend: grad must be a function of the point, got {type(grad).__name__}")
    try:
        p = np.array(start, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"descend: start must be a number or an array of numbers, got {start!r}"
        ) from None
    if not np.all(np.isfinite(p)):
        raise ValueError(f"descend: start holds NaN or infinity: {p.tolist()}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)):
        raise TypeError(f"descend: lr must be a number, got {type(lr).__name__}")
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"descend: lr must be a positive finite number, got {lr}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"descend: steps must be an int, got {type(steps).__name__}")
    if steps < 0:
        raise ValueError(f"descend: steps must be 0 or more, got {steps}")

    path = [p.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(steps)):
            g = np.asarray(grad(p), dtype=np.float64)
            if g.shape != p.shape:
                raise ValueError(
                    f"descend: grad returned shape {g.shape} for a point of shape "
                    f"{p.shape}; it must return one partial derivative per "
                    f"coordinate"
                )
            p = p - lr * g
            if not np.all(np.isfinite(p)):
                break
            path.append(p.copy())
            if np.max(np.abs(p)) > blowup:
                break
    return np.array(path)
