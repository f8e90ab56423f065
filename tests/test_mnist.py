"""The MNIST loader (nnlib.mnist), tested offline on small IDX files the tests write.

Downloads go through ``file://`` addresses of a temporary folder, so the whole path (fetch,
checksum, cache, read) runs without a network.
"""

from __future__ import annotations

import gzip
import hashlib

import numpy as np
import pytest

from nnlib.mnist import MnistError, cache_dir, load_mnist, read_idx


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    header = bytes([0, 0, code, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    return header + array.astype(">u1" if code == 0x08 else ">i4").tobytes()


@pytest.fixture
def mirror(tmp_path):
    """A folder of tiny gzipped IDX files standing in for the MNIST mirror, with their table."""
    rng = np.random.default_rng(0)
    src = tmp_path / "mirror"
    src.mkdir()
    table = {}
    for split, n in (("train", 6), ("test", 3)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        entries = []
        for kind, arr in (("images", images), ("labels", labels)):
            name = f"{split}-{kind}.gz"
            data = gzip.compress(idx_bytes(arr))
            (src / name).write_bytes(data)
            entries.append((name, hashlib.md5(data).hexdigest()))
        table[split] = tuple(entries)
    return src, table


def test_read_idx_roundtrip(tmp_path):
    arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    raw = tmp_path / "a.idx"
    raw.write_bytes(idx_bytes(arr))
    assert np.array_equal(read_idx(raw), arr)
    gz = tmp_path / "a.idx.gz"
    gz.write_bytes(gzip.compress(idx_bytes(arr)))
    assert np.array_equal(read_idx(gz), arr)
    ints = np.array([1, -2, 300], dtype=np.int32)
    (tmp_path / "i.idx").write_bytes(idx_bytes(ints, code=0x0C))
    assert read_idx(tmp_path / "i.idx").tolist() == [1, -2, 300]


def test_download_verify_cache_and_read(mirror, tmp_path):
    src, table = mirror
    cache = tmp_path / "cache"
    images, labels = load_mnist("train", cache=cache, mirror=src.as_uri() + "/", files=table)
    assert images.shape == (6, 28, 28) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and labels.shape == (6,)
    assert sorted(p.name for p in cache_dir(cache).iterdir()) == [
        "train-images.gz",
        "train-labels.gz",
    ]
    # Second call: from the cache, even with the mirror gone and downloads off.
    for f in src.iterdir():
        f.unlink()
    again, _ = load_mnist("train", cache=cache, download=False, files=table)
    assert np.array_equal(images, again)


def test_offline_without_a_cached_copy_says_what_to_do(mirror, tmp_path):
    _, table = mirror
    with pytest.raises(MnistError, match="cannot download .*load_digits"):
        load_mnist(
            "test", cache=tmp_path / "c", mirror=(tmp_path / "nowhere").as_uri() + "/", files=table
        )
    assert not any((tmp_path / "c" / "mnist").glob("*.part")), "no partial file left behind"
    with pytest.raises(MnistError, match="missing and download=False"):
        load_mnist("test", cache=tmp_path / "c", download=False, files=table)


def test_damaged_cached_file_is_refused(mirror, tmp_path):
    src, table = mirror
    cache = tmp_path / "cache"
    load_mnist("test", cache=cache, mirror=src.as_uri() + "/", files=table)
    victim = cache_dir(cache) / "test-images.gz"
    victim.write_bytes(victim.read_bytes()[:-10])
    with pytest.raises(MnistError, match="damaged .*MD5"):
        load_mnist("test", cache=cache, files=table)


def test_damaged_download_is_refused(mirror, tmp_path):
    src, table = mirror
    bad = {"test": ((table["test"][0][0], "0" * 32), table["test"][1])}
    with pytest.raises(MnistError, match="download of .* is damaged"):
        load_mnist("test", cache=tmp_path / "c", mirror=src.as_uri() + "/", files=bad)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "not an IDX file"),
        (b"PK\x03\x04junk", "not an IDX file"),
        (bytes([0, 0, 8, 3]) + (2).to_bytes(4, "big"), "header is incomplete"),
        (bytes([0, 0, 8, 1]) + (5).to_bytes(4, "big") + b"abc", "truncated or damaged"),
    ],
)
def test_read_idx_rejects_damaged_files(tmp_path, content, match):
    path = tmp_path / "f.idx"
    path.write_bytes(content)
    with pytest.raises(MnistError, match=match):
        read_idx(path)


def test_read_idx_rejects_a_broken_gzip(tmp_path):
    path = tmp_path / "f.idx.gz"
    path.write_bytes(gzip.compress(b"\x00\x00\x08\x01" + bytes(20))[:15])
    with pytest.raises(MnistError, match="cannot read"):
        read_idx(path)


def test_unknown_split():
    with pytest.raises(ValueError, match="split must be one of"):
        load_mnist("validation")


def test_cache_dir_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NNLIB_CACHE", str(tmp_path))
    assert cache_dir() == tmp_path / "mnist"
