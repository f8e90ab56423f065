"""Tests of nnlib.train: the fit loop reaches known accuracies; its parts behave."""

from __future__ import annotations

import builtins

import numpy as np
import pytest

from nnlib import data, metrics, train
from nnlib.layers import Dense, Dropout, ReLU, Sequential, Sigmoid, Tanh
from nnlib.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nnlib.optim import SGD, Adam
from nnlib.schedules import StepLR


def mlp(*sizes, act=ReLU, seed=0):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(Dense(a, b, rng=seed + i))
        if i < len(sizes) - 2:
            layers.append(act())
    return Sequential(*layers)


def test_fit_solves_xor():
    X, y = data.xor()
    model = mlp(2, 8, 2, act=Tanh)
    history = train.fit(
        model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.05), X, y, epochs=200, batch_size=4
    )
    assert metrics.accuracy(y, train.predict(model, X)) == 1.0
    assert history.history["accuracy"][-1] == 1.0
    assert history.history["loss"][-1] < 0.05
    assert history.epochs == 200 and not history.stopped_early


def test_fit_on_moons_reaches_97_percent_test_accuracy():
    X, y = data.moons(n=400, noise=0.1, rng=0)
    split = data.train_val_test_split(X, y, rng=0)
    model = mlp(2, 32, 32, 2)
    history = train.fit(
        model,
        CrossEntropyLoss(),
        Adam(model.parameters(), lr=0.01),
        split.X_train,
        split.y_train,
        epochs=60,
        validation=(split.X_val, split.y_val),
    )
    test_acc = metrics.accuracy(split.y_test, train.predict(model, split.X_test))
    assert test_acc >= 0.97
    assert history.history["val_accuracy"][-1] >= 0.97
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}


def test_fit_mlp_on_digits_reaches_95_percent_test_accuracy():
    pytest.importorskip("sklearn")
    X, y = data.load_digits()
    split = data.train_val_test_split(X, y, rng=0)
    model = mlp(64, 128, 64, 10)
    train.fit(
        model,
        CrossEntropyLoss(),
        Adam(model.parameters(), lr=1e-3),
        split.X_train,
        split.y_train,
        epochs=15,
        batch_size=32,
    )
    test_acc = metrics.accuracy(split.y_test, train.predict(model, split.X_test))
    assert test_acc >= 0.95


def test_fit_binary_outputs_with_bce_and_logits():
    X, y = data.blobs(n=100, centers=[[-2, -2], [2, 2]], std=0.5)
    model = Sequential(Dense(2, 4, rng=0), Tanh(), Dense(4, 1, rng=1), Sigmoid())
    h = train.fit(
        model, BCELoss(), Adam(model.parameters(), lr=0.05), X, y[:, None].astype(float), epochs=20
    )
    assert h.history["accuracy"][-1] == 1.0
    model = Sequential(Dense(2, 4, rng=0), Tanh(), Dense(4, 1, rng=1))
    h = train.fit(model, BCEWithLogitsLoss(), Adam(model.parameters(), lr=0.05), X, y, epochs=20)
    assert h.history["accuracy"][-1] == 1.0  # threshold 0 on logits


def test_fit_regression_without_metric():
    X = np.linspace(-1, 1, 64)[:, None]
    y = 3 * X - 1
    model = Sequential(Dense(1, 1, rng=0))
    h = train.fit(model, MSELoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=100, metric=None)
    assert set(h.history) == {"loss", "lr"}
    assert h.history["loss"][-1] < 1e-4
    np.testing.assert_allclose(model.layers[0].W.data, [[3.0]], atol=1e-2)


