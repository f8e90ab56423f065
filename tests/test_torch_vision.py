"""nnlib.torch.vision (image folders, augmentation transforms) and nnlib.pets (the images)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnlib.pets import PET_CLASSES, make_pets, save_image_folder
from nnlib.torch.vision import (
    Compose,
    Grayscale,
    ImageFolder,
    RandomAffine,
    RandomHorizontalFlip,
    RandomResizedCrop,
    Resize,
    affine,
    hflip,
    read_image,
)


@pytest.fixture(scope="module")
def pets():
    return make_pets(6, size=16, rng=3)


@pytest.fixture(scope="module")
def folder(tmp_path_factory, pets):
    return save_image_folder(tmp_path_factory.mktemp("pets"), *pets)


# --- nnlib.pets -------------------------------------------------------------------------


def test_make_pets_shapes_labels_and_seed():
    images, labels = make_pets(5, size=20, rng=1)
    assert images.shape == (5, 20, 20, 3) and images.dtype == np.float32
    assert labels.tolist() == [0, 1, 0, 1, 0]
    assert 0 <= images.min() and images.max() <= 1
    again, _ = make_pets(5, size=20, rng=1)
    other, _ = make_pets(5, size=20, rng=2)
    assert np.array_equal(images, again) and not np.array_equal(images, other)


def test_make_pets_spread_zero_centres_the_heads():
    # with every head in the middle, the average image is brighter in the centre
    # (the dark eyes and nose aside) than a pet placed anywhere: compare their spread
    centred, _ = make_pets(40, size=24, spread=0.0, rng=0)
    anywhere, _ = make_pets(40, size=24, spread=1.0, rng=0)
    assert centred.mean(axis=0).std() > anywhere.mean(axis=0).std()


@pytest.mark.parametrize(
    "kwargs", [{"n": 0}, {"n": 2.5}, {"n": 3, "size": 8}, {"n": 3, "spread": 1.5}]
)
def test_make_pets_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="make_pets"):
        make_pets(**kwargs)


def test_save_image_folder_layout_and_round_trip(folder, pets):
    images, labels = pets
    names = {p.parent.name + "/" + p.name for p in folder.rglob("*.png")}
    assert names == {f"{PET_CLASSES[y]}/{i:04d}.png" for i, y in enumerate(labels)}
    back = read_image(folder / "dog" / "0001.png")
    assert back.shape == (3, 16, 16)
    assert torch.allclose(back, torch.from_numpy(images[1]).permute(2, 0, 1), atol=0.5 / 255)


def test_save_image_folder_grey_and_empty_class(tmp_path):
    grey = np.full((2, 4, 5), 0.5)
    save_image_folder(tmp_path, grey, np.array([0, 0]), classes=("a", "b"))
    assert (tmp_path / "b").is_dir() and not any((tmp_path / "b").iterdir())
    assert read_image(tmp_path / "a" / "0000.png").shape == (3, 4, 5)


@pytest.mark.parametrize(
    ("images", "labels", "classes", "match"),
    [
        (np.zeros((2, 4, 4, 4)), [0, 1], ("a", "b"), "shape"),
        (np.zeros((2, 4, 4), dtype=np.uint8), [0, 1], ("a", "b"), "floats"),
        (np.full((2, 4, 4), 2.0), [0, 1], ("a", "b"), r"\[0, 1\]"),
        (np.zeros((2, 4, 4)), [0, 2], ("a", "b"), "labels"),
        (np.zeros((2, 4, 4)), [0], ("a", "b"), "labels"),
        (np.zeros((2, 4, 4)), [0, 1], ("a", "a"), "distinct"),
    ],
)
def test_save_image_folder_rejects_bad_input(tmp_path, images, labels, classes, match):
    with pytest.raises(ValueError, match=match):
        save_image_folder(tmp_path, images, np.asarray(labels), classes)


# --- ImageFolder --------------------------------------------------------------------------


def test_image_folder_classes_samples_and_items(folder, pets):
    data = ImageFolder(folder)
    assert data.classes == ["cat", "dog"]
    assert data.class_to_idx == {"cat": 0, "dog": 1}
    assert len(data) == 6
    assert data.targets == [0, 0, 0, 1, 1, 1]
    assert [p.rsplit("/", 1)[-1] for p, _ in data.samples[:3]] == [
        "0000.png",
        "0002.png",
        "0004.png",
    ]
    image, label = data[3]
    assert image.shape == (3, 16, 16) and image.dtype == torch.float32 and label == 1
    assert 0 <= image.min() and image.max() <= 1
    want = torch.from_numpy(pets[0][1]).permute(2, 0, 1)
    assert torch.allclose(image, want, atol=0.5 / 255)


def test_image_folder_sorted_names_jpeg_and_skipped_files(tmp_path):
    from PIL import Image

    for name in ("zebra", "apple"):
        (tmp_path / name).mkdir()
        Image.new("L", (7, 5), 200).save(tmp_path / name / "x.JPG")
    (tmp_path / "apple" / "notes.txt").write_text("not an image")
    (tmp_path / ".hidden").mkdir()
    data = ImageFolder(tmp_path, transform=Grayscale(), target_transform=lambda t: t * 10)
    assert data.classes == ["apple", "zebra"] and len(data) == 2
    image, label = data[1]
    assert image.shape == (1, 5, 7) and label == 10
    assert torch.allclose(image, torch.full_like(image, 200 / 255), atol=2 / 255)
    assert "ImageFolder(2 images" in repr(data)


def test_image_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        ImageFolder(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="no class folders"):
        ImageFolder(tmp_path)
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "readme.txt").write_text("hello")
    with pytest.raises(FileNotFoundError, match="holds no image"):
        ImageFolder(tmp_path)
    (tmp_path / "cat" / "broken.png").write_bytes(b"this is not a PNG file")
    data = ImageFolder(tmp_path)
    with pytest.raises(ValueError, match="broken.png"):
        data[0]
    with pytest.raises(TypeError, match="transform"):
        ImageFolder(tmp_path, transform="flip")


def test_read_image_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_image(tmp_path / "nothing.png")


def test_image_folder_feeds_the_training_loop(folder):
    from torch import nn

    from nnlib.torch.train import fit

    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 16 * 16, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    data = ImageFolder(folder, transform=RandomHorizontalFlip(generator=torch.Generator()))
    history = fit(model, nn.CrossEntropyLoss(), opt, data, epochs=2, batch_size=4)
    assert len(history.history["accuracy"]) == 2


# --- transforms -----------------------------------------------------------------------------


def test_hflip_and_random_flip_are_exact_mirrors():
    x = torch.rand(3, 4, 5)
    assert torch.equal(hflip(x), x[:, :, torch.arange(4, -1, -1)])
    assert torch.equal(hflip(hflip(x)), x)
    assert torch.equal(RandomHorizontalFlip(p=1.0)(x), hflip(x))
    assert torch.equal(RandomHorizontalFlip(p=0.0)(x), x)


def test_random_flip_probability_and_generator():
    x = torch.arange(6.0).reshape(1, 2, 3)
    flip = RandomHorizontalFlip(p=0.3, generator=torch.Generator().manual_seed(0))
    flipped = [not torch.equal(flip(x), x) for _ in range(2000)]
    assert 0.25 < np.mean(flipped) < 0.35
    again = RandomHorizontalFlip(p=0.3, generator=torch.Generator().manual_seed(0))
    assert flipped[:50] == [not torch.equal(again(x), x) for _ in range(50)]


def test_affine_identity_gives_the_input_back():
    x = torch.rand(2, 3, 7, 9, dtype=torch.float64)
    assert torch.equal(affine(x, 0.0, (0, 0), 1.0), x)
    assert torch.allclose(affine(x, 0.0, (0, 0), 1.0, "bilinear"), x, atol=1e-12)
    assert torch.equal(RandomAffine(degrees=0)(x), x)
    same = RandomAffine(degrees=(0, 0), translate=(0, 0), scale=(1, 1), interpolation="bilinear")
    assert torch.allclose(same(x), x, atol=1e-12)


def test_affine_shift_moves_pixels_and_fills():
    x = torch.rand(1, 6, 8, dtype=torch.float64)
    out = affine(x, 0.0, (3, -2), 1.0, fill=0.25)  # 3 right, 2 up
    assert torch.equal(out[:, :-2, 3:], x[:, 2:, :-3])
    assert (out[:, :, :3] == 0.25).all() and (out[:, -2:, :] == 0.25).all()


def test_affine_rotations_by_quarter_and_half_turns():
    x = torch.rand(2, 5, 5, dtype=torch.float64)
    assert torch.equal(affine(x, 90.0, (0, 0), 1.0), torch.rot90(x, 1, (-2, -1)))
    assert torch.allclose(affine(x, -90.0, (0, 0), 1.0, "bilinear"), torch.rot90(x, -1, (-2, -1)))
    wide = torch.rand(1, 4, 7, dtype=torch.float64)  # not square: the aspect ratio matters
    assert torch.allclose(affine(wide, 180.0, (0, 0), 1.0, "bilinear"), wide.flip(-1, -2))


def test_affine_zoom_about_the_centre():
    x = torch.zeros(1, 8, 8, dtype=torch.float64)
    x[0, 3:5, 3:5] = 1.0  # a 2x2 square in the middle
    out = affine(x, 0.0, (0, 0), 2.0)
    assert out.sum() == 16 and torch.equal(out[0, 2:6, 2:6], torch.ones(4, 4, dtype=x.dtype))
    assert torch.equal(affine(out, 0.0, (0, 0), 0.5), x)


def test_affine_matches_affine_grid():
    """Against torch's own affine_grid with the same inverse map (any angle, shift, zoom)."""
    x = torch.rand(2, 3, 6, 10, dtype=torch.float64)
    angle, (tx, ty), s = 23.0, (1.5, -0.75), 1.3
    a = np.radians(angle)
    h, w = 6, 10
    # output pixel (centred units) -> input: inverse of rotate-CCW-on-screen, scale, shift
    inv = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) / s
    shift = -inv @ np.array([tx, ty])
    units = np.array([w / 2, h / 2])
    theta = np.hstack([inv * units[None] / units[:, None], (shift / units)[:, None]])
    grid = F.affine_grid(torch.tensor(theta)[None].expand(2, 2, 3), [2, 3, h, w], False)
    want = F.grid_sample(x, grid, mode="bilinear", align_corners=False)
    assert torch.allclose(affine(x, angle, (tx, ty), s, "bilinear"), want, atol=1e-12)


