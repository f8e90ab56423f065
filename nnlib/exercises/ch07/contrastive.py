"""Chapter 7, self-supervised learning: the NT-Xent loss of SimCLR, and a random shift with
zero fill (an augmentation for the two views)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from nnlib.exercises import Fail, exercise, expect_close, solution, tensor_floats

__all__: list[str] = []


def _variants(z1, z2, tau):
    """The right loss and the values of typical wrong versions, with their hints."""
    from nnlib.torch.contrastive import nt_xent

    n = len(z1)
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    raw = torch.cat([z1, z2])
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    eye = torch.eye(2 * n, dtype=torch.bool)

    def loss(sim, mask=True, reduce="mean"):
        if mask:
            sim = sim.masked_fill(eye, float("-inf"))
        return F.cross_entropy(sim, target, reduction=reduce).item()

    one_way = F.cross_entropy(z[:n] @ z[n:].T / tau, torch.arange(n)).item()
    both_ways = 0.5 * (one_way + F.cross_entropy(z[n:] @ z[:n].T / tau, torch.arange(n)).item())
    mistakes = [
        (
            loss(z @ z.T / tau, mask=False),
            "Leave each view's similarity with itself out of the "
            "denominator (k != i): set the diagonal of the similarity matrix to -inf before the "
            "softmax. Otherwise the easiest 'match' of every view is itself.",
        ),
        (loss(z @ z.T), "Divide the similarities by the temperature before the softmax."),
        (loss(z @ z.T * tau), "Divide the similarities by the temperature, not multiply."),
        (
            loss(raw @ raw.T / tau),
            "Normalise the rows to unit length first "
            "(F.normalize(z, dim=1)): the similarity is the cosine, not the dot product.",
        ),
        (loss(z @ z.T / tau, reduce="sum"), "Average over the 2N views; do not sum."),
        (
            one_way,
            "Every view counts, those of z2 too, and its candidates are all 2N - 1 "
            "other views (both halves), not only the other half.",
        ),
        (
            both_ways,
            "The candidates of a view are all 2N - 1 other views, including the "
            "other views on its own side, not only the other half.",
        ),
    ]
    return nt_xent(z1, z2, tau).item(), mistakes


@exercise("ch07.nt_xent", success="Your NT-Xent loss matches nnlib's on every case.")
def _(nt_xent):
    gen = torch.Generator().manual_seed(0)
    for n, d, tau in ((3, 4, 0.5), (5, 8, 0.1), (2, 3, 1.0)):
        z1 = torch.randn(n, d, dtype=torch.float64, generator=gen)
        z2 = 2 * torch.randn(n, d, dtype=torch.float64, generator=gen)
        expected, mistakes = _variants(z1, z2, tau)
        what = f"nt_xent(z1, z2, temperature={tau}) with z1, z2 of shape ({n}, {d})"
        got = nt_xent(z1.clone(), z2.clone(), tau)
        got = tensor_floats(got, what)
        if got.shape not in ((), (1,)):
            raise Fail(
                f"{what} returned shape {got.shape}; expected a scalar.",
                "Average the per-view losses into one number.",
            )
        expect_close(
            got.reshape(()),
            expected,
            what,
            "Build the (2N, 2N) matrix of cosine similarities over the temperature, mask the "
            "diagonal, and take the cross-entropy where view i's target is i + N (or i - N).",
            atol=1e-9,
            mistakes=mistakes,
        )


@solution("ch07.nt_xent")
def nt_xent(z1, z2, temperature=0.5):
    n = len(z1)
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.T / temperature
    sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    positive = torch.cat([torch.arange(n, 2 * n), torch.arange(n)])
    return F.cross_entropy(sim, positive)


def _shift(img: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """``img`` (C, H, W) moved down by dy and right by dx, zeros where nothing comes in."""
    out = np.zeros_like(img)
    h, w = img.shape[-2:]
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[:, yd, xd] = img[:, ys, xs]
    return out


def _find_shift(img, got, k, rolled=False):
    for dy in range(-k, k + 1):
        for dx in range(-k, k + 1):
            want = np.roll(img, (dy, dx), axis=(-2, -1)) if rolled else _shift(img, dy, dx)
            if np.allclose(got, want, atol=1e-12):
                return dy, dx
    return None


@exercise("ch07.random_shift", success="Every image moved by its own shift, with zeros filled in.")
def _(random_shift):
    x = torch.rand(40, 1, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    x[:, :, :, 0] = 1.0  # a bright left column: a wrapped shift brings it in on the right
    x[:, :, 0, :] = 1.0
    for k in (1, 2):
        what = f"random_shift(x, max_shift={k}, generator)"
        got = random_shift(x.clone(), k, torch.Generator().manual_seed(k))
        got = tensor_floats(got, what)
        if got.shape != tuple(x.shape):
            raise Fail(
                f"{what} returned shape {got.shape}; expected {tuple(x.shape)}.",
                "Return the batch of shifted images, the same shape as x.",
            )
        imgs = x.numpy()
        shifts = [_find_shift(imgs[i], got[i], k) for i in range(len(x))]
        if any(s is None for s in shifts):
            i = shifts.index(None)
            if _find_shift(imgs[i], got[i], k, rolled=True) is not None:
                raise Fail(
                    f"Image {i} came back wrapped around: what leaves one side enters the other.",
                    "torch.roll wraps around; a shift should bring in zeros. Pad with zeros "
                    "(F.pad) and cut out an HxW window, or copy a slice into torch.zeros_like.",
                )
            wider = _find_shift(imgs[i], got[i], k + 3)
            if wider is not None:
                raise Fail(
                    f"Image {i} moved by {wider} pixels; max_shift is {k}.",
                    "Draw each shift from -max_shift to +max_shift inclusive.",
                )
            raise Fail(
                f"Image {i} is not a shifted copy of the input (integer shift, zero fill).",
                "Move every image by whole pixels, (dy, dx) with |dy|, |dx| <= max_shift, "
                "and fill the uncovered border with zeros; add no noise or scaling.",
            )
        if len(set(shifts)) == 1:
            raise Fail(
                f"{what} moved every image by the same {shifts[0]}.",
                "Draw a separate shift for each image of the batch.",
            )
        values = [v for shift in shifts for v in shift]
        if max(values) < k or min(values) > -k:
            raise Fail(
                f"{what} never shifted an image by +{k} or never by -{k} pixels, in 40 images.",
                "torch.randint's upper bound is exclusive: use "
                "torch.randint(-max_shift, max_shift + 1, ...).",
            )


@solution("ch07.random_shift")
def random_shift(x, max_shift, generator=None):
    n, _, h, w = x.shape
    k = max_shift
    padded = F.pad(x, (k, k, k, k))  # zeros around every image
    out = torch.empty_like(x)
    offsets = torch.randint(0, 2 * k + 1, (n, 2), generator=generator)
    for i, (dy, dx) in enumerate(offsets.tolist()):
        out[i] = padded[i, :, dy : dy + h, dx : dx + w]
    return out