def test_fit_is_deterministic_by_seed():
    X, y = data.moons(n=100)
    runs = []
    for seed in (0, 0, 1):
        model = mlp(2, 8, 2)
        h = train.fit(
            model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1), X, y, epochs=3, rng=seed
        )
        runs.append(h.history["loss"])
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_early_stopping_stops_and_restores_best_weights():
    # The validation labels are the training labels flipped: the better the model fits the
    # training data, the worse the validation loss, so the best epoch is the first one.
    X, y = data.moons(n=200, noise=0.1, rng=0)
    X_val, y_val = data.moons(n=100, noise=0.1, rng=1)

    def run(epochs, patience):
        model = mlp(2, 16, 2)
        opt = Adam(model.parameters(), lr=0.02)
        h = train.fit(
            model,
            CrossEntropyLoss(),
            opt,
            X,
            y,
            epochs=epochs,
            validation=(X_val, 1 - y_val),
            patience=patience,
        )
        return model, h

    model, h = run(epochs=50, patience=3)
    assert h.stopped_early and h.restored
    assert h.best_epoch == int(np.argmin(h.history["val_loss"])) + 1
    assert h.epochs == h.best_epoch + 3
    reference, _ = run(epochs=h.best_epoch, patience=None)  # the weights after the best epoch
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
    val_loss = train.evaluate(model, CrossEntropyLoss(), X_val, 1 - y_val)["loss"]
    assert val_loss == pytest.approx(h.history["val_loss"][h.best_epoch - 1], rel=1e-6)


def test_early_stopping_without_restore_keeps_last_weights():
    X, y = data.moons(n=200, rng=0)
    X_val, y_val = data.moons(n=100, rng=1)
    model = mlp(2, 16, 2)
    h = train.fit(
        model,
        CrossEntropyLoss(),
        Adam(model.parameters(), lr=0.02),
        X,
        y,
        epochs=50,
        validation=(X_val, 1 - y_val),
        patience=2,
        restore_best=False,
    )
    assert h.stopped_early and not h.restored
    last = train.evaluate(model, CrossEntropyLoss(), X_val, 1 - y_val)["loss"]
    assert last == pytest.approx(h.history["val_loss"][-1], rel=1e-6)


def test_clip_grad_norm_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for max_norm in (0.5, 3.0, 100.0):
        model = mlp(3, 5, 2)
        grads = [rng.normal(size=p.data.shape) * 2.0 for p in model.parameters()]
        for p, g in zip(model.parameters(), grads, strict=True):
            p.grad = g.copy()
        tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for t, g in zip(tensors, grads, strict=True):
            t.grad = torch.tensor(g)
        ours = train.clip_grad_norm(model.parameters(), max_norm)
        theirs = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
        assert ours == pytest.approx(float(theirs), rel=1e-12)
        for p, t in zip(model.parameters(), tensors, strict=True):
            np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_caps_the_norm_and_accepts_a_model():
    model = mlp(2, 3, 1)
    for p in model.parameters():
        p.grad = np.full(p.data.shape, 10.0, dtype=p.data.dtype)
    before = train.clip_grad_norm(model, 1.0)
    assert before == pytest.approx(10.0 * np.sqrt(model.n_params()))
    after = np.sqrt(sum(float(np.sum(p.grad.astype(float) ** 2)) for p in model.parameters()))
    assert after == pytest.approx(1.0, rel=1e-5)
    with pytest.raises(ValueError, match=r"max_norm must be > 0; got 0"):
        train.clip_grad_norm(model, 0)


def test_fit_with_clipping_and_scheduler():
    X, y = data.moons(n=100)
    model = mlp(2, 8, 2)
    opt = SGD(model.parameters(), lr=0.4)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    h = train.fit(model, CrossEntropyLoss(), opt, X, y, epochs=5, clip_norm=1.0, scheduler=sched)
    assert h.history["lr"] == pytest.approx([0.4, 0.4, 0.2, 0.2, 0.1])


def test_fit_stops_when_the_loss_diverges():
    X = np.linspace(-1, 1, 32)[:, None]
    y = 100 * X
    model = Sequential(Dense(1, 1, rng=0))
    with np.errstate(over="ignore", invalid="ignore"):
        with pytest.warns(RuntimeWarning, match=r"fit: training diverged at epoch \d+"):
            h = train.fit(
                model, MSELoss(), SGD(model.parameters(), lr=50.0), X, y, epochs=200, metric=None
            )
    assert h.diverged and h.epochs < 200
    # Stopped once the loss grew a million-fold, before it overflowed to NaN.
    assert h.history["loss"][-1] > 1e6 * h.history["loss"][0]


