"""Convolution and pooling by hand, in numpy: forward and backward, by im2col.

A 2-D convolution layer slides a small kernel over an image and takes, at every position,
the dot product of the kernel with the patch under it. (Deep-learning libraries compute this
*cross-correlation* and call it convolution: the kernel is not flipped.) With a batch ``x``
of shape ``(N, C, H, W)`` (samples, channels, height, width) and ``F`` kernels of shape
``(C, kh, kw)``, output channel ``f`` at position ``(i, j)`` is::

    out[n, f, i, j] = b[f] + sum over c, u, v of  x_pad[n, c, s*i + u, s*j + v] * w[f, c, u, v]

where ``x_pad`` is the input with ``padding`` zeros around it and ``s`` the stride.

The trick that makes it fast is **im2col**: copy every patch into a row of a matrix
(:func:`im2col`), and the whole convolution becomes one matrix product of that matrix with
the kernels laid out as rows. The backward pass is two more matrix products, and
:func:`col2im` adds the patch gradients back into the image. Pooling uses the same windows:
the maximum or the mean of each patch.

Everything here is numpy only (no torch); the tests compare every function with
``torch.nn.functional.conv2d`` / ``max_pool2d`` / ``avg_pool2d`` and their autograd in
float64. :class:`Conv2d`, :class:`MaxPool2d` and :class:`AvgPool2d` are layers for
:class:`nnlib.layers.Sequential`, like ``Dense``.

Taught in: Chapter 5, Architectures (convolution by hand).
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import init as _init
from ._validate import as_float_array, as_rng, check_finite, describe
from .layers import Parameter, _Builtin

__all__ = [
    "KERNELS",
    "AvgPool2d",
    "Conv2d",
    "MaxPool2d",
    "avg_pool2d",
    "avg_pool2d_backward",
    "col2im",
    "conv2d",
    "conv2d_backward",
    "conv_output_size",
    "filter_image",
    "im2col",
    "max_pool2d",
    "max_pool2d_backward",
]

#: Classical 3x3 image filters (cross-correlation kernels), by name.
KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "box blur": np.full((3, 3), 1 / 9),
    "gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "sobel x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    "sobel y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    "laplacian": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=float),
}


# ---------------------------------------------------------------------------------------------
# Checking what the caller gave
# ---------------------------------------------------------------------------------------------


def _pair(value, name: str, where: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints (height, width), each at least ``minimum``."""
    items = value if isinstance(value, (tuple, list)) and len(value) == 2 else (value, value)
    for v in items:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < minimum:
            kind = "a positive integer" if minimum == 1 else "a non-negative integer"
            raise ValueError(f"{where}: {name} must be {kind} or a pair of them; got {value!r}")
    return int(items[0]), int(items[1])


def _check_images(x, where: str) -> np.ndarray:
    """A finite float batch of shape (N, C, H, W), or a clear error."""
    x = as_float_array(x, f"{where}: x")
    if x.ndim != 4:
        extra = ""
        if x.ndim == 3:
            extra = "; for one image of shape (C, H, W) add the batch axis with x[None]"
        elif x.ndim == 2:
            extra = "; for one grey image of shape (H, W) use x[None, None]"
        raise ValueError(
            f"{where}: x must be a batch of images of shape (N, C, H, W); "
            f"got shape {x.shape} ({x.ndim}-D){extra}"
        )
    if x.size == 0:
        raise ValueError(f"{where}: x is empty (shape {x.shape})")
    return check_finite(x, f"{where}: x")


