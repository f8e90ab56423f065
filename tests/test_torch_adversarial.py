"""nnlib.torch.adversarial: FGSM, PGD and adversarially attacked mini-batches."""

import functools

import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from nnlib.torch.adversarial import adversarial_batches, fgsm, input_gradient, pgd  # noqa: E402
from nnlib.torch.models import digits_cnn  # noqa: E402


@pytest.fixture(scope="module")
def case():
    """A float64 digits CNN with random weights and a batch with pixels at 0, 1 and between."""
    model = digits_cnn(width=4, dtype=torch.float64, seed=0).eval()
    g = torch.Generator().manual_seed(1)
    x = torch.rand(12, 1, 8, 8, generator=g, dtype=torch.float64)
    x[x < 0.2] = 0.0
    x[x > 0.8] = 1.0
    y = torch.randint(0, 10, (12,), generator=g)
    return model, x, y


def per_sample_loss(model, x, y):
    with torch.no_grad():
        return nn.functional.cross_entropy(model(x), y, reduction="none")


ATTACKS = {
    "fgsm": lambda m, x, y, eps: fgsm(m, x, y, eps),
    "pgd": lambda m, x, y, eps: pgd(m, x, y, eps, steps=7),
    "pgd-random-start": lambda m, x, y, eps: pgd(
        m, x, y, eps, steps=7, random_start=True, generator=torch.Generator().manual_seed(0)
    ),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
@pytest.mark.parametrize("eps", [0.03, 0.1, 0.3])
def test_perturbation_stays_in_the_ball_and_the_pixel_range(case, name, eps):
    model, x, y = case
    x_adv = ATTACKS[name](model, x, y, eps)
    assert x_adv.shape == x.shape and x_adv.dtype == x.dtype and not x_adv.requires_grad
    assert (x_adv - x).abs().max() <= eps + 1e-12
    assert x_adv.min() >= 0.0 and x_adv.max() <= 1.0


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attacks_increase_the_loss(case, name):
    model, x, y = case
    before = per_sample_loss(model, x, y)
    after = per_sample_loss(model, ATTACKS[name](model, x, y, 0.1), y)
    assert after.sum() > before.sum()
    assert (after >= before - 1e-12).float().mean() >= 0.9


def test_pgd_is_at_least_as_strong_as_fgsm_here(case):
    model, x, y = case
    loss_fgsm = per_sample_loss(model, fgsm(model, x, y, 0.1), y).sum()
    loss_pgd = per_sample_loss(model, pgd(model, x, y, 0.1, steps=20), y).sum()
    assert loss_pgd >= loss_fgsm


def test_one_pgd_step_of_size_eps_is_fgsm(case):
    model, x, y = case
    for eps in (0.05, 0.2):
        assert torch.equal(pgd(model, x, y, eps, step=eps, steps=1), fgsm(model, x, y, eps))


def test_fgsm_is_the_signed_gradient_step_by_hand(case):
    model, x, y = case
    xr = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(nn.functional.cross_entropy(model(xr), y), xr)  # mean
    want = (x + 0.1 * grad.sign()).clamp(0, 1)
    assert torch.equal(fgsm(model, x, y, 0.1), want)


def test_input_gradient_matches_autograd_and_leaves_parameter_grads_alone(case):
    model, x, y = case
    grad, loss = input_gradient(model, x, y)
    xr = x.clone().requires_grad_(True)
    total = nn.functional.cross_entropy(model(xr), y, reduction="sum")
    (want,) = torch.autograd.grad(total, xr)
    torch.testing.assert_close(grad, want, rtol=0, atol=1e-12)
    assert abs(loss - total.item()) < 1e-12
    assert all(p.grad is None for p in model.parameters())
    mean_grad, _ = input_gradient(model, x, y, loss_fn=nn.CrossEntropyLoss())
    torch.testing.assert_close(mean_grad * len(x), grad, rtol=1e-12, atol=1e-14)


def test_zero_budget_returns_the_inputs_and_mode_is_kept(case):
    model, x, y = case
    assert torch.equal(fgsm(model, x, y, 0.0), x)
    assert torch.equal(pgd(model, x, y, 0.0, steps=3, step=0.1), x)
    model.train()
    try:
        pgd(model, x, y, 0.1, steps=2)
        assert model.training
    finally:
        model.eval()


def test_random_start_is_seeded(case):
    model, x, y = case

    def run(seed):
        gen = torch.Generator().manual_seed(seed)
        return pgd(model, x, y, 0.1, steps=2, random_start=True, generator=gen)

    assert torch.equal(run(3), run(3)) and not torch.equal(run(3), run(4))


def test_no_bounds_means_no_clipping(case):
    model, x, y = case
    x_adv = fgsm(model, x, y, 0.5, bounds=None)
    assert x_adv.min() < 0 or x_adv.max() > 1
    assert (x_adv - x).abs().max() <= 0.5 + 1e-12


def test_adversarial_batches_attack_the_current_weights(case):
    model, x, y = case
    seen = []

    def attack(m, xb, yb):
        seen.append(len(xb))
        return fgsm(m, xb, yb, 0.1)

    loader = adversarial_batches(model, x, y, attack, fraction=0.5, batch_size=4, rng=0)
    batches = list(loader)
    assert seen == [2, 2, 2] and len(batches) == 3
    xs = torch.cat([b[0] for b in batches])
    ys = torch.cat([b[1] for b in batches])
    assert sorted(ys.tolist()) == sorted(y.tolist())
    # the second half of each batch is clean: a row of x; the first half is attacked
    clean = [any(torch.equal(row, xi) for xi in x) for row in xs]
    assert clean == [False, False, True, True] * 3
    # the same seed gives the same order
    again = adversarial_batches(model, x, y, attack, fraction=0.5, batch_size=4, rng=0)
    assert torch.equal(torch.cat([b[1] for b in again]), ys)
    # no attack at all with fraction 0
    untouched = adversarial_batches(model, x, y, attack, fraction=0.0, batch_size=12)
    ((xb, yb),) = list(untouched)
    assert all(any(torch.equal(row, xi) for xi in x) for row in xb)


def test_adversarial_batches_train_with_fit(case):
    from nnlib.torch.train import fit

    model, x, y = case
    net = digits_cnn(width=4, dtype=torch.float64, seed=0)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    attack = functools.partial(pgd, eps=0.1, steps=2)
    history = fit(net, nn.CrossEntropyLoss(), opt, adversarial_batches(net, x, y, attack), epochs=3)
    assert len(history.history["loss"]) == 3


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda m, x, y: fgsm("model", x, y, 0.1), TypeError, "nn.Module"),
        (lambda m, x, y: fgsm(m, x.float().numpy(), y, 0.1), TypeError, "floating-point"),
        (lambda m, x, y: fgsm(m, x[0, 0, 0], y, 0.1), ValueError, "batch"),
        (lambda m, x, y: fgsm(m, x, y[:3], 0.1), ValueError, "labels"),
        (lambda m, x, y: fgsm(m, x, y.double(), 0.1), ValueError, "int64"),
        (lambda m, x, y: fgsm(m, x * 2, y, 0.1), ValueError, "outside bounds"),
        (lambda m, x, y: fgsm(m, x, y, -0.1), ValueError, "non-negative"),
        (lambda m, x, y: fgsm(m, x, y, "0.1"), TypeError, "number"),
        (lambda m, x, y: fgsm(m, x, y, 0.1, bounds=(1, 0)), ValueError, "low < high"),
        (lambda m, x, y: pgd(m, x, y, 0.1, steps=0), ValueError, "steps"),
        (lambda m, x, y: pgd(m, x, y, 0.1, step=0.0), ValueError, "positive"),
        (lambda m, x, y: adversarial_batches(m, x, y, "fgsm"), TypeError, "callable"),
        (lambda m, x, y: adversarial_batches(m, x, y, fgsm, fraction=1.5), ValueError, "at most"),
        (lambda m, x, y: adversarial_batches(m, x, y, fgsm, batch_size=0), ValueError, "batch"),
    ],
)
def test_bad_input_is_rejected_clearly(case, call, error, match):
    model, x, y = case
    with pytest.raises(error, match=match):
        call(model, x, y)
