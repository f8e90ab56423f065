"""From notebook to use: save a trained model, load it elsewhere, and guard its input.

Taught in: Chapter 6, Applications (from notebook to use).

A trained network is two things: the *architecture* (the code that builds the layers) and
the *weights* (the numbers in its ``state_dict``). This module keeps them apart on disk, in
formats that run no code when read:

- ``model.json``: the name of a builder function and its keyword arguments, plus the
  :class:`InputSpec` (the shape, value range and classes the model was trained on);
- ``weights.pt``: the ``state_dict``, read back with ``torch.load(..., weights_only=True)``,
  which refuses anything but tensors and plain containers (no pickled code).

:class:`Predictor` wraps a loaded model behind a ``predict`` call that validates its input
first (:func:`validate_images`): a wrong size, channel count, dtype, value range or a NaN
stops with a message that says what was expected, what came and how to fix it, instead of a
shape error from deep inside a layer, or worse, a confident wrong answer.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

__all__ = [
    "ARCHITECTURES",
    "InputSpec",
    "Predictor",
    "build_model",
    "digit_cnn",
    "load_model",
    "save_model",
    "validate_images",
]


def digit_cnn(channels: int = 16, hidden: int = 64, n_classes: int = 10, dropout: float = 0.2):
    """A small CNN for 8x8 grey digits: two conv-ReLU-pool blocks, then a dense head.

    Taught in: Chapter 6, Applications (from notebook to use).

    Parameters
    ----------
    channels : int, default 16
        Feature maps of the first convolution (the second has twice as many).
    hidden : int, default 64
        Units of the hidden dense layer.
    n_classes : int, default 10
    dropout : float, default 0.2
        Dropout before the last layer (active only in training mode).

    Returns
    -------
    torch.nn.Sequential
        Takes ``(n, 1, 8, 8)`` and returns ``(n, n_classes)`` logits.
    """
    return nn.Sequential(
        nn.Conv2d(1, channels, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 8x8 -> 4x4
        nn.Conv2d(channels, 2 * channels, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 4x4 -> 2x2
        nn.Flatten(),
        nn.Linear(2 * channels * 4, hidden),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(hidden, n_classes),
    )


#: The builders :func:`build_model` may call, by name. A saved file names one of these; it can
#: never name arbitrary code.
ARCHITECTURES = {"digit_cnn": digit_cnn}


def build_model(architecture: dict) -> nn.Module:
    """Build a fresh (untrained) model from an architecture description.

    Taught in: Chapter 6, Applications (from notebook to use).

    Parameters
    ----------
    architecture : dict
        ``{"name": <a key of ARCHITECTURES>, "kwargs": {...}, "dtype": "float32" or
        "float64"}``, as stored in ``model.json``.

    Returns
    -------
    torch.nn.Module
        In training mode, as every new module is: call ``.eval()`` before predicting.
    """
    if not isinstance(architecture, dict) or "name" not in architecture:
        raise ValueError(f"build_model: expected a dict with a 'name' key; got {architecture!r}")
    name = architecture["name"]
    if name not in ARCHITECTURES:
        raise ValueError(
            f"build_model: unknown architecture {name!r}; known: {sorted(ARCHITECTURES)}"
        )
    dtype = architecture.get("dtype", "float32")
    if dtype not in ("float32", "float64"):
        raise ValueError(f"build_model: dtype must be 'float32' or 'float64'; got {dtype!r}")
    model = ARCHITECTURES[name](**architecture.get("kwargs", {}))
    return model.to(getattr(torch, dtype))


@dataclass(frozen=True)
class InputSpec:
    """What a model expects as input: the contract :func:`validate_images` enforces.

    Taught in: Chapter 6, Applications (from notebook to use).

    Attributes
    ----------
    channels, height, width : int
        The shape of one image, ``(channels, height, width)``.
    low, high : float
        The range of the pixel values after scaling (``[0, 1]`` for the digits).
    raw_max : float
        The largest raw pixel value before scaling (16 for scikit-learn's digits, 255 for
        8-bit photos); used only to suggest the fix in an error message.
    classes : tuple of str
        The name of each output class, in the order of the logits.
    """

    channels: int = 1
    height: int = 8
    width: int = 8
    low: float = 0.0
    high: float = 1.0
    raw_max: float = 16.0
    classes: tuple = field(default_factory=lambda: tuple(str(d) for d in range(10)))

    def to_dict(self) -> dict:
        """The spec as a JSON-ready dict."""
        d = asdict(self)
        d["classes"] = list(self.classes)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> InputSpec:
        """The spec read back from :meth:`to_dict`'s dict."""
        d = dict(d)
        d["classes"] = tuple(d.get("classes", ()))
        return cls(**d)