def test_random_affine_is_repeatable_with_a_generator():
    x = torch.rand(3, 12, 12)

    def make(seed):
        return RandomAffine(
            20,
            translate=(0.2, 0.1),
            scale=(0.8, 1.2),
            generator=torch.Generator().manual_seed(seed),
        )

    a, b, c = make(0), make(0), make(1)
    first = [a(x) for _ in range(5)]
    assert all(torch.equal(u, v) for u, v in zip(first, [b(x) for _ in range(5)], strict=True))
    assert not all(torch.equal(u, v) for u, v in zip(first, [c(x) for _ in range(5)], strict=True))
    assert not torch.equal(first[0], first[1])


def test_random_affine_parameter_ranges():
    t = RandomAffine(10, translate=(0.25, 0.5), scale=(0.9, 1.1), generator=torch.Generator())
    draws = [t.get_params(8, 20) for _ in range(500)]
    angles = np.array([d[0] for d in draws])
    shifts = np.array([d[1] for d in draws])
    zooms = np.array([d[2] for d in draws])
    assert -10 <= angles.min() < -9 and 9 < angles.max() <= 10
    assert np.array_equal(shifts, np.round(shifts))  # whole pixels, as torchvision does
    assert np.abs(shifts[:, 0]).max() == 5 and np.abs(shifts[:, 1]).max() == 4
    assert 0.9 <= zooms.min() and zooms.max() <= 1.1


