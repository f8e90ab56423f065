"""Tests for nnlib.surfaces: values, gradients (finite differences and torch), minima, descent."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import surfaces
from nnlib.surfaces import SURFACES, Surface, bowl, descend, get_surface, saddle, two_minima

NAMES = list(SURFACES)


def random_points(surface: Surface, n: int = 20, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lo = np.array([surface.xlim[0], surface.ylim[0]])
    hi = np.array([surface.xlim[1], surface.ylim[1]])
    return lo + (hi - lo) * rng.random((n, 2))


def test_the_five_surfaces_are_registered():
    assert set(NAMES) == {"bowl", "ravine", "saddle", "two_minima", "rosenbrock"}
    for name, s in SURFACES.items():
        assert s.name == name
        assert get_surface(name) is s
        assert get_surface(s) is s
        assert s.xlim[0] < s.xlim[1] and s.ylim[0] < s.ylim[1]
        assert s.formula.startswith("f(x, y)")


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name):
    s = SURFACES[name]
    eps = 1e-6
    for p in random_points(s):
        g = s.grad(p)
        num = np.array(
            [
                (s.value(p + [eps, 0]) - s.value(p - [eps, 0])) / (2 * eps),
                (s.value(p + [0, eps]) - s.value(p - [0, eps])) / (2 * eps),
            ]
        )
        assert np.allclose(g, num, rtol=1e-6, atol=1e-5), (name, p, g, num)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_torch_autograd(name):
    torch = pytest.importorskip("torch")
    s = SURFACES[name]
    pts = random_points(s, seed=1)
    t = torch.tensor(pts, dtype=torch.float64, requires_grad=True)
    s.f(t[:, 0], t[:, 1]).sum().backward()
    np.testing.assert_allclose(s.grad(pts), t.grad.numpy(), rtol=1e-12, atol=1e-12)
    # f gives the same values on numpy arrays and torch tensors
    np.testing.assert_allclose(
        s.f(pts[:, 0], pts[:, 1]), s.f(t[:, 0], t[:, 1]).detach().numpy(), rtol=1e-14
    )


@pytest.mark.parametrize("name", NAMES)
def test_minima_and_saddles_are_stationary(name):
    s = SURFACES[name]
    for p in s.minima + s.saddles:
        assert np.abs(s.grad(p)).max() < 1e-12, (name, p)


@pytest.mark.parametrize("name", NAMES)
def test_minima_are_local_minima_and_sorted(name):
    s = SURFACES[name]
    assert s.minima, "every surface here has a minimum"
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    ring = 1e-3 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    for m in s.minima:
        assert np.all(s.value(np.asarray(m) + ring) > s.value(m))
    values = [s.value(m) for m in s.minima]
    assert values == sorted(values), "minima are listed lowest first"


@pytest.mark.parametrize("name", [n for n in NAMES if SURFACES[n].saddles])
def test_saddles_go_down_somewhere_and_up_somewhere(name):
    s = SURFACES[name]
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    ring = 1e-3 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    for p in s.saddles:
        around = s.value(np.asarray(p) + ring) - s.value(p)
        assert around.min() < 0 < around.max()


def test_two_minima_has_a_global_and_a_local_minimum():
    (left, right) = two_minima.minima
    assert left[0] < two_minima.saddles[0][0] < right[0]
    assert two_minima.value(left) < two_minima.value(right) - 0.5


def test_f_accepts_numbers_lists_and_grids():
    assert bowl.f(1.0, 2.0) == 5.0
    assert isinstance(bowl.f(1.0, 2.0), float)
    assert isinstance(bowl.value([1.0, 2.0]), float)
    np.testing.assert_allclose(bowl.f([1.0, 0.0], [0.0, 2.0]), [1.0, 4.0])
    X, Y, Z = bowl.grid(30)
    assert X.shape == Y.shape == Z.shape == (30, 30)
    np.testing.assert_allclose(Z, X**2 + Y**2)


def test_grad_accepts_stacks_of_points():
    pts = np.array([[[1.0, 2.0], [0.0, -1.0]]])
    np.testing.assert_allclose(bowl.grad(pts), 2 * pts)
    assert bowl.grad((1, 2)).dtype == np.float64


def test_nearest_minimum():
    assert two_minima.nearest_minimum((-1.5, 0.3)) == two_minima.minima[0]
    assert two_minima.nearest_minimum((1.5, -0.3)) == two_minima.minima[1]


def test_descend_converges_on_the_bowl_with_a_small_learning_rate():
    path = descend(bowl.grad, start=bowl.start, lr=0.1, steps=100)
    assert path.shape == (101, 2)
    np.testing.assert_allclose(path[0], bowl.start)
    assert np.abs(path[-1]).max() < 1e-8
    values = bowl.value(path)
    assert np.all(np.diff(values) < 0)


def test_descend_diverges_on_the_bowl_with_a_big_learning_rate():
    path = descend(bowl, start=bowl.start, lr=1.1, steps=1000)
    assert len(path) < 1001, "stops early once it has blown up"
    assert np.abs(path[-1]).max() > 1e8
    assert np.all(np.isfinite(path))


def test_descend_stops_on_overflow_without_warnings():
    with np.errstate(all="raise"):
        path = descend(lambda w: w**3, start=10.0, lr=1.0, steps=50, blowup=np.inf)
    assert np.all(np.isfinite(path)) and len(path) < 51


def test_descend_on_one_parameter_matches_the_update_by_hand():
    path = descend(lambda w: 2 * (w - 3), start=0.0, lr=0.25, steps=3)
    np.testing.assert_allclose(path, [0.0, 1.5, 2.25, 2.625])
    assert descend(lambda w: w, 1.0, 0.5, 0).shape == (1,)


def test_saddle_ridge_stalls_and_a_perturbed_start_escapes():
    stalled = descend(saddle, start=(1.5, 0.0), lr=0.1, steps=300)[-1]
    escaped = descend(saddle, start=(1.5, 1e-3), lr=0.1, steps=300)[-1]
    assert np.abs(stalled).max() < 1e-12
    np.testing.assert_allclose(escaped, saddle.minima[1], atol=1e-6)


def test_two_starts_end_in_two_minima():
    a = descend(two_minima, start=(-0.5, 1.0), lr=0.05, steps=300)[-1]
    b = descend(two_minima, start=(0.5, 1.0), lr=0.05, steps=300)[-1]
    np.testing.assert_allclose(a, two_minima.minima[0], atol=1e-6)
    np.testing.assert_allclose(b, two_minima.minima[1], atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "exc", "words"),
    [
        ({"grad": 3}, TypeError, "grad must be a function"),
        ({"start": "a"}, TypeError, "start must be"),
        ({"start": (np.nan, 0.0)}, ValueError, "NaN or infinity"),
        ({"lr": -0.1}, ValueError, "positive finite"),
        ({"lr": float("inf")}, ValueError, "positive finite"),
        ({"lr": "0.1"}, TypeError, "lr must be a number"),
        ({"steps": 2.5}, TypeError, "steps must be an int"),
        ({"steps": -1}, ValueError, "0 or more"),
        ({"grad": lambda p: np.zeros(3)}, ValueError, "grad returned shape (3,)"),
    ],
)
def test_descend_rejects_bad_input(kwargs, exc, words):
    args = {"grad": bowl.grad, "start": (1.0, 1.0), "lr": 0.1, "steps": 5, **kwargs}
    with pytest.raises(exc, match=words.replace("(", r"\(").replace(")", r"\)")):
        descend(**args)


def test_surface_methods_reject_bad_points():
    with pytest.raises(ValueError, match=r"shape \(2,\) or \(\.\.\., 2\)"):
        bowl.grad([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="shape"):
        bowl.grad(1.0)
    with pytest.raises(ValueError, match="NaN or infinity"):
        bowl.grad([np.inf, 0.0])
    with pytest.raises(TypeError, match="expected a point"):
        bowl.value(["a", "b"])
    with pytest.raises(ValueError, match="one point"):
        two_minima.nearest_minimum([[0.0, 0.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="integer >= 2"):
        bowl.grid(1)


def test_get_surface_rejects_unknown_names():
    with pytest.raises(ValueError, match="choose one of bowl, ravine"):
        get_surface("volcano")
    with pytest.raises(TypeError, match="surface name"):
        get_surface(3)


def test_module_does_not_import_torch():
    assert "torch" not in surfaces.__dict__