def _shape_text(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ")"


def validate_images(x, spec: InputSpec, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Check a batch of images against ``spec`` and return it as a tensor ``(n, c, h, w)``.

    Taught in: Chapter 6, Applications (from notebook to use).

    Accepted shapes: one image ``(h, w)`` (grey only), a batch ``(n, h, w)`` (grey only), or
    ``(n, c, h, w)``. The checks run in this order, and the first one that fails raises:

    - not a numpy array or torch tensor: ``TypeError``;
    - wrong number of axes, an empty batch, the wrong channel count (with a hint when the
      array looks channels-last), the wrong image size: ``ValueError``;
    - not floating point (integers, booleans, complex): ``TypeError``, suggesting to scale;
    - NaN or infinite pixels: ``ValueError`` naming the first bad image;
    - values outside ``[spec.low, spec.high]``: ``ValueError``, suggesting to divide by
      ``spec.raw_max`` when the values look unscaled.

    Parameters
    ----------
    x : numpy.ndarray or torch.Tensor
    spec : InputSpec
    dtype : torch.dtype, default torch.float32
        The dtype of the returned tensor (the model's).

    Returns
    -------
    torch.Tensor of shape (n, spec.channels, spec.height, spec.width)
    """
    c, h, w = spec.channels, spec.height, spec.width
    if isinstance(x, np.ndarray):
        if x.dtype == object or x.dtype.kind in "USV":
            raise TypeError(
                f"predict: expected numeric pixels; got an array of dtype {x.dtype}. "
                "Convert the images to a float array first."
            )
        t = torch.from_numpy(x)
    elif isinstance(x, torch.Tensor):
        t = x.detach().cpu()
    else:
        raise TypeError(
            f"predict: expected a numpy array or a torch tensor of images; got "
            f"{type(x).__name__}. Wrap the data in np.asarray(...) first."
        )
    expected = f"one image ({h}, {w}), a batch (n, {h}, {w}) or (n, {c}, {h}, {w})"
    if c != 1:
        expected = f"a batch (n, {c}, {h}, {w})"
    if t.ndim == 2 and c == 1:
        t = t[None, None]
    elif t.ndim == 3 and c == 1:
        t = t[:, None]
    elif t.ndim != 4:
        raise ValueError(
            f"predict: expected {expected}; got an array of shape {_shape_text(t.shape)}."
        )
    if t.shape[0] == 0:
        raise ValueError(
            f"predict: the batch is empty (shape {_shape_text(t.shape)}); pass at least one image."
        )
    if t.shape[1] != c:
        message = (
            f"predict: expected {c} channel{'s' if c != 1 else ''} per image; got "
            f"{t.shape[1]} (shape {_shape_text(t.shape)})."
        )
        if t.shape[3] == c or (t.shape[1:3] == (h, w) and t.shape[3] in (1, 3, 4)):
            message += (
                " The last axis looks like the channels (channels-last layout): move it with "
                "np.moveaxis(x, -1, 1) or x.permute(0, 3, 1, 2)."
            )
        elif c == 1 and t.shape[1] in (3, 4):
            message += " Convert colour images to grey first (for example, average the channels)."
        raise ValueError(message)
    if tuple(t.shape[2:]) != (h, w):
        raise ValueError(
            f"predict: expected images of {h}x{w} pixels; got {t.shape[2]}x{t.shape[3]}. "
            f"Resize them to {h}x{w}, the size the model was trained on."
        )
    if not t.is_floating_point():
        raise TypeError(
            f"predict: expected floating-point pixels in [{spec.low:g}, {spec.high:g}]; got "
            f"dtype {str(t.dtype).replace('torch.', '')}. Convert and scale first, for example "
            f"x.astype(np.float32) / {spec.raw_max:g}."
        )
    finite = torch.isfinite(t)
    if not bool(finite.all()):
        bad = (~finite).flatten(1).any(dim=1)
        first = int(bad.nonzero()[0, 0])
        kind = "NaN" if bool(torch.isnan(t).any()) else "infinite"
        raise ValueError(
            f"predict: {int(bad.sum())} of {len(t)} images contain {kind} pixels (the first "
            f"is image {first}). Drop or repair them before predicting."
        )
    lo, hi = float(t.min()), float(t.max())
    if lo < spec.low or hi > spec.high:
        message = (
            f"predict: pixel values must lie in [{spec.low:g}, {spec.high:g}]; got values "
            f"from {lo:.3g} to {hi:.3g}."
        )
        if lo >= 0 and spec.high < hi <= spec.raw_max:
            message += f" They look unscaled: divide by {spec.raw_max:g}."
        raise ValueError(message)
    return t.to(dtype)


def save_model(model: nn.Module, folder, architecture: dict, spec: InputSpec) -> Path:
    """Save ``model`` as ``weights.pt`` (its state_dict) and ``model.json`` in ``folder``.

    Taught in: Chapter 6, Applications (from notebook to use).

    Parameters
    ----------
    model : torch.nn.Module
    folder : str or path-like
        Created if missing.
    architecture : dict
        What :func:`build_model` needs to rebuild the model (checked by building one now,
        so a description that does not match the weights fails at save time, not later).
    spec : InputSpec

    Returns
    -------
    pathlib.Path
        The folder.
    """
    folder = Path(folder)
    fresh = build_model(architecture)
    fresh.load_state_dict(model.state_dict())  # raises if the description does not fit
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), folder / "weights.pt")
    config = {"architecture": architecture, "input": spec.to_dict()}
    (folder / "model.json").write_text(json.dumps(config, indent=2) + "\n")
    return folder


def load_model(folder) -> tuple[nn.Module, InputSpec]:
    """Read a model saved by :func:`save_model`: rebuild it, load its weights, eval mode.

    Taught in: Chapter 6, Applications (from notebook to use).

    Returns
    -------
    model : torch.nn.Module
        In evaluation mode.
    spec : InputSpec
    """
    folder = Path(folder)
    config = json.loads((folder / "model.json").read_text())
    model = build_model(config["architecture"])
    model.load_state_dict(torch.load(folder / "weights.pt", weights_only=True))
    return model.eval(), InputSpec.from_dict(config["input"])


class Predictor:
    """A model behind a validated ``predict`` call.

    Taught in: Chapter 6, Applications (from notebook to use).

    Parameters
    ----------
    model : torch.nn.Module
    spec : InputSpec
    """

    def __init__(self, model: nn.Module, spec: InputSpec):
        self.model = model.eval()
        self.spec = spec
        self.dtype = next(model.parameters()).dtype

    @classmethod
    def load(cls, folder) -> Predictor:
        """A predictor for the model saved in ``folder`` (see :func:`load_model`)."""
        return cls(*load_model(folder))

    def logits(self, images) -> np.ndarray:
        """The model's raw outputs ``(n, n_classes)`` for validated ``images``."""
        x = validate_images(images, self.spec, self.dtype)
        with torch.no_grad():
            return self.model.eval()(x).numpy()

    def predict(self, images) -> np.ndarray:
        """The predicted class index of each image, after validating the input."""
        return self.logits(images).argmax(axis=1)