def test_fit_warns_when_the_loss_becomes_nan():
    X, y = data.moons(n=64)
    model = Sequential(Dense(2, 16, init="normal", rng=0), ReLU(), Dense(16, 2, rng=1))
    model[0].W.data *= 1e30  # absurd weights: the first step overflows
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning, match=r"smaller learning rate"):
        h = train.fit(model, CrossEntropyLoss(), SGD(model.parameters(), lr=1.0), X, y, epochs=5)
    assert h.diverged and h.epochs == 1
    assert "diverged" in repr(h)


def test_fit_momentum_above_one_is_refused_before_it_can_diverge():
    model = mlp(2, 4, 2)
    with pytest.raises(ValueError, match=r"SGD: momentum must be in \[0, 1\); got 1.5"):
        SGD(model.parameters(), lr=0.1, momentum=1.5)


def test_fit_no_warning_when_training_goes_well():
    import warnings

    X, y = data.xor()
    model = mlp(2, 8, 2, act=Tanh)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train.fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=0.05), X, y)
    assert not h.diverged


def test_progress_false_prints_nothing(capsys):
    X, y = data.xor()
    model = mlp(2, 4, 2)
    train.fit(model, CrossEntropyLoss(), Adam(model.parameters()), X, y, epochs=3, progress=False)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_progress_true_shows_a_bar(capsys):
    pytest.importorskip("tqdm")
    X, y = data.xor()
    model = mlp(2, 4, 2)
    train.fit(model, CrossEntropyLoss(), Adam(model.parameters()), X, y, epochs=3, progress=True)
    assert "3/3" in capsys.readouterr().err