def _check_fits(x_shape, kernel, padding, where: str) -> None:
    hp, wp = x_shape[2] + 2 * padding[0], x_shape[3] + 2 * padding[1]
    if kernel[0] > hp or kernel[1] > wp:
        raise ValueError(
            f"{where}: the kernel ({kernel[0]}x{kernel[1]}) is larger than the padded input "
            f"({hp}x{wp}); use a smaller kernel or more padding"
        )


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """The length of a convolution's or pooling's output along one axis.

    ``floor((size + 2 * padding - kernel_size) / stride) + 1``: the number of positions
    where a window of ``kernel_size`` fits in the padded input, moving ``stride`` at a time.

    Taught in: Chapter 5, Architectures (convolution by hand).

    Parameters
    ----------
    size : int
        The input's length along the axis (height or width).
    kernel_size, stride, padding : int

    Examples
    --------
    >>> conv_output_size(8, 3), conv_output_size(8, 3, padding=1), conv_output_size(8, 2, 2)
    (6, 8, 4)
    """
    (size, _), (k, _) = (
        _pair(size, "size", "conv_output_size", 1),
        _pair(kernel_size, "kernel_size", "conv_output_size", 1),
    )
    (s, _), (p, _) = (
        _pair(stride, "stride", "conv_output_size", 1),
        _pair(padding, "padding", "conv_output_size", 0),
    )
    if k > size + 2 * p:
        raise ValueError(
            f"conv_output_size: the kernel ({k}) is larger than the padded input ({size + 2 * p})"
        )
    return (size + 2 * p - k) // s + 1


# ---------------------------------------------------------------------------------------------
# Windows, im2col and col2im
# ---------------------------------------------------------------------------------------------


def _windows(x: np.ndarray, kernel, stride, padding, fill: float = 0.0) -> np.ndarray:
    """Every window of the padded batch: a view of shape (N, C, Ho, Wo, kh, kw)."""
    (ph, pw), (sh, sw) = padding, stride
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    return sliding_window_view(x, kernel, axis=(2, 3))[:, :, ::sh, ::sw]


def _add_windows(d_windows: np.ndarray, x_shape, stride, padding) -> np.ndarray:
    """The adjoint of :func:`_windows`: add each window's gradient back where it came from.

    ``d_windows`` has shape (N, C, Ho, Wo, kh, kw); the result has ``x_shape``. One loop
    over the kh * kw kernel offsets, each adding a strided slice: overlapping windows add up.
    """
    n, c, h, w = x_shape
    (ph, pw), (sh, sw) = padding, stride
    _, _, ho, wo, kh, kw = d_windows.shape
    dx = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=d_windows.dtype)
    for u in range(kh):
        for v in range(kw):
            dx[:, :, u : u + sh * (ho - 1) + 1 : sh, v : v + sw * (wo - 1) + 1 : sw] += d_windows[
                ..., u, v
            ]
    return dx[:, :, ph : ph + h, pw : pw + w]


def im2col(x, kernel_size, stride=1, padding=0) -> np.ndarray:
    """Copy every patch of a batch of images into one row of a matrix.

    Taught in: Chapter 5, Architectures (convolution by hand).

    Parameters
    ----------
    x : array_like of shape (N, C, H, W)
    kernel_size, stride, padding : int or (int, int)

    Returns
    -------
    numpy.ndarray of shape (N * Ho * Wo, C * kh * kw)
        Row ``(n * Ho + i) * Wo + j`` is the patch under output position ``(i, j)`` of image
        ``n``, flattened channel by channel (the layout of a flattened ``(C, kh, kw)``
        kernel), so ``im2col(x, k) @ w.reshape(F, -1).T`` is the convolution.
    """
    x = _check_images(x, "im2col")
    kernel = _pair(kernel_size, "kernel_size", "im2col", 1)
    stride, padding = _pair(stride, "stride", "im2col", 1), _pair(padding, "padding", "im2col", 0)
    _check_fits(x.shape, kernel, padding, "im2col")
    return _im2col(x, kernel, stride, padding)


def _im2col(x, kernel, stride, padding) -> np.ndarray:
    win = _windows(x, kernel, stride, padding)  # (N, C, Ho, Wo, kh, kw)
    n, c, ho, wo, kh, kw = win.shape
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * kh * kw)


