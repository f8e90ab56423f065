"""nnlib.torch.attribution: saliency, gradient x input, integrated gradients, occlusion.

Checked against independent computations and against Captum's implementations (the tests
import Captum; nnlib does not)."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from nnlib.torch.attribution import (  # noqa: E402
    gradient_x_input,
    integrated_gradients,
    integration_points,
    occlusion,
    saliency,
    target_logit,
)
from nnlib.torch.models import digits_cnn  # noqa: E402


@pytest.fixture(scope="module")
def case():
    model = digits_cnn(width=4, dtype=torch.float64, seed=0).eval()
    g = torch.Generator().manual_seed(1)
    x = torch.rand(5, 1, 8, 8, generator=g, dtype=torch.float64)
    return model, x, torch.tensor([0, 3, 5, 7, 9])


def logit(model, x, target):
    with torch.no_grad():
        return model(x).gather(1, target[:, None])[:, 0]


def test_target_logit_and_an_int_target(case):
    model, x, t = case
    torch.testing.assert_close(target_logit(model, x, t).detach(), logit(model, x, t))
    same = torch.full((5,), 4, dtype=torch.int64)
    torch.testing.assert_close(saliency(model, x, 4), saliency(model, x, same))


def test_saliency_and_gradient_x_input_by_hand(case):
    model, x, t = case
    xr = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(model(xr).gather(1, t[:, None]).sum(), xr)
    assert torch.equal(saliency(model, x, t), grad.abs())
    assert torch.equal(gradient_x_input(model, x, t), x * grad)
    assert all(p.grad is None for p in model.parameters())
    assert not saliency(model, x, t).requires_grad


def test_gradient_x_input_adds_up_to_a_linear_output():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        linear = nn.Sequential(nn.Flatten(), nn.Linear(64, 10, bias=False)).double()
    x = torch.rand(3, 1, 8, 8, dtype=torch.float64)
    t = torch.tensor([1, 2, 3])
    total = gradient_x_input(linear, x, t).sum(dim=(1, 2, 3))
    torch.testing.assert_close(total, logit(linear, x, t), rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["riemann_left", "riemann_right", "riemann_middle"])
def test_integration_points_riemann(method):
    alphas, weights = integration_points(4, method)
    offset = {"riemann_left": 0, "riemann_right": 1, "riemann_middle": 0.5}[method]
    np.testing.assert_allclose(alphas, (np.arange(4) + offset) / 4)
    np.testing.assert_allclose(weights, 0.25)


def test_integration_points_gauss_legendre_integrate_polynomials_exactly():
    alphas, weights = integration_points(5, "gausslegendre")
    assert abs(weights.sum() - 1) < 1e-14
    for power in range(10):  # exact up to degree 2n - 1 = 9
        assert abs(np.sum(weights * alphas**power) - 1 / (power + 1)) < 1e-14


def test_integrated_gradients_by_hand(case):
    model, x, t = case
    x0 = torch.full_like(x, 0.3)
    want = torch.zeros_like(x)
    for k in range(1, 9):  # right Riemann sum, alpha = k / 8
        z = (x0 + k / 8 * (x - x0)).requires_grad_(True)
        (grad,) = torch.autograd.grad(model(z).gather(1, t[:, None]).sum(), z)
        want += grad / 8
    got = integrated_gradients(model, x, t, baseline=0.3, steps=8, method="riemann_right")
    torch.testing.assert_close(got, (x - x0) * want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["riemann_right", "riemann_middle", "gausslegendre"])
def test_completeness_error_shrinks_with_steps(case, method):
    model, x, t = case
    gap = logit(model, x, t) - logit(model, torch.zeros_like(x), t)
    errors = []
    for steps in (4, 32, 256):
        ig = integrated_gradients(model, x, t, steps=steps, method=method)
        errors.append((ig.sum(dim=(1, 2, 3)) - gap).abs().max().item())
    assert errors[2] < errors[0] / 10 and errors[2] < 0.02 * gap.abs().max().item()


def test_integrated_gradients_of_a_linear_model_is_exact_with_one_step():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        linear = nn.Sequential(nn.Flatten(), nn.Linear(64, 10)).double()
    x = torch.rand(3, 1, 8, 8, dtype=torch.float64)
    t = torch.tensor([1, 2, 3])
    ig = integrated_gradients(linear, x, t, baseline=0.5, steps=1)
    gap = logit(linear, x, t) - logit(linear, torch.full_like(x, 0.5), t)
    torch.testing.assert_close(ig.sum(dim=(1, 2, 3)), gap, rtol=0, atol=1e-12)


def test_occlusion_by_hand_one_pixel(case):
    model, x, t = case
    want = torch.zeros_like(x)
    for i in range(8):
        for j in range(8):
            z = x.clone()
            z[:, :, i, j] = 0.0
            want[:, :, i, j] = (logit(model, x, t) - logit(model, z, t))[:, None]
    torch.testing.assert_close(occlusion(model, x, t, window=1), want, rtol=0, atol=1e-12)


def test_occlusion_of_a_linear_model_with_patches():
    """For f(x) = w.x, blanking a patch drops f by the patch's sum of w * x; each pixel gets
    the average over the patches that cover it."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        linear = nn.Sequential(nn.Flatten(), nn.Linear(16, 2, bias=False)).double()
    x = torch.rand(1, 1, 4, 4, dtype=torch.float64)
    terms = (linear[1].weight[1].detach() * x.flatten()).reshape(4, 4)
    got = occlusion(linear, x, 1, window=2, stride=2)
    want = torch.zeros(4, 4, dtype=torch.float64)
    for i in (0, 2):
        for j in (0, 2):
            want[i : i + 2, j : j + 2] = terms[i : i + 2, j : j + 2].sum()
    torch.testing.assert_close(got[0, 0], want, rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def captum_attr():
    return pytest.importorskip("captum.attr")


def test_same_maps_as_captum(case, captum_attr):
    model, x, t = case
    needs_grad = x.clone().requires_grad_(True)  # Captum warns otherwise
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        theirs = {
            "saliency": captum_attr.Saliency(model).attribute(needs_grad, target=t),
            "gxi": captum_attr.InputXGradient(model).attribute(needs_grad, target=t),
            "occlusion": captum_attr.Occlusion(model).attribute(
                x, sliding_window_shapes=(1, 3, 3), strides=(1, 2, 2), baselines=0.0, target=t
            ),
        }
        for method in ("riemann_left", "riemann_right", "riemann_middle", "gausslegendre"):
            theirs[method] = captum_attr.IntegratedGradients(model).attribute(
                x, baselines=0.2, target=t, n_steps=16, method=method
            )
    ours = {
        "saliency": saliency(model, x, t),
        "gxi": gradient_x_input(model, x, t),
        "occlusion": occlusion(model, x, t, window=3, stride=2),
    }
    for method in ("riemann_left", "riemann_right", "riemann_middle", "gausslegendre"):
        ours[method] = integrated_gradients(model, x, t, 0.2, steps=16, method=method)
    for name, theirs_map in theirs.items():
        if name == "occlusion":  # Captum 0.9 sums occlusion maps in float32
            torch.testing.assert_close(ours[name], theirs_map.double(), rtol=1e-5, atol=1e-7)
        else:
            torch.testing.assert_close(ours[name], theirs_map.detach(), rtol=0, atol=1e-8)


def test_nnlib_does_not_import_captum():
    import subprocess
    import sys

    code = (
        "import sys, nnlib.torch.attribution, nnlib.torch.adversarial; "
        "print('captum' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda m, x, t: saliency(None, x, t), TypeError, "nn.Module"),
        (lambda m, x, t: saliency(m, x.numpy(), t), TypeError, "floating-point"),
        (lambda m, x, t: saliency(m, x[:0], t), ValueError, "non-empty"),
        (lambda m, x, t: saliency(m, x, t[:2]), ValueError, "one per input"),
        (lambda m, x, t: saliency(m, x, True), TypeError, "bool"),
        (lambda m, x, t: saliency(m, x, 10), ValueError, "index its second axis"),
        (lambda m, x, t: gradient_x_input(m, x, t.double()), ValueError, "int64"),
        (lambda m, x, t: integrated_gradients(m, x, t, steps=0), ValueError, "steps"),
        (lambda m, x, t: integrated_gradients(m, x, t, method="simpson"), ValueError, "method"),
        (lambda m, x, t: occlusion(m, x[:, 0], t), ValueError, "channels"),
        (lambda m, x, t: occlusion(m, x, t, window=9), ValueError, "larger than"),
        (lambda m, x, t: occlusion(m, x, t, stride=0), ValueError, "stride"),
    ],
)
def test_bad_input_is_rejected_clearly(case, call, error, match):
    model, x, t = case
    with pytest.raises(error, match=match):
        call(model, x, t)
