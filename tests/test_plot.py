"""Tests of nnlib.plot: every function draws on Agg, labels its axes and returns them."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib import data, plot  # noqa: E402
from nnlib.layers import Dense, ReLU, Sequential, Sigmoid  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a figure that warns would print to a notebook
        yield
    plt.close("all")


def assert_labelled(ax):
    assert ax.get_title(), "no title"
    assert ax.get_xlabel(), "no x label"
    assert ax.get_ylabel(), "no y label"


def bowl(x, y):
    return x**2 + 3 * y**2


def test_style_is_not_applied_globally_on_import():
    import importlib

    before = dict(matplotlib.rcParams)
    importlib.reload(plot)
    assert dict(matplotlib.rcParams) == before
    with plot.style():
        assert matplotlib.rcParams["axes.spines.top"] is False
    assert dict(matplotlib.rcParams) == before


def test_decision_boundary_with_callable_scores():
    X, y = data.moons(n=60)

    def fn(P):
        return np.column_stack([-P[:, 1], P[:, 1]])  # two class scores

    ax = plot.decision_boundary(fn, X, y, resolution=30)
    assert_labelled(ax)
    assert ax.get_title() == "Decision boundary"


def test_decision_boundary_with_labels_and_probabilities():
    X, y = data.blobs(n=60, centers=3)
    ax = plot.decision_boundary(lambda P: (P[:, 0] > 0).astype(int), X, y, title="labels")
    assert ax.get_title() == "labels"
    ax = plot.decision_boundary(lambda P: 1 / (1 + np.exp(-P[:, 0])), X, y, resolution=20)
    assert_labelled(ax)
    ax = plot.decision_boundary(lambda P: P[:, :1] * 5.0, X, y, resolution=20)  # logits
    assert_labelled(ax)


def test_decision_boundary_with_sequential_restores_training_mode():
    X, y = data.moons(n=40)
    model = Sequential(Dense(2, 4, rng=0), ReLU(), Dense(4, 2, rng=1))
    model.train()
    _, ax = plt.subplots()
    assert plot.decision_boundary(model, X, y, ax=ax, resolution=25) is ax
    assert model.training is True
    one_output = Sequential(Dense(2, 4, rng=0), ReLU(), Dense(4, 1, rng=1), Sigmoid())
    assert_labelled(plot.decision_boundary(one_output, X, y, resolution=25))


def test_decision_boundary_with_torch_module():
    torch = pytest.importorskip("torch")
    X, y = data.moons(n=40)
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    assert_labelled(plot.decision_boundary(model, X, y, resolution=20))
    assert model.training


def test_decision_boundary_bad_input_messages():
    X, y = data.moons(n=10)
    with pytest.raises(ValueError, match=r"X must have 2 columns"):
        plot.decision_boundary(lambda P: P[:, 0], np.zeros((10, 3)), y)
    with pytest.raises(ValueError, match=r"returned shape \(5,\) for 400 points"):
        plot.decision_boundary(lambda P: np.zeros(5), X, y, resolution=20)
    with pytest.raises(TypeError, match=r"model_or_fn must be an nnlib model"):
        plot.decision_boundary(42, X, y)


def test_contour_with_paths():
    path = np.array([[2.0, 1.0], [1.0, 0.5], [0.1, 0.0]])
    ax = plot.contour_with_paths(bowl, (-3, 3), (-2, 2), paths={"SGD": path}, resolution=40)
    assert_labelled(ax)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["SGD"]
    ax = plot.contour_with_paths(bowl, (-3, 3), (-2, 2), log_levels=True, title="log")
    assert ax.get_title() == "log"


def test_contour_with_scalar_only_function():
    def scalar_only(x, y):
        return float(x) ** 2 + float(y) ** 2  # float() fails on arrays

    ax = plot.contour_with_paths(scalar_only, (-1, 1), (-1, 1), resolution=10)
    assert_labelled(ax)


def test_contour_bad_input_messages():
    with pytest.raises(ValueError, match=r"xlim must be \(low, high\)"):
        plot.contour_with_paths(bowl, (1, -1), (-1, 1))
    with pytest.raises(ValueError, match=r"paths\['bad'\] must have shape \(k, 2\)"):
        plot.contour_with_paths(bowl, (-1, 1), (-1, 1), paths={"bad": np.zeros((3, 3))})


def test_surface_3d():
    ax = plot.surface_3d(bowl, (-2, 2), (-2, 2), resolution=20)
    assert_labelled(ax)
    assert ax.get_zlabel() == "loss"
    _, flat = plt.subplots()
    with pytest.raises(TypeError, match=r"projection='3d'"):
        plot.surface_3d(bowl, (-2, 2), (-2, 2), ax=flat)


def test_learning_curves_from_dict_and_history():
    record = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.8, 0.9]}
    axes = plot.learning_curves(record)
    assert len(axes) == 2
    for ax in axes:
        assert_labelled(ax)
    labels = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert labels == ["train", "validation"]
    only = plot.learning_curves(record, metrics=("loss",))
    assert len(only) == 1 and only[0].get_ylabel() == "loss"
    with pytest.raises(ValueError, match=r"history has none of the metrics"):
        plot.learning_curves(record, metrics=("f1",))
    with pytest.raises(ValueError, match=r"got 1 Axes for 2 metrics"):
        plot.learning_curves(record, axes=plt.subplots()[1])


def test_network_diagram_from_sizes_and_model():
    ax = plot.network_diagram([2, 3, 2])
    assert_labelled(ax)
    assert ax.get_title() == "Network 2-3-2 (17 parameters)"
    model = Sequential(Dense(64, 128, rng=0), ReLU(), Dense(128, 10, rng=1))
    ax = plot.network_diagram(model)
    assert ax.get_title() == "Network 64-128-10 (9,610 parameters)"
    texts = [t.get_text() for t in ax.texts]
    assert "\u22ee" in texts and "ReLU" in texts  # wide layers collapsed; activation named
    assert len(ax.patches) == 9 + 9 + 9 - 3  # 8 circles per collapsed layer, 10 -> 8 too


def test_network_diagram_bad_input_message():
    with pytest.raises(ValueError, match=r"at least two positive layer sizes"):
        plot.network_diagram([3])


def test_weight_heatmap():
    W = np.arange(6.0).reshape(2, 3) - 2.5
    ax = plot.weight_heatmap(W)
    assert_labelled(ax)
    assert ax.get_title() == "Weights (2 x 3)"
    assert len(ax.texts) == 6  # small matrices are annotated
    layer = Dense(20, 30, rng=0)
    ax = plot.weight_heatmap(layer.W, title="first layer")
    assert ax.get_title() == "first layer" and len(ax.texts) == 0
    with pytest.raises(ValueError, match=r"W must be finite"):
        plot.weight_heatmap(np.array([[np.nan]]))


def test_confusion_matrix_plot():
    ax = plot.confusion_matrix_plot([[5, 1], [2, 7]], class_names=["benign", "malignant"])
    assert_labelled(ax)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["benign", "malignant"]
    with pytest.raises(ValueError, match=r"square matrix"):
        plot.confusion_matrix_plot(np.zeros((2, 3)))


def test_image_grid():
    X, y = data.load_digits()
    fig = plot.image_grid(X[:12], labels=y[:12], ncols=6, title="Digits")
    assert fig._suptitle.get_text() == "Digits"
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 12 and shown[0].images[0].get_array().shape == (8, 8)
    assert shown[0].get_title() == str(y[0])
    wrong = y[:12].copy()
    wrong[0] = (wrong[0] + 1) % 10
    fig = plot.image_grid(X[:12], labels=y[:12], predictions=wrong)
    assert fig.axes[0].get_title() == f"{wrong[0]} ({y[0]})"
    with pytest.raises(ValueError, match=r"square number of pixels"):
        plot.image_grid(np.zeros((3, 10)))


def test_learning_curves_marks_best_epoch():
    class H:
        history = {"loss": [3.0, 2.0, 2.5]}
        best_epoch = 2

    (ax,) = plot.learning_curves(H(), metrics=("loss",))
    assert "best epoch (2)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_learning_curves_accepts_ax_alias():
    _, ax = plt.subplots()
    (drawn,) = plot.learning_curves({"loss": [2.0, 1.0]}, metrics=("loss",), ax=ax)
    assert drawn is ax
    with pytest.raises(TypeError, match="give axes or ax, not both"):
        plot.learning_curves({"loss": [2.0, 1.0]}, metrics=("loss",), ax=ax, axes=ax)


def test_contour_paths_have_distinct_colours_and_end_markers_and_an_optional_colorbar():
    assert len(set(plot.PATH_COLOURS)) == len(plot.PATH_COLOURS)
    assert len(set(plot.PATH_END_MARKERS)) == len(plot.PATH_END_MARKERS)
    paths = {name: np.array([[2.0, 1.0], [0.1 * k, 0.0]]) for k, name in enumerate("abc")}
    ax = plot.contour_with_paths(bowl, (-3, 3), (-2, 2), paths=paths, resolution=30)
    handles = ax.get_legend().legend_handles
    assert [h.get_marker() for h in handles] == list(plot.PATH_END_MARKERS[:3])
    assert len({h.get_color() for h in handles}) == 3
    assert len(ax.figure.axes) == 1  # no colour bar unless asked
    ax = plot.contour_with_paths(bowl, (-3, 3), (-2, 2), resolution=30, colorbar=True)
    assert len(ax.figure.axes) == 2 and ax.figure.axes[1].get_ylabel() == "loss"


def test_confusion_matrix_numbers_are_large_for_few_classes():
    ax = plot.confusion_matrix_plot(np.array([[5, 1], [2, 7]]))
    assert min(t.get_fontsize() for t in ax.texts) >= 14
    ax = plot.confusion_matrix_plot(np.eye(10, dtype=int) * 3)
    assert max(t.get_fontsize() for t in ax.texts) <= 10