def col2im(cols, x_shape, kernel_size, stride=1, padding=0) -> np.ndarray:
    """The adjoint of :func:`im2col`: add the rows of a patch matrix back into images.

    Where patches overlap their values add up, which is exactly what the backward pass of a
    convolution needs (each input pixel gets the gradient of every patch it was in).

    Taught in: Chapter 5, Architectures (convolution by hand).

    Parameters
    ----------
    cols : array_like of shape (N * Ho * Wo, C * kh * kw)
    x_shape : (N, C, H, W)
        The shape of the images the patches came from.
    kernel_size, stride, padding : int or (int, int)

    Returns
    -------
    numpy.ndarray of shape ``x_shape``
    """
    if len(x_shape) != 4:
        raise ValueError(f"col2im: x_shape must be (N, C, H, W); got {x_shape!r}")
    n, c, h, w = (int(v) for v in x_shape)
    kernel = _pair(kernel_size, "kernel_size", "col2im", 1)
    stride, padding = _pair(stride, "stride", "col2im", 1), _pair(padding, "padding", "col2im", 0)
    _check_fits(x_shape, kernel, padding, "col2im")
    ho = conv_output_size(h, kernel[0], stride[0], padding[0])
    wo = conv_output_size(w, kernel[1], stride[1], padding[1])
    cols = as_float_array(cols, "col2im: cols")
    expected = (n * ho * wo, c * kernel[0] * kernel[1])
    if cols.shape != expected:
        raise ValueError(f"col2im: cols must have shape {expected}; got {cols.shape}")
    return _col2im(cols, (n, c, h, w), kernel, stride, padding, (ho, wo))


def _col2im(cols, x_shape, kernel, stride, padding, out_hw) -> np.ndarray:
    n, c = x_shape[:2]
    d_win = cols.reshape(n, *out_hw, c, *kernel).transpose(0, 3, 1, 2, 4, 5)
    return _add_windows(d_win, x_shape, stride, padding)


# ---------------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------------


def _check_conv(x, weight, bias, stride, padding, where: str):
    x = _check_images(x, where)
    weight = check_finite(as_float_array(weight, f"{where}: weight"), f"{where}: weight")
    if weight.ndim != 4:
        raise ValueError(
            f"{where}: weight must have shape (out_channels, in_channels, kh, kw); "
            f"got shape {weight.shape} ({weight.ndim}-D)"
        )
    if weight.shape[1] != x.shape[1]:
        raise ValueError(
            f"{where}: x has {x.shape[1]} channels but the kernels expect {weight.shape[1]} "
            f"(weight shape {weight.shape}, x shape {x.shape})"
        )
    if bias is not None:
        bias = as_float_array(bias, f"{where}: bias")
        if bias.shape != (weight.shape[0],):
            raise ValueError(
                f"{where}: bias must have shape ({weight.shape[0]},), one per output channel; "
                f"got {describe(bias)}"
            )
    stride, padding = _pair(stride, "stride", where, 1), _pair(padding, "padding", where, 0)
    _check_fits(x.shape, weight.shape[2:], padding, where)
    return x, weight, bias, stride, padding


def conv2d(x, weight, bias=None, stride=1, padding=0) -> np.ndarray:
    """2-D convolution (cross-correlation) of a batch of images, as ``F.conv2d``.

    im2col, then one matrix product: ``cols @ W.T`` with one flattened kernel per row of
    ``W``.

    Taught in: Chapter 5, Architectures (convolution by hand).

    Parameters
    ----------
    x : array_like of shape (N, C, H, W)
        A batch of images (a single image needs the batch axis: ``x[None]``).
    weight : array_like of shape (F, C, kh, kw)
        ``F`` kernels, one per output channel.
    bias : array_like of shape (F,), optional
    stride : int or (int, int), default 1
        How far the kernel moves between output positions.
    padding : int or (int, int), default 0
        Zeros added on each side of the height and width axes.

    Returns
    -------
    numpy.ndarray of shape (N, F, Ho, Wo)
        With ``Ho = (H + 2 * padding - kh) // stride + 1`` (:func:`conv_output_size`), and
        likewise ``Wo``.

    Raises
    ------
    ValueError
        ``x`` not 4-D, channel counts that differ, a kernel larger than the padded input, a
        bad stride or padding.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d(x, np.ones((1, 1, 2, 2)), stride=2)[0, 0]
    array([[10., 18.],
           [42., 50.]])
    """
    x, weight, bias, stride, padding = _check_conv(x, weight, bias, stride, padding, "conv2d")
    return _conv2d(x, weight, bias, stride, padding)[0]


