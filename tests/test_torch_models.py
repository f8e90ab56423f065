"""nnlib.torch.models: the shared digits CNN and digits tensors."""

import pytest

torch = pytest.importorskip("torch")

from nnlib.torch.models import digits_cnn, digits_tensors  # noqa: E402


def test_digits_cnn_shapes_parameters_and_feature_split():
    model = digits_cnn()
    x = torch.zeros(3, 1, 8, 8)
    assert tuple(model(x).shape) == (3, 10)
    assert tuple(model[:7](x).shape) == (3, 128)
    assert sum(p.numel() for p in model.parameters()) == 6090  # as in 05_03_cnn_digits
    assert digits_cnn(n_classes=5, width=4, dtype=torch.float64)[-1].weight.dtype == torch.float64
    assert tuple(digits_cnn(n_classes=5, width=4)(x).shape) == (3, 5)


@pytest.mark.parametrize("kwargs", [{"n_classes": 0}, {"width": 2.5}, {"width": True}])
def test_digits_cnn_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError, match="digits_cnn"):
        digits_cnn(**kwargs)


def test_digits_tensors_split_is_stratified_typed_and_repeatable():
    split = digits_tensors()
    sizes = [len(t) for t in split[::2]]
    assert sum(sizes) == 1797 and all(
        len(x) == len(y) for x, y in zip(split[::2], split[1::2], strict=True)
    )
    assert split.X_train.shape[1:] == (1, 8, 8) and split.X_train.dtype == torch.float32
    assert split.y_test.dtype == torch.int64
    assert 0.0 <= float(split.X_train.min()) and float(split.X_train.max()) <= 1.0
    assert set(split.y_val.tolist()) == set(range(10))
    assert torch.equal(digits_tensors().X_test, split.X_test)
    assert digits_tensors(dtype=torch.float64).X_val.dtype == torch.float64


def test_digits_cnn_seed_fixes_the_weights_and_leaves_the_global_state_alone():
    state = torch.random.get_rng_state()
    a, b = digits_cnn(width=4, seed=0), digits_cnn(width=4, seed=0)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    c = digits_cnn(width=4, seed=1)
    assert not torch.equal(a[0].weight, c[0].weight)