def test_progress_without_tqdm_falls_back_silently(monkeypatch, capsys):
    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError("No module named 'tqdm'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    X, y = data.xor()
    model = mlp(2, 4, 2)
    h = train.fit(
        model, CrossEntropyLoss(), Adam(model.parameters()), X, y, epochs=2, progress=True
    )
    assert h.epochs == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_predict_uses_eval_mode_and_restores_it():
    model = Sequential(Dense(4, 8, rng=0), Dropout(0.5, rng=0), Dense(8, 3, rng=1))
    X = np.random.default_rng(0).normal(size=(50, 4))
    model.train()
    a = train.predict(model, X)
    b = train.predict(model, X, batch_size=7)
    np.testing.assert_allclose(a, b, rtol=1e-6)  # dropout off: deterministic
    assert model.training is True
    model.eval()
    train.predict(model, X)
    assert model.training is False


def test_fit_switches_dropout_on_for_training_and_leaves_eval_mode():
    X, y = data.moons(n=64)
    model = Sequential(Dense(2, 16, rng=0), ReLU(), Dropout(0.5, rng=0), Dense(16, 2, rng=1))
    model.eval()
    seen = []
    forward = model.forward

    def spy(x):
        seen.append(model[2].training)
        return forward(x)

    model.forward = spy
    train.fit(
        model, CrossEntropyLoss(), Adam(model.parameters()), X, y, epochs=1, validation=(X, y)
    )
    assert seen[0] is True  # trained with dropout on
    assert model.training is False  # ... and left ready to use, as after torch's fit
    assert not any(layer.training for layer in model.layers)
    # So model(X) is deterministic and agrees with predict.
    np.testing.assert_array_equal(model(X), model(X))
    np.testing.assert_array_equal(model(X), train.predict(model, X))


def test_evaluate_returns_loss_and_accuracy():
    X, y = data.xor()
    model = mlp(2, 4, 2)
    result = train.evaluate(model, CrossEntropyLoss(), X, y)
    assert set(result) == {"loss", "accuracy"}
    assert result["accuracy"] == metrics.accuracy(y, train.predict(model, X))
    assert result["loss"] == pytest.approx(CrossEntropyLoss()(train.predict(model, X), y))


def test_custom_metric_is_recorded_under_its_name():
    X, y = data.moons(n=64)
    model = mlp(2, 8, 2)

    def macro_f1(y_true, out):
        return metrics.f1_score(y_true, out, average="macro")

    h = train.fit(
        model,
        CrossEntropyLoss(),
        Adam(model.parameters()),
        X,
        y,
        epochs=2,
        metric=macro_f1,
        validation=(X, y),
    )
    assert len(h.history["macro_f1"]) == 2 and len(h.history["val_macro_f1"]) == 2


def test_history_plot_and_repr():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = data.xor()
    model = mlp(2, 4, 2)
    h = train.fit(model, CrossEntropyLoss(), Adam(model.parameters()), X, y, epochs=3)
    axes = h.plot()
    assert [ax.get_ylabel() for ax in axes] == ["loss", "accuracy"]
    assert repr(h).startswith("History(3 epochs, best epoch")
    assert h["loss"] is h.history["loss"]
    plt.close("all")


def test_fit_mismatched_lengths_message():
    model = mlp(2, 4, 2)
    with pytest.raises(ValueError, match=r"fit: X and y must have the same number of samples"):
        train.fit(model, CrossEntropyLoss(), Adam(model.parameters()), np.zeros((4, 2)), [0, 1])


def test_fit_bad_epochs_message():
    X, y = data.xor()
    model = mlp(2, 4, 2)
    with pytest.raises(ValueError, match=r"fit: epochs must be at least 1, got 0"):
        train.fit(model, CrossEntropyLoss(), Adam(model.parameters()), X, y, epochs=0)


def test_fit_nan_input_message():
    X, y = data.xor()
    X[0, 0] = np.nan
    model = mlp(2, 4, 2)
    with pytest.raises(ValueError, match=r"fit: X must be finite"):
        train.fit(model, CrossEntropyLoss(), Adam(model.parameters()), X, y)


def test_fit_bad_validation_message():
    X, y = data.xor()
    model = mlp(2, 4, 2)
    with pytest.raises(TypeError, match=r"validation must be a pair \(X_val, y_val\)"):
        train.fit(model, CrossEntropyLoss(), Adam(model.parameters()), X, y, validation=X)


def test_fit_bad_metric_message():
    X, y = data.xor()
    model = mlp(2, 4, 2)
    with pytest.raises(
        ValueError, match=r"fit: metric must be 'auto', 'accuracy', 'mse', 'mae', 'r2', a callable"
    ):
        train.fit(model, CrossEntropyLoss(), Adam(model.parameters()), X, y, metric="f1")


def test_fit_bad_optimizer_message():
    X, y = data.xor()
    model = mlp(2, 4, 2)
    with pytest.raises(TypeError, match=r"optimizer must have a step\(\) method"):
        train.fit(model, CrossEntropyLoss(), object(), X, y)


# ---------------------------------------------------------------------------------------------
# Mistakes that used to train nothing, or report a wrong number, without a word
# ---------------------------------------------------------------------------------------------


def regression_data(n=64):
    X = np.linspace(-1, 1, n)[:, None]
    return X, 3 * X[:, 0] + 0.5


def test_metric_auto_is_accuracy_for_classification_and_none_for_regression():
    X, y = data.xor()
    model = mlp(2, 4, 2)
    h = train.fit(model, CrossEntropyLoss(), Adam(model.parameters()), X, y, epochs=2)
    assert "accuracy" in h.history
    Xr, yr = regression_data()
    model = mlp(1, 8, 1)
    h = train.fit(model, MSELoss(), Adam(model.parameters()), Xr, yr, epochs=2, validation=(Xr, yr))
    assert set(h.history) == {"loss", "val_loss", "lr"}  # no column of 0.0 accuracies
    assert set(train.evaluate(model, MSELoss(), Xr, yr)) == {"loss"}


def test_regression_metrics_by_name():
    Xr, yr = regression_data()
    model = mlp(1, 16, 1, act=Tanh)
    opt = Adam(model.parameters(), lr=0.05)
    h = train.fit(model, MSELoss(), opt, Xr, yr, epochs=100, metric="r2", validation=(Xr, yr))
    assert h.history["val_r2"][-1] > 0.99
    scores = train.evaluate(model, MSELoss(), Xr, yr, metric="mse")
    assert scores["mse"] == pytest.approx(scores["loss"], rel=1e-5)
    assert train.evaluate(model, MSELoss(), Xr, yr, metric="mae")["mae"] >= 0


def test_accuracy_on_a_regression_target_is_refused():
    Xr, yr = regression_data()
    model = mlp(1, 4, 1)
    with pytest.raises(ValueError, match=r"fit: metric='accuracy' needs class labels"):
        train.fit(model, MSELoss(), Adam(model.parameters()), Xr, yr, metric="accuracy")
    with pytest.raises(ValueError, match=r"evaluate: metric='accuracy' needs class labels"):
        train.evaluate(model, MSELoss(), Xr, yr, metric="accuracy")


def test_optimizer_of_another_model_is_refused():
    X, y = data.xor()
    model, other = mlp(2, 4, 2), mlp(2, 4, 2)
    with pytest.raises(ValueError, match=r"the optimizer updates none of this model's"):
        train.fit(model, CrossEntropyLoss(), Adam(other.parameters()), X, y)


def test_optimizer_with_foreign_parameters_is_refused():
    X, y = data.xor()
    model, other = mlp(2, 4, 2), mlp(2, 4, 2)
    opt = Adam(model.parameters() + other.parameters()[:1])
    with pytest.raises(ValueError, match=r"holds 1 parameter\(s\) that are not this model's"):
        train.fit(model, CrossEntropyLoss(), opt, X, y)


def test_optimizer_on_part_of_the_model_is_allowed():
    X, y = data.xor()
    model = mlp(2, 4, 2)
    frozen = model[0].W.data.copy()
    train.fit(model, CrossEntropyLoss(), Adam(model.parameters()[2:]), X, y, epochs=2)
    np.testing.assert_array_equal(model[0].W.data, frozen)


def test_scheduler_of_another_optimizer_is_refused():
    X, y = data.xor()
    model = mlp(2, 4, 2)
    opt = SGD(model.parameters(), lr=0.1)
    stray = StepLR(SGD(mlp(2, 4, 2).parameters(), lr=0.1), step_size=1)
    with pytest.raises(ValueError, match=r"the scheduler is attached to another optimizer"):
        train.fit(model, CrossEntropyLoss(), opt, X, y, scheduler=stray)


def test_scheduler_without_step_is_refused():
    X, y = data.xor()
    model = mlp(2, 4, 2)
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match=r"fit: scheduler must be a schedule object with step"):
        train.fit(model, CrossEntropyLoss(), opt, X, y, scheduler=0.5)