def _conv2d(x, weight, bias, stride, padding):
    """The forward pass without checks; returns the output and the patch matrix."""
    n, (f, _, kh, kw) = len(x), weight.shape
    ho = (x.shape[2] + 2 * padding[0] - kh) // stride[0] + 1
    wo = (x.shape[3] + 2 * padding[1] - kw) // stride[1] + 1
    cols = _im2col(x, (kh, kw), stride, padding)  # (N*Ho*Wo, C*kh*kw)
    out = cols @ weight.reshape(f, -1).T  # (N*Ho*Wo, F): the one matrix product
    if bias is not None:
        out += bias
    return out.reshape(n, ho, wo, f).transpose(0, 3, 1, 2), cols


def conv2d_backward(grad_out, x, weight, stride=1, padding=0):
    """The gradients of a :func:`conv2d` with respect to its input, kernels and bias.

    With ``G`` the output gradient laid out as a ``(N * Ho * Wo, F)`` matrix and ``cols``
    the patch matrix of the forward pass::

        dW = G.T @ cols           (reshaped to (F, C, kh, kw))
        db = G.sum(axis=0)
        dx = col2im(G @ W)        (each patch's gradient added back into the image)

    Taught in: Chapter 5, Architectures (convolution by hand).

    Parameters
    ----------
    grad_out : array_like of shape (N, F, Ho, Wo)
        dLoss/dout.
    x, weight, stride, padding
        As given to :func:`conv2d`.

    Returns
    -------
    (dx, dweight, dbias) : tuple of numpy.ndarray
        Shaped like ``x``, ``weight`` and ``(F,)``.
    """
    x, weight, _, stride, padding = _check_conv(x, weight, None, stride, padding, "conv2d_backward")
    f, _, kh, kw = weight.shape
    ho = (x.shape[2] + 2 * padding[0] - kh) // stride[0] + 1
    wo = (x.shape[3] + 2 * padding[1] - kw) // stride[1] + 1
    grad_out = as_float_array(grad_out, "conv2d_backward: grad_out")
    if grad_out.shape != (len(x), f, ho, wo):
        raise ValueError(
            f"conv2d_backward: grad_out must have the output's shape {(len(x), f, ho, wo)}; "
            f"got {grad_out.shape}"
        )
    cols = _im2col(x, (kh, kw), stride, padding)
    return _conv2d_backward(grad_out, x.shape, weight, cols, stride, padding)


def _conv2d_backward(grad_out, x_shape, weight, cols, stride, padding):
    f = weight.shape[0]
    g = grad_out.transpose(0, 2, 3, 1).reshape(-1, f)  # (N*Ho*Wo, F)
    dweight = (g.T @ cols).reshape(weight.shape)
    dbias = g.sum(axis=0)
    dcols = g @ weight.reshape(f, -1)  # (N*Ho*Wo, C*kh*kw)
    dx = _col2im(dcols, x_shape, weight.shape[2:], stride, padding, grad_out.shape[2:])
    return dx, dweight, dbias


