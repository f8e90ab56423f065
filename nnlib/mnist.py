"""MNIST, for readers who have a network: download once, verify, cache, read the IDX files.

Taught in: Chapter 6, Applications (the dense digit classifier).

The book itself never downloads anything: its notebooks run on scikit-learn's 8x8 digits,
which ship inside the package. MNIST (70,000 handwritten digits of 28x28 pixels) is the
dataset the classic examples use, and this module fetches it for readers who want the real
thing: the four files are downloaded once into a cache folder, checked against their
published MD5 checksums, and read from the cache ever after (offline too).

The files use the IDX format: a 4-byte magic number (two zero bytes, a type code, ``0x08``
for unsigned bytes, and the number of dimensions), one big-endian 32-bit size per dimension,
then the values in C order. :func:`read_idx` reads any such file, gzipped or not.

Examples
--------
>>> from nnlib.mnist import load_mnist              # doctest: +SKIP
>>> images, labels = load_mnist("train")            # doctest: +SKIP
>>> images.shape, images.dtype, labels[:5]          # doctest: +SKIP
((60000, 28, 28), dtype('uint8'), array([5, 0, 4, 1, 9]))
"""

from __future__ import annotations

import gzip
import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

__all__ = ["FILES", "MIRROR", "MnistError", "cache_dir", "load_mnist", "read_idx"]

#: Where the files are fetched from (a mirror of the original distribution).
MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"

#: The four files of each split and their published MD5 checksums.
FILES = {
    "train": (
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
    ),
    "test": (
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ),
}

_IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class MnistError(OSError):
    """MNIST could not be loaded: no network, a damaged download or a file that is not IDX."""


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    """The folder that holds downloaded files.

    ``path`` if given, else ``$NNLIB_CACHE``, else ``~/.cache/nnlib``; the ``mnist``
    subfolder of it is created when needed.
    """
    base = Path(path) if path is not None else None
    if base is None:
        env = os.environ.get("NNLIB_CACHE")
        base = Path(env) if env else Path.home() / ".cache" / "nnlib"
    return base.expanduser() / "mnist"


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (optionally gzipped) into a numpy array.

    Parameters
    ----------
    path : str or path-like
        The file; a name ending in ``.gz`` is decompressed.

    Returns
    -------
    numpy.ndarray
        With the file's shape and (native-endian) type: ``uint8`` for MNIST.

    Raises
    ------
    MnistError
        If the file is truncated, too long, or not an IDX file.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as err:
        raise MnistError(f"cannot read {path}: {err} (a damaged download? delete it)") from err
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise MnistError(f"{path} is not an IDX file (its first bytes are {raw[:4]!r})")
    dtype, ndim = _IDX_TYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise MnistError(f"{path} is truncated: its header is incomplete")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise MnistError(
            f"{path} has {len(raw)} bytes but its header promises {expected} "
            f"(shape {shape}): the file is truncated or damaged"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch(name: str, md5: str, folder: Path, mirror: str, download: bool) -> Path:
    """The verified file ``name`` in ``folder``, downloading it first if allowed."""
    target = folder / name
    if target.exists():
        if _md5(target) == md5:
            return target
        raise MnistError(
            f"{target} is damaged (its MD5 checksum is not the published one); delete it "
            "and load again to download a fresh copy"
        )
    if not download:
        raise MnistError(
            f"{target} is missing and download=False; put the MNIST files in {folder} or "
            "allow the download"
        )
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    url = mirror + name
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(partial, "wb") as out:
            while block := response.read(1 << 20):
                out.write(block)
    except (urllib.error.URLError, OSError) as err:
        partial.unlink(missing_ok=True)
        raise MnistError(
            f"cannot download {url} ({err}). Without a network, use the 8x8 digits that "
            "ship with scikit-learn (sklearn.datasets.load_digits), or copy the MNIST files "
            f"into {folder}"
        ) from err
    if _md5(partial) != md5:
        partial.unlink(missing_ok=True)
        raise MnistError(f"the download of {url} is damaged (wrong MD5 checksum); try again")
    partial.replace(target)
    return target


def load_mnist(
    split: str = "train",
    cache: str | os.PathLike | None = None,
    download: bool = True,
    mirror: str = MIRROR,
    files: dict | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The MNIST images and labels of one split, downloaded on first use.

    Taught in: Chapter 6, Applications.

    Parameters
    ----------
    split : {"train", "test"}, default "train"
        60,000 training or 10,000 test digits.
    cache : str or path-like, optional
        The cache folder (see :func:`cache_dir`).
    download : bool, default True
        Download missing files; with False a missing file is an error.
    mirror : str
        The address the file names are appended to.
    files : dict, optional
        Replaces :data:`FILES` (names and checksums), for tests and other mirrors.

    Returns
    -------
    images : numpy.ndarray of uint8, shape (n, 28, 28)
        Pixel intensities from 0 (background) to 255 (ink).
    labels : numpy.ndarray of int64, shape (n,)
        The digit in each image, 0-9.

    Raises
    ------
    MnistError
        Offline with no cached copy, a damaged file, or images and labels that disagree.
    """
    table = FILES if files is None else files
    if split not in table:
        raise ValueError(f"load_mnist: split must be one of {sorted(table)}; got {split!r}")
    folder = cache_dir(cache)
    (img_name, img_md5), (lab_name, lab_md5) = table[split]
    images = read_idx(_fetch(img_name, img_md5, folder, mirror, download))
    labels = read_idx(_fetch(lab_name, lab_md5, folder, mirror, download))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise MnistError(
            f"MNIST {split}: images of shape {images.shape} do not match labels of shape "
            f"{labels.shape}"
        )
    return images, labels.astype(np.int64)
