"""The convolution explorer: pick or edit a 3x3 kernel and see the feature map it makes.

A convolution layer's kernel is a tiny picture of what it looks for. Choose a classical
filter (blur, sharpen, Sobel edges, Laplacian) or type your own nine numbers, and the
feature map of a real photograph (or a handwritten digit) is redrawn beside it.
:func:`conv_explorer` is the live version (ipywidgets 7.7 and 8.x); :func:`kernels_figure`
draws a few representative kernels side by side for readers of the static HTML book, and
:func:`conv_figure` draws a single kernel (the widget redraws it on every change).

Taught in: Chapter 5, Architectures (convolution by hand).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnlib.conv import KERNELS, filter_image
from nnlib.widgets import require_ipywidgets

__all__ = [
    "IMAGES",
    "ConvExplorer",
    "conv_explorer",
    "conv_figure",
    "kernels_figure",
    "sample_image",
]

#: The images the explorer offers: names understood by :func:`sample_image`.
IMAGES: tuple[str, ...] = ("photograph", "digit")

#: The kernels drawn by :func:`kernels_figure` when none are named.
DEFAULT_KERNELS: tuple[str, ...] = ("box blur", "sharpen", "sobel x", "sobel y", "laplacian")

_CACHE: dict[str, np.ndarray] = {}


def sample_image(name: str = "photograph") -> np.ndarray:
    """A grey image in ``[0, 1]`` from files that scikit-learn installs (nothing downloaded).

    Taught in: Chapter 5, Architectures (convolution by hand).

    Parameters
    ----------
    name : {"photograph", "digit"}
        ``"photograph"``: scikit-learn's sample photograph ``china.jpg`` (a temple in China,
        needs pillow), turned grey and shrunk by 3 (averaging 3x3 blocks) to 142 x 213
        pixels. ``"digit"``: the first of scikit-learn's 8x8 handwritten digits (a zero),
        scaled from 0-16 to 0-1.

    Returns
    -------
    numpy.ndarray of shape (H, W), float64
        A fresh copy each call.
    """
    if name not in IMAGES:
        raise ValueError(f"sample_image: name must be one of {IMAGES}; got {name!r}")
    if name not in _CACHE:
        try:
            from sklearn import datasets
        except ImportError as err:  # pragma: no cover - only without scikit-learn
            raise ImportError("sample_image needs scikit-learn (pip install scikit-learn)") from err
        if name == "photograph":
            rgb = datasets.load_sample_image("china.jpg").astype(np.float64) / 255.0
            grey = rgb @ np.array([0.299, 0.587, 0.114])  # luminance (ITU-R 601)
            h, w = (s // 3 * 3 for s in grey.shape)
            image = grey[:h, :w].reshape(h // 3, 3, w // 3, 3).mean(axis=(1, 3))
        else:
            image = datasets.load_digits().images[0] / 16.0
        _CACHE[name] = image
    return _CACHE[name].copy()


def _as_kernel(kernel) -> tuple[str, np.ndarray]:
    """A kernel given by name or as numbers: (label, 2-D float array)."""
    if isinstance(kernel, str):
        if kernel not in KERNELS:
            raise ValueError(
                f"no kernel called {kernel!r}; the named kernels are {sorted(KERNELS)}"
            )
        return kernel, KERNELS[kernel].copy()
    k = np.asarray(kernel, dtype=float)
    if k.ndim != 2 or k.shape[0] < 1 or k.shape[1] < 1:
        raise ValueError(f"kernel must be a name or a 2-D array of numbers; got shape {k.shape}")
    if not np.all(np.isfinite(k)):
        raise ValueError("kernel must hold finite numbers")
    return "custom", k


def _as_image(image) -> tuple[str, np.ndarray]:
    if isinstance(image, str):
        return image, sample_image(image)
    img = np.asarray(image, dtype=float)
    if img.ndim != 2:
        raise ValueError(f"image must be a name or a 2-D grey array; got shape {img.shape}")
    return "image", img


def _draw_kernel(ax, kernel: np.ndarray, title: str) -> None:
    """The kernel as a small diverging heatmap with its numbers written in."""
    lim = max(float(np.abs(kernel).max()), 1e-12)
    ax.imshow(kernel, cmap="RdBu_r", vmin=-lim, vmax=lim)
    for (i, j), v in np.ndenumerate(kernel):
        text = f"{v:.2g}" if abs(v) < 1 and v != 0 else f"{v:g}"
        colour = "white" if abs(v) > 0.6 * lim else "black"
        ax.text(j, i, text, ha="center", va="center", fontsize=9, color=colour)
    ax.grid(False)
    ax.set_xticks(range(kernel.shape[1]))
    ax.set_yticks(range(kernel.shape[0]))
    ax.set_title(title)
    ax.set_xlabel("kernel column $v$")
    ax.set_ylabel("kernel row $u$")


def _draw_map(ax, fmap: np.ndarray, title: str) -> None:
    """A feature map: grey when it is non-negative, a diverging map when it has both signs.

    The colour scale stops at the 99th percentile of the magnitudes, so that a few extreme
    pixels (at the zero-padded border, say) do not wash out the rest.
    """
    lim = max(float(np.percentile(np.abs(fmap), 99)), 1e-12)
    if fmap.min() >= -1e-12:
        im = ax.imshow(fmap, cmap="gray", vmin=0, vmax=lim)
    else:
        im = ax.imshow(fmap, cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.grid(False)
    ax.set_title(title)
    ax.set_xlabel("column (pixels)")
    ax.set_ylabel("row (pixels)")
    return im


def conv_figure(kernel="sobel x", image="photograph", axes=None):
    """Draw an image, a kernel and the feature map the kernel makes of the image.

    The feature map is :func:`nnlib.conv.filter_image` (a zero-padded cross-correlation of
    the same size as the image). It is drawn in grey when it has no negative values and in
    red (positive) and blue (negative) otherwise.

    Taught in: Chapter 5, Architectures (convolution by hand).

    Parameters
    ----------
    kernel : str or array_like of shape (kh, kw)
        A name from :data:`nnlib.conv.KERNELS` or the numbers themselves.
    image : str or array_like of shape (H, W)
        ``"photograph"``, ``"digit"`` (see :func:`sample_image`) or a grey image.
    axes : three matplotlib Axes, optional
        Where to draw the image, the kernel and the map; a new figure if omitted.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.pyplot as plt

    from nnlib.plot import style

    label, k = _as_kernel(kernel)
    image_name, img = _as_image(image)
    fmap = filter_image(img, k)
    with style():
        if axes is None:
            fig, axes = plt.subplots(
                1, 3, figsize=(11, 3.6), gridspec_kw={"width_ratios": (1.5, 0.9, 1.5)}
            )
        else:
            fig = axes[0].figure
        ax_img, ax_k, ax_map = axes
        ax_img.imshow(img, cmap="gray", vmin=0, vmax=1)
        ax_img.grid(False)
        ax_img.set_title(f"Input: the {image_name}")
        ax_img.set_xlabel("column (pixels)")
        ax_img.set_ylabel("row (pixels)")
        _draw_kernel(ax_k, k, f"Kernel: {label}")
        _draw_map(ax_map, fmap, f"Feature map (range {fmap.min():.2f} to {fmap.max():.2f})")
        fig.tight_layout()
    return fig


