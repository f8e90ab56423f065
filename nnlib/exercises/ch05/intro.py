"""Chapter 5, from nnlib to PyTorch: one training step, and moving weights between the two."""

from __future__ import annotations

import numpy as np
import torch

from nnlib.exercises import Fail, exercise, solution

__all__: list[str] = []


def _twin_models(seed: int):
    """Two identical small float64 MLPs (the reader's and the reference's)."""
    rng = np.random.default_rng(seed)
    models = []
    for _ in range(2):
        model = torch.nn.Sequential(
            torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3)
        ).double()
        models.append(model)
    with torch.no_grad():
        for params in zip(*(m.parameters() for m in models), strict=True):
            value = torch.from_numpy(rng.normal(size=tuple(params[0].shape)))
            for p in params:
                p.copy_(value)
    return models


def _same_params(a, b) -> bool:
    pairs = zip(a.parameters(), b.parameters(), strict=True)
    return all(torch.allclose(p, q, atol=1e-12) for p, q in pairs)


@exercise("ch05.train_step", success="One step, exactly as fit takes it.")
def _(train_step):
    mine, ref = _twin_models(501)
    untouched = _twin_models(501)[0]
    loss_fn = torch.nn.CrossEntropyLoss()
    opt_mine = torch.optim.SGD(mine.parameters(), lr=0.1, momentum=0.9)
    opt_ref = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    gen = torch.Generator().manual_seed(501)
    for step in range(1, 4):
        xb = torch.randn(8, 4, generator=gen, dtype=torch.float64)
        yb = torch.randint(0, 3, (8,), generator=gen)
        what = f"train_step (step {step})"
        got = train_step(mine, loss_fn, opt_mine, xb, yb)
        expected = reference_step(ref, loss_fn, opt_ref, xb, yb)
        if got is None:
            raise Fail(f"{what} returned None.", "Return the batch's loss as a float.")
        if isinstance(got, torch.Tensor):
            raise Fail(
                f"{what} returned a tensor; expected a Python float.",
                "Return loss.item(): a float, which does not keep the graph alive.",
            )
        if not _same_params(mine, ref):
            if step == 1 and _same_params(mine, untouched):
                if all(p.grad is None or not p.grad.any() for p in mine.parameters()):
                    raise Fail(
                        f"After {what} the weights did not move and their gradients are zero.",
                        "Zero the gradients before loss.backward(), not between backward and "
                        "optimizer.step(): the step needs them.",
                    )
                raise Fail(
                    f"After {what} the weights did not move.",
                    "Call optimizer.step() after loss.backward().",
                )
            if step > 1:
                raise Fail(
                    f"After {what} the weights differ from torch's (step 1 was right).",
                    "Call optimizer.zero_grad() at the start of every step: otherwise "
                    "backward adds the new gradients to the old ones.",
                )
            raise Fail(
                f"After {what} the weights differ from torch's.",
                "The order is zero_grad, forward, loss, backward, step.",
            )
        try:
            value = float(got)
        except (TypeError, ValueError):
            raise Fail(f"{what} returned {got!r}; expected a float.") from None
        if abs(value - expected) > 1e-9:
            raise Fail(
                f"{what} returned {value:.6f}; expected the batch's loss {expected:.6f}.",
                "Return the loss computed in the forward pass, before the step.",
            )


def reference_step(model, loss_fn, optimizer, xb, yb):
    optimizer.zero_grad()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    optimizer.step()
    return loss.item()


@solution("ch05.train_step")
def train_step(model, loss_fn, optimizer, xb, yb):
    optimizer.zero_grad()  # forget the previous step's gradients
    loss = loss_fn(model(xb), yb)  # forward pass and loss
    loss.backward()  # every parameter's .grad
    optimizer.step()  # move the weights
    return loss.item()


@exercise("ch05.copy_dense", success="The torch layer now computes what the nnlib layer does.")
def _(copy_dense):
    from nnlib.layers import Dense

    for n_in, n_out, seed in ((3, 2, 11), (4, 4, 12)):
        dense = Dense(n_in, n_out, rng=seed, dtype=np.float64)
        dense.b.data[:] = np.random.default_rng(seed).normal(size=n_out)
        linear = torch.nn.Linear(n_in, n_out).double()
        what = f"copy_dense(Dense({n_in}, {n_out}), nn.Linear({n_in}, {n_out}))"
        try:
            copy_dense(dense, linear)
        except RuntimeError as err:
            text = str(err)
            if "leaf Variable" in text or "requires grad" in text:
                raise Fail(
                    f"{what} raised: {text.splitlines()[0]}",
                    "Torch refuses to overwrite a parameter in place while it records a "
                    "graph: do the copy inside `with torch.no_grad():`.",
                ) from None
            if "size" in text or "shape" in text:
                raise Fail(
                    f"{what} raised: {text.splitlines()[0]}",
                    "nnlib's W has shape (n_in, n_out); nn.Linear's weight is (n_out, n_in): "
                    "copy the transpose, dense.W.data.T.",
                ) from None
            raise
        W, b = dense.W.data, dense.b.data
        weight = linear.weight.detach().numpy()
        if weight.shape != (n_out, n_in) or not isinstance(linear.weight, torch.nn.Parameter):
            raise Fail(
                f"After {what} linear.weight is no longer a parameter of shape {(n_out, n_in)}.",
                "Copy into the existing parameter: linear.weight.copy_(...) under no_grad.",
            )
        if W.shape == W.T.shape and np.allclose(weight, W) and not np.allclose(weight, W.T):
            raise Fail(
                f"After {what} linear.weight equals W, not its transpose.",
                "nnlib computes x @ W with W of shape (n_in, n_out); torch computes "
                "x @ weight.T with weight of shape (n_out, n_in): copy W.T.",
            )
        if not np.allclose(weight, W.T, atol=1e-12):
            raise Fail(f"After {what} linear.weight is not dense.W.data.T.")
        if not np.allclose(linear.bias.detach().numpy(), b, atol=1e-12):
            raise Fail(f"After {what} linear.bias is not dense.b.data.", "Copy the bias too.")
        x = np.random.default_rng(seed).normal(size=(5, n_in))
        with torch.no_grad():
            out = linear(torch.from_numpy(x)).numpy()
        if not np.allclose(out, dense(x), atol=1e-12):
            raise Fail(f"After {what} the two layers give different outputs.")
        dense.W.data += 1.0  # a copy, not a view: training one must not move the other
        if np.allclose(linear.weight.detach().numpy(), dense.W.data.T):
            raise Fail(
                f"After {what} linear.weight shares memory with dense.W.data: changing one "
                "changes the other.",
                "torch.from_numpy makes a view; copy_ into the parameter (or .clone()) "
                "to get independent weights.",
            )


@solution("ch05.copy_dense")
def copy_dense(dense, linear):
    with torch.no_grad():  # overwrite parameters without recording a graph
        linear.weight.copy_(torch.from_numpy(dense.W.data.T))  # (n_in, n_out) -> (n_out, n_in)
        linear.bias.copy_(torch.from_numpy(dense.b.data))
