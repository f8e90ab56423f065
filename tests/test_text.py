"""nnlib.text: the shipped corpus, vocabularies, padding, next-token windows, the reviews."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import numpy as np
import pytest
from conftest import ROOT

from nnlib.text import (
    CORPORA,
    Vocabulary,
    load_corpus,
    negation_reviews,
    next_token_windows,
    pad_left,
    tokenize,
)

SHA256 = "7a4c6f1626d62a346a1a2712a5abae08f4083c988c524071b4e9d8b3a9e1d146"


# --- the corpus ------------------------------------------------------------------------------


def test_corpus_is_the_recorded_file():
    text = load_corpus("pride_and_prejudice")
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == SHA256
    assert len(text) == 180_876 and text.isascii()
    assert text.startswith("PRIDE AND PREJUDICE\n\nBy Jane Austen")
    assert "It is a truth universally acknowledged" in text
    assert "\nChapter 18\n" in text and "Chapter 19" not in text


def test_corpus_is_small_and_its_source_is_recorded():
    path = ROOT / "nnlib" / "corpora" / "pride_and_prejudice.txt"
    assert path.stat().st_size <= 200_000
    readme = (ROOT / "nnlib" / "corpora" / "README.md").read_text()
    for fact in ("Jane Austen", "1813", "public domain", "r-cran-janeaustenr", "1.0.0-1", SHA256):
        assert fact in readme
    assert "Project Gutenberg" in CORPORA["pride_and_prejudice"]


def test_corpus_is_package_data():
    """pyproject.toml ships the texts in the wheel (pip users and Colab get them)."""
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = meta["tool"]["setuptools"]["package-data"]["nnlib"]
    assert "corpora/*.txt" in globs


def test_unknown_corpus():
    with pytest.raises(ValueError, match="pride_and_prejudice"):
        load_corpus("moby_dick")


# --- tokens and vocabularies -----------------------------------------------------------------


def test_tokenize():
    assert tokenize("The film was good, not bad.") == [
        "the",
        "film",
        "was",
        "good",
        ",",
        "not",
        "bad",
        ".",
    ]
    assert tokenize("Don't   stop!") == ["don't", "stop", "!"]
    assert tokenize("") == []
    with pytest.raises(TypeError, match="str"):
        tokenize(["a", "b"])


def test_character_vocabulary_round_trip():
    text = load_corpus()[:5000]
    vocab = Vocabulary(text)
    assert vocab.tokens == sorted(set(text))
    ids = vocab.encode(text)
    assert ids.dtype == np.int64 and ids.shape == (5000,)
    assert vocab.decode(ids) == text
    assert len(vocab) == len(set(text)) and "e" in vocab and "#" not in vocab


def test_word_vocabulary_with_padding():
    vocab = Vocabulary(["not", "bad", "good", "not"], pad="<pad>")
    assert vocab.tokens == ["<pad>", "bad", "good", "not"]
    assert vocab.index["<pad>"] == 0 and vocab.pad == "<pad>"
    assert vocab.encode(["not", "good"]).tolist() == [3, 2]
    assert vocab.decode(np.array([3, 1]), sep=" ") == "not bad"
    assert "4 tokens" in repr(vocab)


def test_vocabulary_is_deterministic():
    assert Vocabulary("cab").tokens == Vocabulary("bca").tokens == ["a", "b", "c"]


def test_vocabulary_errors():
    vocab = Vocabulary("abc")
    with pytest.raises(ValueError, match=r"not in the vocabulary: \['z'\]"):
        vocab.encode("abz")
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        vocab.decode([0, 3])
    with pytest.raises(TypeError, match="integers"):
        vocab.decode([0.5, 1.0])
    with pytest.raises(TypeError, match="str"):
        Vocabulary([1, 2])
    with pytest.raises(TypeError):
        Vocabulary(b"bytes")
    with pytest.raises(TypeError):
        Vocabulary(42)
    with pytest.raises(ValueError, match="no tokens"):
        Vocabulary("")
    with pytest.raises(TypeError, match="pad"):
        Vocabulary("ab", pad=0)
    with pytest.raises(TypeError):
        vocab.encode(5)


# --- padding ---------------------------------------------------------------------------------


def test_pad_left():
    out = pad_left([[5, 6, 7], [8], np.array([1, 2])])
    assert out.dtype == np.int64
    assert out.tolist() == [[5, 6, 7], [0, 0, 8], [0, 1, 2]]
    assert pad_left([[1], []], length=3, value=9).tolist() == [[9, 9, 1], [9, 9, 9]]


def test_pad_left_errors():
    with pytest.raises(ValueError, match="more than length=2"):
        pad_left([[1, 2, 3]], length=2)
    with pytest.raises(ValueError, match="no sequences"):
        pad_left([])
    with pytest.raises(TypeError, match="integer ids"):
        pad_left([[0.5, 1.5]])
    with pytest.raises(TypeError, match="integer ids"):
        pad_left([[[1, 2]]])
    with pytest.raises(TypeError):
        pad_left("abc")
    with pytest.raises(ValueError, match="positive"):
        pad_left([[1]], length=0)


# --- next-token windows ----------------------------------------------------------------------


def test_next_token_windows():
    X, y = next_token_windows(np.arange(7), length=3)
    assert X.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert y.tolist() == [[1, 2, 3], [4, 5, 6]]
    X, y = next_token_windows(np.arange(7), length=3, step=1)
    assert len(X) == 4 and X[-1].tolist() == [3, 4, 5] and y[-1].tolist() == [4, 5, 6]
    X, y = next_token_windows([0, 1, 2, 3], length=3)
    assert X.shape == (1, 3) and y.tolist() == [[1, 2, 3]]


@pytest.mark.parametrize("n, length, step", [(100, 10, 10), (101, 10, 3), (64, 63, 5), (50, 7, 1)])
def test_targets_are_inputs_shifted_by_one(n, length, step):
    ids = np.random.default_rng(n).integers(0, 20, n)
    X, y = next_token_windows(ids, length, step)
    assert X.dtype == y.dtype == np.int64 and X.shape == y.shape
    assert np.array_equal(X[:, 1:], y[:, :-1])
    # every window lies inside the text, and one more would not fit
    starts = np.arange(len(X)) * step
    assert np.array_equal(X[:, 0], ids[starts]) and np.array_equal(y[:, -1], ids[starts + length])
    assert starts[-1] + step + length + 1 > n


def test_next_token_windows_errors():
    with pytest.raises(ValueError, match="too few"):
        next_token_windows(np.arange(3), length=3)
    with pytest.raises(ValueError, match="length"):
        next_token_windows(np.arange(10), length=0)
    with pytest.raises(ValueError, match="step"):
        next_token_windows(np.arange(10), length=2, step=0)
    with pytest.raises(TypeError, match="integer ids"):
        next_token_windows(np.linspace(0, 1, 10), length=2)
    with pytest.raises(TypeError, match="1-D"):
        next_token_windows(np.zeros((3, 4), dtype=int), length=2)


# --- the generated reviews -------------------------------------------------------------------


def test_reviews_counts_and_determinism():
    a, b = negation_reviews(rng=0), negation_reviews(rng=0)
    assert a.texts == b.texts and np.array_equal(a.labels, b.labels)
    assert Counter(a.kinds.tolist()) == {"plain": 360, "negated": 480, "contrast": 600}
    assert len(set(a.texts)) == 1440 and a.labels.dtype == np.int64
    assert sorted(negation_reviews(rng=1).texts) == sorted(a.texts)
    assert abs(a.labels.mean() - 0.5) < 1e-12  # balanced


def test_reviews_labels_follow_negation_and_order():
    r = negation_reviews()
    label = dict(zip(r.texts, r.labels.tolist(), strict=True))
    assert label["the film was good"] == 1 and label["the film was not good"] == 0
    assert label["the plot is not bad at all"] == 1
    assert label["the acting was really brilliant"] == 1
    assert label["the music is not very dull"] == 1
    assert label["the story was good, not bad"] == 1 and label["the story was bad, not good"] == 0
    # every contrast sentence has its mirror (same words, other order) with the other label
    for text, kind in zip(r.texts, r.kinds, strict=True):
        if kind == "contrast":
            mirror = re.sub(r"(\w+), not (\w+)$", r"\2, not \1", text)
            assert sorted(tokenize(mirror)) == sorted(tokenize(text))
            assert label[mirror] == 1 - label[text]