def kernels_figure(kernels: Sequence = DEFAULT_KERNELS, image="photograph"):
    """The static companion of the explorer: several kernels and their feature maps.

    One column per kernel: the kernel with its numbers on top, the feature map of the image
    below it.

    Taught in: Chapter 5, Architectures (convolution by hand).

    Parameters
    ----------
    kernels : sequence of str or arrays
        1 to 6 kernels (names from :data:`nnlib.conv.KERNELS` or 2-D arrays).
    image : str or array_like of shape (H, W)
        ``"photograph"``, ``"digit"`` or a grey image.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.pyplot as plt

    from nnlib.plot import style

    kernels = list(kernels)
    if not 1 <= len(kernels) <= 6:
        raise ValueError(f"kernels must hold 1 to 6 kernels; got {len(kernels)}")
    named = [_as_kernel(k) for k in kernels]
    image_name, img = _as_image(image)
    n = len(named)
    with style():
        fig, axes = plt.subplots(
            2, n, figsize=(2.3 * n + 0.6, 5.4), gridspec_kw={"height_ratios": (0.8, 1.2)},
            squeeze=False,
        )  # fmt: skip
        for j, (label, k) in enumerate(named):
            _draw_kernel(axes[0, j], k, label)
            fmap = filter_image(img, k)
            _draw_map(axes[1, j], fmap, f"map: {fmap.min():.2f} to {fmap.max():.2f}")
            if j:
                axes[0, j].set_ylabel("")
                axes[1, j].set_ylabel("")
        fig.suptitle(f"Kernels (top) and the feature maps they make of the {image_name} (bottom)")
        fig.tight_layout()
    return fig


class ConvExplorer:
    """Pick a kernel from a list or edit its nine numbers, and see the feature map.

    Display it as the last line of a cell. Choosing a named kernel fills in the nine boxes;
    editing a box switches the list to "custom". Every change redraws :func:`conv_figure`
    below the controls. Works with ipywidgets 7.7 and 8.x.

    Taught in: Chapter 5, Architectures (convolution by hand).

    Parameters
    ----------
    kernel : str
        The named 3x3 kernel to start with.
    image : {"photograph", "digit"}
        The image to start with.

    Attributes
    ----------
    preset : ipywidgets.Dropdown
        The named kernels, and "custom".
    cells : list of list of ipywidgets.FloatText
        The kernel's nine numbers, row by row.
    image : ipywidgets.Dropdown
        Which image to filter.
    output : ipywidgets.Output
        Where the figure is drawn.
    kernel : numpy.ndarray of shape (3, 3)
        The kernel last drawn.
    feature_map : numpy.ndarray
        The feature map last drawn.
    widget : ipywidgets.VBox
        The whole interface.
    """

    def __init__(self, kernel: str = "sobel x", image: str = "photograph"):
        widgets = require_ipywidgets()

        _, k = _as_kernel(kernel)
        if k.shape != (3, 3):
            raise ValueError(f"the explorer edits 3x3 kernels; {kernel!r} is {k.shape}")
        if image not in IMAGES:
            raise ValueError(f"image must be one of {IMAGES}; got {image!r}")
        self.preset = widgets.Dropdown(
            options=[*KERNELS, "custom"], value=kernel, description="kernel"
        )
        self.image = widgets.Dropdown(options=list(IMAGES), value=image, description="image")
        self.cells = [
            [
                widgets.FloatText(value=float(k[i, j]), layout=widgets.Layout(width="70px"))
                for j in range(3)
            ]
            for i in range(3)
        ]
        self.output = widgets.Output()
        self.kernel = k
        self.feature_map = np.empty((0, 0))
        self._muted = False
        grid = widgets.VBox([widgets.HBox(row) for row in self.cells])
        self.widget = widgets.VBox(
            [widgets.HBox([widgets.VBox([self.preset, self.image]), grid]), self.output]
        )
        self.preset.observe(self._on_preset, names="value")
        self.image.observe(self._on_change, names="value")
        for row in self.cells:
            for cell in row:
                cell.observe(self._on_cell, names="value")
        self.update()

    def _on_preset(self, change) -> None:
        if self._muted or change["new"] == "custom":
            return
        self._muted = True
        try:
            for (i, j), v in np.ndenumerate(KERNELS[change["new"]]):
                self.cells[i][j].value = float(v)
        finally:
            self._muted = False
        self.update()

    def _on_cell(self, change) -> None:
        if self._muted:
            return
        self._muted = True
        try:
            self.preset.value = "custom"
        finally:
            self._muted = False
        self.update()

    def _on_change(self, change) -> None:
        if not self._muted:
            self.update()

    def update(self) -> None:
        """Read the nine numbers, filter the image and redraw the figure."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        self.kernel = np.array([[float(c.value) for c in row] for row in self.cells])
        label = self.preset.value
        self.feature_map = filter_image(sample_image(self.image.value), self.kernel)
        with self.output:
            self.output.clear_output(wait=True)
            fig = conv_figure(self.kernel, self.image.value)
            fig.axes[1].set_title(f"Kernel: {label}")
            display(fig)
            plt.close(fig)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def conv_explorer(kernel: str = "sobel x", image: str = "photograph") -> ConvExplorer:
    """Build the convolution explorer (see :class:`ConvExplorer`).

    Taught in: Chapter 5, Architectures (convolution by hand).

    Examples
    --------
    >>> conv_explorer("laplacian", image="digit")  # doctest: +SKIP
    """
    return ConvExplorer(kernel, image)
