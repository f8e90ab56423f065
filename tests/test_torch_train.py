"""The torch training loop (nnlib.torch.train) and the seeding helper (nnlib.torch.setup)."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from nnlib.torch.setup import reproducible  # noqa: E402
from nnlib.torch.train import count_parameters, evaluate, fit, predict  # noqa: E402
from nnlib.train import History  # noqa: E402


def blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(n, 2)) * 0.5 + np.array([[0, 0], [3, 0], [0, 3]])[y]
    return X.astype(np.float32), y


def mlp(seed=0, out=3, dropout=0.0):
    reproducible(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, out))


def test_reproducible_repeats_random_numbers_and_sets_threads():
    reproducible(3, threads=1)
    a, b = torch.randn(5), np.random.rand(2)  # noqa: NPY002
    reproducible(3, threads=1)
    assert torch.equal(a, torch.randn(5))
    assert np.array_equal(b, np.random.rand(2))  # noqa: NPY002
    assert torch.get_num_threads() == 1
    g = reproducible(3)
    assert torch.equal(
        torch.randn(4, generator=g),
        torch.Generator().manual_seed(3)
        and torch.randn(4, generator=torch.Generator().manual_seed(3)),
    )


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_reproducible_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        reproducible(bad)


def test_reproducible_rejects_bad_threads():
    with pytest.raises(ValueError, match="threads must be a positive integer"):
        reproducible(0, threads=0)


def test_fit_learns_and_records_history():
    X, y = blobs()
    model = mlp()
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        torch.optim.Adam(model.parameters(), lr=0.05),
        X,
        y,
        epochs=30,
        validation=(X[:40], y[:40]),
    )
    assert isinstance(h, History)
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert h.epochs == 30
    assert h["loss"][-1] < h["loss"][0] / 3
    assert h["val_accuracy"][-1] > 0.9
    assert not model.training, "fit leaves the model in evaluation mode"
    res = evaluate(model, nn.CrossEntropyLoss(), X[:40], y[:40])
    assert res["accuracy"] == pytest.approx(h["val_accuracy"][-1])
    assert res["loss"] == pytest.approx(h["val_loss"][-1], rel=1e-5)


def test_fit_is_repeatable_with_the_same_seeds():
    X, y = blobs()
    runs = []
    for _ in range(2):
        model = mlp(seed=1, dropout=0.2)
        h = fit(
            model,
            nn.CrossEntropyLoss(),
            torch.optim.SGD(model.parameters(), lr=0.1),
            X,
            y,
            epochs=5,
            rng=7,
        )
        runs.append(h["loss"])
    assert runs[0] == runs[1]


def test_fit_matches_a_bare_hand_written_loop():
    """Same seeds, same batches, same updates: the loop adds bookkeeping, not arithmetic."""
    X, y = blobs()
    Xt, yt = torch.tensor(X), torch.tensor(y)
    model = mlp(seed=2)
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        torch.optim.SGD(model.parameters(), lr=0.1),
        X,
        y,
        epochs=3,
        batch_size=16,
        rng=5,
        metric=None,
    )
    bare = mlp(seed=2)
    opt = torch.optim.SGD(bare.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(5)
    losses = []
    for _ in range(3):
        order, total = torch.randperm(len(Xt), generator=g), 0.0
        for i in range(0, len(Xt), 16):
            idx = order[i : i + 16]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(bare(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        losses.append(total / len(Xt))
    assert h["loss"] == pytest.approx(losses, rel=1e-12)
    for p, q in zip(model.parameters(), bare.parameters(), strict=True):
        assert torch.equal(p, q)


def test_fit_accepts_datasets_and_dataloaders():
    X, y = blobs()
    ds = TensorDataset(torch.tensor(X), torch.tensor(y))
    model = mlp()
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        torch.optim.Adam(model.parameters(), lr=0.05),
        ds,
        epochs=5,
        validation=DataLoader(ds, batch_size=50),
    )
    assert h["val_accuracy"][-1] > 0.8
    assert predict(model, ds).shape == (len(X), 3)


def test_metric_auto_follows_the_loss():
    X, _ = blobs()
    target = X[:, :1] * 2.0
    model = mlp(out=1)
    h = fit(model, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=0.01), X, target, epochs=3)
    assert "accuracy" not in h.history
    Xb, yb = blobs()
    yb = (yb > 0).astype(np.float32).reshape(-1, 1)
    model = mlp(out=1)
    h = fit(
        model,
        nn.BCEWithLogitsLoss(),
        torch.optim.Adam(model.parameters(), lr=0.05),
        Xb,
        yb,
        epochs=20,
    )
    assert h["accuracy"][-1] > 0.9


def test_custom_metric_is_recorded_under_its_name():
    X, y = blobs()

    def top_class_share(y_batch, out):
        return float((out.argmax(1) == 0).float().mean())

    model = mlp()
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        torch.optim.Adam(model.parameters()),
        X,
        y,
        epochs=2,
        metric=top_class_share,
    )
    assert "top_class_share" in h.history


def test_early_stopping_restores_the_best_weights():
    X, y = blobs(60)
    Xv, yv = blobs(60, seed=1)
    Xv[:, 0] += 1.5  # a shifted validation set: the model overfits to the training blobs
    model = mlp()
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        torch.optim.SGD(model.parameters(), lr=0.5),
        X,
        y,
        epochs=60,
        validation=(Xv, yv),
        patience=3,
    )
    assert h.stopped_early and h.best_epoch < h.epochs and h.restored
    restored = evaluate(model, nn.CrossEntropyLoss(), Xv, yv)["loss"]
    assert restored == pytest.approx(min(h["val_loss"]), rel=1e-5)


def test_divergence_warns_and_stops():
    X, y = blobs()
    model = mlp()
    with torch.no_grad():
        model[0].weight.mul_(1e30)
    with pytest.warns(RuntimeWarning, match="training stopped"):
        h = fit(
            model,
            nn.CrossEntropyLoss(),
            torch.optim.SGD(model.parameters(), lr=1e30),
            X,
            y,
            epochs=5,
        )
    assert h.diverged and h.epochs < 5 or not math.isfinite(h["loss"][-1])


def test_scheduler_changes_the_recorded_rate():
    X, y = blobs()
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    h = fit(model, nn.CrossEntropyLoss(), opt, X, y, epochs=3, scheduler=sched)
    assert h["lr"] == pytest.approx([0.1, 0.05, 0.025])


def test_clipping_keeps_the_step_small():
    X, y = blobs()
    model = mlp()
    before = [p.detach().clone() for p in model.parameters()]
    fit(
        model,
        nn.CrossEntropyLoss(),
        torch.optim.SGD(model.parameters(), lr=1.0),
        X[:8],
        y[:8],
        epochs=1,
        batch_size=8,
        clip_norm=1e-3,
    )
    with torch.no_grad():
        pairs = zip(model.parameters(), before, strict=True)
        moved = torch.sqrt(sum(((p - b) ** 2).sum() for p, b in pairs))
    assert float(moved) <= 1e-3 * (1 + 1e-5)


def test_predict_restores_the_mode_and_builds_no_graph():
    X, _ = blobs()
    model = mlp(dropout=0.5)
    model.train()
    out = predict(model, X, batch_size=7)
    assert model.training and not out.requires_grad
    assert torch.allclose(out, predict(model, X), atol=1e-6)  # dropout off: deterministic


def test_count_parameters():
    model = mlp()
    assert count_parameters(model) == 2 * 16 + 16 + 16 * 3 + 3
    model[0].weight.requires_grad_(False)
    assert count_parameters(model, trainable_only=True) == 16 + 16 * 3 + 3


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"epochs": 0}, ValueError, "epochs must be a positive integer"),
        ({"batch_size": 2.5}, ValueError, "batch_size must be a positive integer"),
        ({"clip_norm": -1}, ValueError, "clip_norm must be a positive number"),
        ({"validation": [1, 2, 3]}, TypeError, "validation must be a pair"),
        ({"metric": "f1"}, ValueError, "metric must be 'auto', 'accuracy'"),
        ({"rng": "seed"}, TypeError, "rng must be an int seed"),
    ],
)
def test_fit_rejects_bad_arguments(kwargs, error, match):
    X, y = blobs()
    model = mlp()
    with pytest.raises(error, match=match):
        fit(
            model,
            nn.CrossEntropyLoss(),
            torch.optim.SGD(model.parameters(), lr=0.1),
            X,
            y,
            **kwargs,
        )


def test_fit_rejects_bad_data():
    X, y = blobs()
    model = mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = nn.CrossEntropyLoss()
    with pytest.raises(ValueError, match="same number of samples"):
        fit(model, loss, opt, X, y[:-1])
    with pytest.raises(TypeError, match="targets y are missing"):
        fit(model, loss, opt, X)
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        fit(model, loss, opt, bad, y)
    with pytest.raises(ValueError, match="is empty"):
        fit(model, loss, opt, X[:0], y[:0])
    with pytest.raises(TypeError, match="must be a torch.nn.Module"):
        fit(lambda x: x, loss, opt, X, y)
    with pytest.raises(TypeError, match="y=None with a Dataset"):
        fit(model, loss, opt, TensorDataset(torch.tensor(X), torch.tensor(y)), y)


def test_fit_refuses_an_optimizer_or_scheduler_of_another_model():
    X, y = blobs()
    model, other = mlp(), mlp(seed=1)
    with pytest.raises(ValueError, match="holds none of this model's parameters"):
        fit(model, nn.CrossEntropyLoss(), torch.optim.SGD(other.parameters(), lr=0.1), X, y)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(torch.optim.SGD(other.parameters(), lr=0.1), 1)
    with pytest.raises(ValueError, match="scheduler is attached to another optimizer"):
        fit(model, nn.CrossEntropyLoss(), opt, X, y, scheduler=sched)
    with pytest.raises(TypeError, match="must be a torch.optim optimizer"):
        fit(model, nn.CrossEntropyLoss(), "adam", X, y)


def test_importing_the_subpackage_does_not_import_torch():
    code = "import sys, nnlib.torch; assert 'torch' not in sys.modules; print(dir(nnlib.torch))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "train" in res.stdout and "setup" in res.stdout


def test_history_plot_works_for_torch_runs():
    import matplotlib

    matplotlib.use("Agg")
    X, y = blobs()
    model = mlp()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = fit(
            model,
            nn.CrossEntropyLoss(),
            torch.optim.Adam(model.parameters()),
            X,
            y,
            epochs=2,
            validation=(X, y),
        )
    axes = h.plot()
    assert len(axes) == 2


def test_integer_inputs_stay_ids_for_a_model_that_embeds_them():
    reproducible(0)
    ids = np.random.default_rng(0).integers(0, 5, size=(40, 3))
    y = (ids.sum(axis=1) > 6).astype(np.int64)
    model = nn.Sequential(nn.Embedding(5, 4), nn.Flatten(), nn.Linear(12, 2))
    h = fit(
        model,
        nn.CrossEntropyLoss(),
        torch.optim.Adam(model.parameters(), lr=0.05),
        ids,
        y,
        epochs=30,
    )
    assert h["accuracy"][-1] > 0.8
    assert predict(model, ids).shape == (40, 2)
    # without an embedding, integer inputs are numbers (pixels) and become floats
    pixels = np.random.default_rng(1).integers(0, 17, size=(10, 2))
    assert predict(mlp(), pixels).dtype == torch.get_default_dtype()