@pytest.mark.parametrize(
    ("what", "pattern"),
    [
        ("loss", r"fit: loss_fn must be a loss object; got the class CrossEntropyLoss"),
        ("optimizer", r"fit: optimizer must be an optimizer object; got the class Adam"),
        ("model", r"fit: model must be a model object; got the class Sequential"),
    ],
)
def test_classes_instead_of_objects_are_refused(what, pattern):
    X, y = data.xor()
    model = mlp(2, 4, 2)
    args = {"model": model, "loss": CrossEntropyLoss(), "optimizer": Adam(model.parameters())}
    args[what] = {"loss": CrossEntropyLoss, "optimizer": Adam, "model": Sequential}[what]
    with pytest.raises(TypeError, match=pattern):
        train.fit(args["model"], args["loss"], args["optimizer"], X, y)


def test_value_mlp_is_refused_with_a_hint():
    from nnlib.autograd import MLP

    X, y = data.xor()
    model = mlp(2, 4, 2)
    with pytest.raises(TypeError, match=r"its own loop"):
        train.fit(MLP(2, [4, 1], rng=0), CrossEntropyLoss(), Adam(model.parameters()), X, y)


def test_validation_with_other_features_or_nan_is_refused():
    X, y = data.xor()
    model = mlp(2, 4, 2)
    opt = Adam(model.parameters())
    with pytest.raises(ValueError, match=r"validation X must have samples shaped like X's"):
        train.fit(model, CrossEntropyLoss(), opt, X, y, validation=(np.zeros((4, 3)), y))
    Xv = X.copy()
    Xv[1, 1] = np.inf
    with pytest.raises(ValueError, match=r"fit: validation X must be finite"):
        train.fit(model, CrossEntropyLoss(), opt, X, y, validation=(Xv, y))