def filter_image(image, kernel) -> np.ndarray:
    """Filter one grey image with one kernel, keeping its size (zero padding).

    A convenience for looking at filters: :func:`conv2d` on a batch of one image with one
    channel, padded by ``kernel_size // 2`` so that the output has the input's size (for odd
    kernel sizes).

    Taught in: Chapter 5, Architectures (convolution by hand).

    Parameters
    ----------
    image : array_like of shape (H, W)
    kernel : array_like of shape (kh, kw)

    Returns
    -------
    numpy.ndarray of shape (H, W)
    """
    image = as_float_array(image, "filter_image: image")
    kernel = as_float_array(kernel, "filter_image: kernel")
    if image.ndim != 2:
        raise ValueError(f"filter_image: image must be 2-D (H, W), grey; got shape {image.shape}")
    if kernel.ndim != 2:
        raise ValueError(f"filter_image: kernel must be 2-D (kh, kw); got shape {kernel.shape}")
    pad = (kernel.shape[0] // 2, kernel.shape[1] // 2)
    return conv2d(image[None, None], kernel[None, None], padding=pad)[0, 0]


# ---------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------


def _check_pool(x, kernel_size, stride, padding, where: str):
    x = _check_images(x, where)
    kernel = _pair(kernel_size, "kernel_size", where, 1)
    stride = kernel if stride is None else _pair(stride, "stride", where, 1)
    padding = _pair(padding, "padding", where, 0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(
            f"{where}: padding must be at most half the kernel size ({kernel}); got {padding}"
        )
    _check_fits(x.shape, kernel, padding, where)
    return x, kernel, stride, padding


def max_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Max pooling, as ``F.max_pool2d``: the largest value of every window, per channel.

    Taught in: Chapter 5, Architectures (convolution by hand).

    Parameters
    ----------
    x : array_like of shape (N, C, H, W)
    kernel_size : int or (int, int)
        The window.
    stride : int or (int, int), optional
        Defaults to ``kernel_size`` (windows that do not overlap).
    padding : int or (int, int), default 0
        Padding by minus infinity (never the maximum), at most half the kernel size.

    Returns
    -------
    numpy.ndarray of shape (N, C, Ho, Wo)
    """
    x, kernel, stride, padding = _check_pool(x, kernel_size, stride, padding, "max_pool2d")
    return _windows(x, kernel, stride, padding, fill=-np.inf).max(axis=(4, 5))


def max_pool2d_backward(grad_out, x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """The gradient of :func:`max_pool2d` with respect to its input.

    Each window passes its output gradient to the one input that was its maximum (the first
    one, in reading order, if several tie, as torch does); every other input gets zero from
    that window.

    Taught in: Chapter 5, Architectures (convolution by hand).

    Returns
    -------
    numpy.ndarray shaped like ``x``
    """
    x, kernel, stride, padding = _check_pool(x, kernel_size, stride, padding, "max_pool2d_backward")
    win = _windows(x, kernel, stride, padding, fill=-np.inf)
    n, c, ho, wo, kh, kw = win.shape
    grad_out = _check_grad(grad_out, (n, c, ho, wo), "max_pool2d_backward")
    winner = win.reshape(n, c, ho, wo, kh * kw).argmax(axis=-1)  # which input was the max
    d_win = (np.arange(kh * kw) == winner[..., None]) * grad_out[..., None]
    return _add_windows(d_win.reshape(win.shape), x.shape, stride, padding)


def avg_pool2d(x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """Average pooling, as ``F.avg_pool2d``: the mean of every window, per channel.

    Padding adds zeros that count in the mean (torch's default ``count_include_pad=True``).

    Taught in: Chapter 5, Architectures (convolution by hand).

    Parameters
    ----------
    x : array_like of shape (N, C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int), default 0
        At most half the kernel size.

    Returns
    -------
    numpy.ndarray of shape (N, C, Ho, Wo)
    """
    x, kernel, stride, padding = _check_pool(x, kernel_size, stride, padding, "avg_pool2d")
    return _windows(x, kernel, stride, padding).mean(axis=(4, 5))


def avg_pool2d_backward(grad_out, x, kernel_size, stride=None, padding=0) -> np.ndarray:
    """The gradient of :func:`avg_pool2d`: each window shares its gradient equally.

    Taught in: Chapter 5, Architectures (convolution by hand).

    Returns
    -------
    numpy.ndarray shaped like ``x``
    """
    x, kernel, stride, padding = _check_pool(x, kernel_size, stride, padding, "avg_pool2d_backward")
    ho = (x.shape[2] + 2 * padding[0] - kernel[0]) // stride[0] + 1
    wo = (x.shape[3] + 2 * padding[1] - kernel[1]) // stride[1] + 1
    grad_out = _check_grad(grad_out, (*x.shape[:2], ho, wo), "avg_pool2d_backward")
    share = grad_out / (kernel[0] * kernel[1])
    d_win = np.broadcast_to(share[..., None, None], (*share.shape, *kernel))
    return _add_windows(d_win, x.shape, stride, padding)


def _check_grad(grad_out, shape, where: str) -> np.ndarray:
    grad_out = as_float_array(grad_out, f"{where}: grad_out")
    if grad_out.shape != tuple(shape):
        raise ValueError(
            f"{where}: grad_out must have the output's shape {tuple(shape)}; got {grad_out.shape}"
        )
    return grad_out


# ---------------------------------------------------------------------------------------------
# Layers for nnlib.layers.Sequential
# ---------------------------------------------------------------------------------------------


class Conv2d(_Builtin):
    """A convolution layer for :class:`nnlib.layers.Sequential`, like ``torch.nn.Conv2d``.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride, padding : int or (int, int)
        As in :func:`conv2d`.
    rng : None, int or numpy.random.Generator
        Randomness for the He-uniform initial kernels (fan-in ``C * kh * kw``).
    dtype : numpy float dtype, default float32
    bias : bool, default True

    Attributes
    ----------
    W : Parameter
        Kernels, shape ``(out_channels, in_channels, kh, kw)`` (the layout of
        ``torch.nn.Conv2d.weight``).
    b : Parameter or None
        Bias, shape ``(out_channels,)``.

    Taught in: Chapter 5, Architectures (convolution by hand).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        rng=None,
        dtype=np.float32,
        bias: bool = True,
    ):
        for name, n in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
                raise ValueError(f"Conv2d: {name} must be a positive int; got {n!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2d", 1)
        self.stride = _pair(stride, "stride", "Conv2d", 1)
        self.padding = _pair(padding, "padding", "Conv2d", 0)
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise TypeError(f"Conv2d: dtype must be a float dtype; got {dtype!r}")
        fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
        w = _init.he_uniform(fan_in, self.out_channels, as_rng(rng)).T  # (F, fan_in)
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        self.W = Parameter(w.reshape(shape).astype(self.dtype), "weight")
        self.b = Parameter(np.zeros(self.out_channels, self.dtype), "bias") if bias else None

    def parameters(self) -> list[Parameter]:
        return [self.W] if self.b is None else [self.W, self.b]

    def _forward(self, x):
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"{self!r} expects input of shape (N, {self.in_channels}, H, W); got {x.shape}"
            )
        _check_fits(x.shape, self.kernel_size, self.padding, repr(self))
        x = x.astype(self.dtype, copy=False)
        bias = None if self.b is None else self.b.data
        out, self._cols = _conv2d(x, self.W.data, bias, self.stride, self.padding)
        self._x, self._out_shape = x, out.shape
        return out

    def backward(self, grad_out, input_grad: bool = True):
        """Accumulate the kernel and bias gradients; return dLoss/dx (unless ``input_grad``
        is False)."""
        x, g = self._saved_input(grad_out)
        g = g.astype(self.dtype, copy=False)
        dx, dw, db = _conv2d_backward(
            g, x.shape, self.W.data, self._cols, self.stride, self.padding
        )
        self.W.accumulate_grad(dw)
        if self.b is not None:
            self.b.accumulate_grad(db)
        return dx if input_grad else None

    def __repr__(self) -> str:
        kh, kw = self.kernel_size
        extra = "" if self.stride == (1, 1) else f", stride={self.stride[0]}"
        extra += "" if self.padding == (0, 0) else f", padding={self.padding[0]}"
        extra += "" if self.b is not None else ", bias=False"
        return f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={kh}{extra})"


