"""nnlib.torch.serve: save/load round trip, the validating predictor and its error messages."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from nnlib.torch.serve import (
    InputSpec,
    Predictor,
    build_model,
    digit_cnn,
    load_model,
    save_model,
    validate_images,
)

ARCH = {"name": "digit_cnn", "kwargs": {"channels": 4, "hidden": 8}, "dtype": "float64"}
SPEC = InputSpec()


@pytest.fixture
def model():
    torch.manual_seed(0)
    return build_model(ARCH).eval()


def good(n=5, seed=0):
    return np.random.default_rng(seed).uniform(size=(n, 1, 8, 8))


def test_digit_cnn_shapes():
    assert digit_cnn()(torch.zeros(3, 1, 8, 8)).shape == (3, 10)


def test_build_model_dtype_and_training_mode(model):
    fresh = build_model(ARCH)
    assert fresh.training and next(fresh.parameters()).dtype == torch.float64


@pytest.mark.parametrize(
    "arch, fragment",
    [
        ({"kwargs": {}}, "'name' key"),
        ({"name": "os.system"}, "unknown architecture 'os.system'"),
        ({"name": "digit_cnn", "dtype": "int8"}, "dtype must be"),
    ],
)
def test_build_model_rejects(arch, fragment):
    with pytest.raises(ValueError, match=fragment):
        build_model(arch)


def test_round_trip(model, tmp_path):
    save_model(model, tmp_path, ARCH, SPEC)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "weights.pt"]
    config = json.loads((tmp_path / "model.json").read_text())
    assert config["architecture"] == ARCH and config["input"]["classes"][3] == "3"
    loaded, spec = load_model(tmp_path)
    assert not loaded.training and spec == SPEC
    x = torch.from_numpy(good())
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x))
    assert np.array_equal(Predictor.load(tmp_path).predict(good()), model(x).argmax(1).numpy())


def test_save_checks_the_description(model, tmp_path):
    wrong = dict(ARCH, kwargs={"channels": 5, "hidden": 8})
    with pytest.raises(RuntimeError, match="size mismatch"):
        save_model(model, tmp_path, wrong, SPEC)
    assert not (tmp_path / "weights.pt").exists()


def test_spec_dict_round_trip():
    spec = InputSpec(channels=3, height=4, width=5, classes=("a", "b"))
    assert InputSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


@pytest.mark.parametrize(
    "x, shape",
    [
        (good()[0, 0], (1, 1, 8, 8)),
        (good()[:, 0], (5, 1, 8, 8)),
        (good(), (5, 1, 8, 8)),
        (torch.from_numpy(good()).float(), (5, 1, 8, 8)),
        (np.zeros((2, 8, 8)), (2, 1, 8, 8)),
        (np.ones((2, 8, 8), dtype=np.float16), (2, 1, 8, 8)),
    ],
)
def test_validate_accepts(x, shape):
    t = validate_images(x, SPEC, torch.float64)
    assert t.shape == shape and t.dtype == torch.float64


def with_nan(x, index):
    x = x.copy()
    x[index] = np.nan
    return x


@pytest.mark.parametrize(
    "x, error, fragments",
    [
        ([[0.0] * 8] * 8, TypeError, ["got list", "np.asarray"]),
        (np.array([["a"] * 8] * 8), TypeError, ["numeric pixels"]),
        (np.zeros((2, 2, 1, 8, 8)), ValueError, ["(n, 1, 8, 8)", "shape (2, 2, 1, 8, 8)"]),
        (np.zeros(8), ValueError, ["got an array of shape (8)"]),
        (np.zeros((0, 8, 8)), ValueError, ["empty"]),
        (good()[:, :, :4, :4], ValueError, ["8x8 pixels; got 4x4", "Resize"]),
        (np.zeros((3, 28, 28)), ValueError, ["8x8 pixels; got 28x28"]),
        (np.zeros((3, 3, 8, 8)), ValueError, ["1 channel per image; got 3", "grey"]),
        (np.zeros((3, 8, 8, 1)), ValueError, ["got 8", "channels-last", "np.moveaxis"]),
        (np.zeros((3, 8, 8, 3)), ValueError, ["got 8", "channels-last"]),
        (np.zeros((3, 1, 8, 8), dtype=np.int64), TypeError, ["dtype int64", "/ 16"]),
        (np.zeros((3, 1, 8, 8), dtype=np.uint8), TypeError, ["dtype uint8"]),
        (np.zeros((3, 1, 8, 8), dtype=bool), TypeError, ["dtype bool"]),
        (torch.zeros(3, 1, 8, 8, dtype=torch.int32), TypeError, ["dtype int32"]),
        (with_nan(good(), (2, 0, 3, 3)), ValueError, ["1 of 5 images contain NaN", "image 2"]),
        (np.full((5, 8, 8), np.inf), ValueError, ["5 of 5 images contain infinite", "image 0"]),
        (good() * 16, ValueError, ["must lie in [0, 1]", "divide by 16"]),
        (good() - 0.5, ValueError, ["must lie in [0, 1]", "from -0.5"]),
        (good() * 255, ValueError, ["must lie in [0, 1]"]),
    ],
)
def test_validate_rejects(x, error, fragments):
    with pytest.raises(error) as info:
        validate_images(x, SPEC)
    message = str(info.value)
    assert message.startswith("predict: ")
    for fragment in fragments:
        assert fragment in message, message


def test_unscaled_hint_only_when_it_fits():
    with pytest.raises(ValueError) as info:
        validate_images(good() * 255, SPEC)
    assert "divide by" not in str(info.value)


def test_validate_colour_spec():
    spec = InputSpec(channels=3, height=4, width=4)
    assert validate_images(np.zeros((2, 3, 4, 4)), spec).shape == (2, 3, 4, 4)
    with pytest.raises(ValueError, match=r"expected a batch \(n, 3, 4, 4\)"):
        validate_images(np.zeros((3, 4, 4)), spec)
    with pytest.raises(ValueError, match="3 channels per image; got 1"):
        validate_images(np.zeros((2, 1, 4, 4)), spec)


def test_predictor_validates_and_predicts(model):
    predictor = Predictor(model, SPEC)
    x = good()
    with torch.no_grad():
        expected = model(torch.from_numpy(x)).numpy()
    assert np.array_equal(predictor.logits(x), expected)
    assert np.array_equal(predictor.predict(x[0, 0]), expected[:1].argmax(1))
    with pytest.raises(ValueError, match="divide by 16"):
        predictor.predict(x * 16)


def test_predictor_puts_model_in_eval_mode():
    torch.manual_seed(0)
    model = build_model(ARCH).train()
    predictor = Predictor(model, SPEC)
    assert not model.training
    a, b = predictor.logits(good()), predictor.logits(good())
    assert np.array_equal(a, b)
