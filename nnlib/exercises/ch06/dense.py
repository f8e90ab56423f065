"""Chapter 6, the dense digit classifier: preparing images, reading a confusion matrix and
the categorical cross-entropy."""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, as_floats, exercise, expect_close, solution

__all__: list[str] = []


@exercise("ch06.prepare", success="Flattened row by row and scaled to [0, 1].")
def _(prepare):
    rng = np.random.default_rng(0)
    for shape, top in (((3, 8, 8), 16), ((2, 4, 5), 255)):
        images = rng.integers(0, top + 1, size=shape)
        images.flat[0] = top  # make sure the maximum is present
        what = f"prepare(images of shape {shape}, {top})"
        got = as_floats(prepare(images.copy(), top), what)
        expected = images.reshape(shape[0], -1) / top
        if got.shape != expected.shape:
            raise Fail(
                f"{what} has shape {got.shape}; expected {expected.shape}.",
                "Keep the first axis (the images) and merge the other two: "
                "images.reshape(len(images), -1).",
            )
        if np.allclose(got, images.reshape(shape[0], -1)):
            raise Fail(f"{what} left the pixels unscaled.", "Divide by max_value.")
        if np.allclose(got, np.transpose(images, (0, 2, 1)).reshape(shape[0], -1) / top):
            raise Fail(
                f"{what} reads each image column by column.",
                "Flatten row by row, numpy's default order (no transpose).",
            )
        expect_close(got, expected, what, "Divide by max_value, not by the largest pixel seen.")


@solution("ch06.prepare")
def prepare(images, max_value):
    images = np.asarray(images, dtype=float)
    return images.reshape(len(images), -1) / max_value


_CM = np.array([[9, 0, 1], [4, 7, 0], [2, 0, 6]])


@exercise("ch06.most_confused", success="That is the mistake the model makes most often.")
def _(most_confused):
    for cm, answer in ((_CM, (1, 0)), (_CM.T, (0, 1)), (np.array([[50, 1], [3, 40]]), (1, 0))):
        got = most_confused(cm.copy())
        if got is None:
            raise Fail("most_confused returned None.", "Did you forget a `return` statement?")
        try:
            pair = tuple(int(v) for v in got)
        except (TypeError, ValueError):
            raise Fail(
                f"most_confused returned {got!r}.", "Return a pair (true, predicted)."
            ) from None
        if pair == answer:
            continue
        diagonal = int(np.argmax(np.diag(cm)))
        if pair == (diagonal, diagonal):
            raise Fail(
                f"most_confused({cm.tolist()}) returned {pair}, a diagonal cell.",
                "The diagonal counts correct answers: zero it out (cm - np.diag(np.diag(cm))) "
                "before looking for the largest count.",
            )
        if pair == answer[::-1]:
            raise Fail(
                f"most_confused({cm.tolist()}) returned {pair}; expected {answer}.",
                "Rows are the true class and columns the predicted class: "
                "np.unravel_index gives (row, column).",
            )
        raise Fail(
            f"most_confused({cm.tolist()}) returned {pair}; expected {answer}.",
            "Find the largest off-diagonal entry and return its (row, column).",
        )


@solution("ch06.most_confused")
def most_confused(cm):
    cm = np.asarray(cm)
    off_diagonal = cm - np.diag(np.diag(cm))
    row, col = np.unravel_index(off_diagonal.argmax(), cm.shape)
    return int(row), int(col)


@exercise("ch06.categorical_cross_entropy", success="Matches torch's cross-entropy, stably.")
def _(cce):
    import torch

    rng = np.random.default_rng(2)
    for scale in (1.0, 1000.0):
        z = rng.normal(scale=scale, size=(4, 5))
        y = rng.integers(0, 5, size=4)
        t = np.eye(5)[y]
        what = f"categorical_cross_entropy(logits of scale {scale:g}, one-hot targets)"
        expected = float(torch.nn.functional.cross_entropy(torch.tensor(z), torch.tensor(y)))
        got = as_floats(cce(z.copy(), t.copy()), what)
        if not np.all(np.isfinite(got)):
            raise Fail(
                f"{what} returned {got}.",
                "Large logits overflow np.exp: subtract each row's maximum first "
                "(z - z.max(axis=1, keepdims=True)); it does not change the softmax.",
            )
        z_shift = z - z.max(axis=1, keepdims=True)
        log_p = z_shift - np.log(np.exp(z_shift).sum(axis=1, keepdims=True))
        expect_close(
            got,
            expected,
            what,
            "Average -sum(t * log p) over the rows, with log p = z - logsumexp(z).",
            atol=1e-8,
            rtol=1e-8,
            mistakes=[
                (-np.sum(t * log_p), "Take the mean over the batch, not the sum."),
                (-np.mean(t * log_p), "Sum over the classes first, then average over the rows."),
            ],
        )


@solution("ch06.categorical_cross_entropy")
def categorical_cross_entropy(logits, targets):
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -np.mean(np.sum(targets * log_p, axis=1))