def test_evaluate_refuses_a_model_full_of_nan():
    X, y = data.xor()
    model = mlp(2, 4, 2)
    model[0].W.data[...] = np.nan
    with pytest.raises(ValueError, match=r"evaluate: the model's outputs are not finite"):
        train.evaluate(model, CrossEntropyLoss(), X, y)
    with pytest.raises(ValueError, match=r"predict_proba: the model's outputs are not finite"):
        train.predict_proba(model, X)


def test_predict_proba_like_scikit_learn():
    X, y = data.xor()
    model = mlp(2, 4, 3)
    p = train.predict_proba(model, X)
    assert p.shape == (4, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(p.argmax(axis=1), train.predict(model, X).argmax(axis=1))
    binary = mlp(2, 4, 1)
    p = train.predict_proba(binary, X)
    logit = train.predict(binary, X)[:, 0]
    np.testing.assert_allclose(p[:, 1], 1 / (1 + np.exp(-logit)), rtol=1e-6)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-6)
    with pytest.raises(ValueError, match=r"predict_proba: the model must output logits"):
        train.predict_proba(model, X[0])


def test_predict_on_a_single_sample():
    X, _ = data.xor()
    model = mlp(2, 4, 3)
    one = train.predict(model, X[1])
    assert one.shape == (3,)  # no batch axis, as torch.nn.Linear
    np.testing.assert_allclose(one, train.predict(model, X)[1], rtol=1e-6)
    np.testing.assert_allclose(train.predict(model, X[1], batch_size=1), one)


@pytest.mark.parametrize(
    ("last", "loss", "fix"),
    [
        (None, CrossEntropyLoss(), r"drop the final Softmax\(\) and give the loss the logits"),
        (Sigmoid, BCEWithLogitsLoss(), r"drop the final Sigmoid\(\), or keep it and use BCELoss"),
    ],
)
def test_a_squashing_applied_twice_warns(last, loss, fix):
    from nnlib.layers import Softmax

    X, y = data.xor()
    if last is None:
        model = Sequential(Dense(2, 4, rng=0), Tanh(), Dense(4, 2, rng=1), Softmax())
    else:
        model = Sequential(Dense(2, 4, rng=0), Tanh(), Dense(4, 1, rng=1), last())
    with pytest.warns(UserWarning, match=rf"applied twice .*{fix}"):
        train.fit(model, loss, Adam(model.parameters()), X, y, epochs=1)


def test_bce_with_labels_for_two_columns_gets_a_hint():
    X, y = data.xor()
    model = mlp(2, 4, 2)
    with pytest.raises(ValueError, match=r"for class labels use CrossEntropyLoss, or one_hot"):
        train.fit(model, BCEWithLogitsLoss(), Adam(model.parameters()), X, y, epochs=1)


def test_a_flat_x_for_one_feature_gets_a_hint():
    model = mlp(1, 4, 1)
    x = np.linspace(-1, 1, 8)
    with pytest.raises(ValueError, match=r"make it a column with X\[:, None\]"):
        train.fit(model, MSELoss(), Adam(model.parameters()), x, 2 * x, epochs=1)


def test_backward_given_the_loss_value_gets_a_hint():
    X, y = data.xor()
    model = mlp(2, 4, 2)
    loss_fn = CrossEntropyLoss()
    loss = loss_fn(model(X), y)
    with pytest.raises(ValueError, match=r"pass the gradient loss_fn.backward\(\), not the loss"):
        model.backward(loss)


def test_clip_grad_norm_given_the_method():
    model = mlp(2, 4, 2)
    with pytest.raises(TypeError, match=r"call it, e.g. model.parameters\(\)"):
        train.clip_grad_norm(model.parameters, 1.0)


def test_regression_history_plots_the_loss_only():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    Xr, yr = regression_data(16)
    model = mlp(1, 4, 1)
    h = train.fit(model, MSELoss(), Adam(model.parameters()), Xr, yr, epochs=2)
    axes = h.plot()  # the default asks for loss and accuracy; a regression has no accuracy
    assert [ax.get_ylabel() for ax in axes] == ["loss"]
    plt.close("all")