def test_random_resized_crop_shapes_repeatability_and_fallback():
    x = torch.rand(3, 20, 30)
    crop = RandomResizedCrop(16, scale=(0.3, 0.6), generator=torch.Generator().manual_seed(0))
    out = crop(x)
    assert out.shape == (3, 16, 16)
    for _ in range(50):
        top, left, h, w = crop.get_params(20, 30)
        assert 0 <= top <= 20 - h and 0 <= left <= 30 - w
        assert 0.25 * 600 <= h * w <= 0.65 * 600
    again = RandomResizedCrop(16, scale=(0.3, 0.6), generator=torch.Generator().manual_seed(0))
    assert torch.equal(again(x), out)
    # an impossible aspect ratio falls back to the central crop
    tall = RandomResizedCrop(8, scale=(1.0, 1.0), ratio=(4.0, 5.0))
    assert tall.get_params(20, 30) == (6, 0, 8, 30)
    whole = RandomResizedCrop((20, 30), scale=(1, 1), ratio=(1.5, 1.5))
    assert torch.equal(whole(x), x)


def test_resize_grayscale_compose():
    x = torch.rand(2, 3, 10, 20)
    assert Resize((5, 4))(x).shape == (2, 3, 5, 4)
    assert Resize(5)(x).shape == (2, 3, 5, 10)  # the shorter side becomes 5
    assert Resize(5)(x[0].transpose(-1, -2)).shape == (3, 10, 5)
    rgb = torch.tensor([1.0, 0.5, 0.0]).view(3, 1, 1).expand(3, 2, 2)
    assert torch.allclose(Grayscale()(rgb), torch.full((1, 2, 2), 0.299 + 0.5 * 0.587))
    assert Grayscale(3)(rgb).shape == (3, 2, 2)
    pipeline = Compose([Grayscale(), Resize((4, 4)), RandomHorizontalFlip(p=1.0)])
    assert pipeline(x).shape == (2, 1, 4, 4)
    assert "Grayscale" in repr(pipeline) and "Resize(size=(4, 4))" in repr(pipeline)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: RandomHorizontalFlip(p=1.5), ValueError, "probability"),
        (lambda: RandomHorizontalFlip(generator=0), TypeError, "Generator"),
        (lambda: RandomAffine(-5), ValueError, "degrees"),
        (lambda: RandomAffine(5, translate=(0.2,)), TypeError, "pair"),
        (lambda: RandomAffine(5, translate=(0.2, 1.5)), ValueError, "translate"),
        (lambda: RandomAffine(5, scale=(1.2, 0.8)), ValueError, "low <= high"),
        (lambda: RandomAffine(5, scale=(0, 1)), ValueError, "positive"),
        (lambda: RandomAffine(5, interpolation="cubic"), ValueError, "interpolation"),
        (lambda: RandomResizedCrop(0), ValueError, "size"),
        (lambda: RandomResizedCrop(8, scale=(0.5, 2)), ValueError, "scale"),
        (lambda: Resize(-1), ValueError, "size"),
        (lambda: Grayscale(2), ValueError, "num_output_channels"),
        (lambda: Compose([RandomHorizontalFlip(), "crop"]), TypeError, "callable"),
    ],
)
def test_transforms_reject_bad_settings(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    ("transform", "image", "error", "match"),
    [
        (hflip, np.zeros((3, 4, 4)), TypeError, "tensor"),
        (RandomAffine(5), torch.zeros(4, 4), ValueError, r"\(C, H, W\)"),
        (RandomAffine(5), torch.zeros(3, 4, 4, dtype=torch.uint8), TypeError, "255"),
        (Grayscale(), torch.zeros(1, 4, 4), ValueError, "3 colour channels"),
        (lambda x: affine(x, 0, (0, 0), 0.0), torch.zeros(3, 4, 4), ValueError, "scale"),
    ],
)
def test_transforms_reject_bad_images(transform, image, error, match):
    with pytest.raises(error, match=match):
        transform(image)