class _Pool(_Builtin):
    _forward_fn = staticmethod(max_pool2d)
    _backward_fn = staticmethod(max_pool2d_backward)

    def __init__(self, kernel_size, stride=None, padding=0):
        where = type(self).__name__
        self.kernel_size = _pair(kernel_size, "kernel_size", where, 1)
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride", where, 1)
        self.padding = _pair(padding, "padding", where, 0)

    def _forward(self, x):
        out = self._forward_fn(x, self.kernel_size, self.stride, self.padding)
        self._x, self._out_shape = x, out.shape
        return out

    def backward(self, grad_out):
        """Return dLoss/dx (pooling has no parameters)."""
        x, g = self._saved_input(grad_out)
        return self._backward_fn(g, x, self.kernel_size, self.stride, self.padding)

    def __repr__(self) -> str:
        extra = "" if self.stride == self.kernel_size else f", stride={self.stride[0]}"
        return f"{type(self).__name__}({self.kernel_size[0]}{extra})"


class MaxPool2d(_Pool):
    """Max pooling as a layer (:func:`max_pool2d`), like ``torch.nn.MaxPool2d``.

    Taught in: Chapter 5, Architectures (convolution by hand).
    """


class AvgPool2d(_Pool):
    """Average pooling as a layer (:func:`avg_pool2d`), like ``torch.nn.AvgPool2d``.

    Taught in: Chapter 5, Architectures (convolution by hand).
    """

    _forward_fn = staticmethod(avg_pool2d)
    _backward_fn = staticmethod(avg_pool2d_backward)
