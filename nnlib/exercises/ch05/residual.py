"""Chapter 5, residual networks and normalisation: a layer-norm forward pass (checked against
torch.nn.functional.layer_norm) and a residual block's forward pass (checked against
nnlib.torch.residual.ResidualBlock, itself built from torch.nn.Linear)."""

from __future__ import annotations

import torch

from nnlib.exercises import exercise, expect_close, solution, tensor_floats

__all__: list[str] = []


_numbers = tensor_floats  # the reader's tensor or array, as floats


def _randn(g, *shape):
    return torch.randn(*shape, generator=g, dtype=torch.float64)


@exercise("ch05.layer_norm", success="Your layer norm matches torch.nn.functional.layer_norm.")
def _(layer_norm):
    g = torch.Generator().manual_seed(7)
    for shape in ((4, 6), (2, 3, 5)):
        x = 3 + 2 * _randn(g, *shape)
        d = shape[-1]
        gamma, beta = 1 + 0.3 * _randn(g, d), _randn(g, d)
        what = f"layer_norm on x of shape {shape}"
        got = _numbers(layer_norm(x.clone(), gamma, beta), what)
        expected = torch.nn.functional.layer_norm(x, (d,), gamma, beta, eps=1e-5).numpy()
        mean = x.mean(-1, keepdim=True)
        var = x.var(-1, unbiased=False, keepdim=True)
        mistakes = [
            (
                gamma * (x - mean) / torch.sqrt(x.var(-1, keepdim=True) + 1e-5) + beta,
                "Use the biased variance (divide by d, not d - 1): x.var(-1, unbiased=False), "
                "or ((x - mean)**2).mean(-1).",
            ),
            (
                gamma * (x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + 1e-5) + beta,
                "That normalises over the batch (axis 0), which is batch norm; layer norm "
                "takes the statistics of each sample over its features, the last axis.",
            ),
            (
                gamma * (x - mean) / (torch.sqrt(var) + 1e-5) + beta,
                "eps goes inside the square root: sqrt(var + eps).",
            ),
            (
                (x - mean) / torch.sqrt(var + 1e-5),
                "Finish with the learned scale and shift: gamma * x_hat + beta.",
            ),
        ]
        if len(shape) == 2:  # the batch-axis mistake only has the right shape for 2-D input
            mistakes = [(m.numpy(), hint) for m, hint in mistakes]
        else:
            mistakes = [(m.numpy(), hint) for m, hint in mistakes[:1] + mistakes[2:]]
        expect_close(
            got,
            expected,
            what,
            "For each sample: subtract the mean of its last axis, divide by "
            "sqrt(variance + eps), then multiply by gamma and add beta (keepdim=True helps).",
            atol=1e-10,
            mistakes=mistakes,
        )


@solution("ch05.layer_norm")
def layer_norm(x, gamma, beta, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    x_hat = (x - mean) / torch.sqrt(var + eps)
    return gamma * x_hat + beta


@exercise("ch05.residual_forward", success="Your block matches nnlib's ResidualBlock.")
def _(residual_forward):
    from nnlib.torch.residual import ResidualBlock

    g = torch.Generator().manual_seed(11)
    for batch in (5, 1):
        torch.manual_seed(batch)
        block = ResidualBlock(4).double()
        x = _randn(g, batch, 4)
        W1, b1 = block.linear1.weight.detach(), block.linear1.bias.detach()
        W2, b2 = block.linear2.weight.detach(), block.linear2.bias.detach()
        what = f"residual_forward on a batch of {batch}"
        got = _numbers(residual_forward(x.clone(), W1, b1, W2, b2), what)
        with torch.no_grad():
            expected = block(x).numpy()
        f = torch.relu(x @ W1.T + b1) @ W2.T + b2
        mistakes = [
            (torch.relu(f), "You left out the skip connection: add the input x to F(x)."),
            (x + torch.relu(f), "Add x *before* the final ReLU: relu(x + F(x))."),
            (x + f, "The block ends with a ReLU: relu(x + F(x))."),
            (
                torch.relu(x + (x @ W1.T + b1) @ W2.T + b2),
                "F(x) has a ReLU between its two linear layers.",
            ),
            (
                torch.relu(x + torch.relu(x @ W1 + b1) @ W2 + b2),
                "torch.nn.Linear stores W as (out, in): multiply by W.T.",
            ),
        ]
        expect_close(
            got,
            expected,
            what,
            "F(x) = relu(x W1^T + b1) W2^T + b2, and the block returns relu(x + F(x)).",
            atol=1e-10,
            mistakes=[(m.numpy(), hint) for m, hint in mistakes],
        )


@solution("ch05.residual_forward")
def residual_forward(x, W1, b1, W2, b2):
    f = torch.relu(x @ W1.T + b1) @ W2.T + b2
    return torch.relu(x + f)
