"""Text as numbers: a shipped corpus, vocabularies, padding and next-token windows.

Taught in: Chapter 6, Applications (language: sentiment where word order matters, and a
character-level language model).

A network reads integers, not letters. Turning text into integers takes three small steps,
each a function here:

1. cut the text into **tokens** (:func:`tokenize` for words; a string is already a sequence
   of characters);
2. give every distinct token an **id** (:class:`Vocabulary`, with ``encode``/``decode``);
3. arrange the ids for training: sentences of different lengths padded to one length
   (:func:`pad_left`), or a long text cut into windows whose targets are the same ids
   shifted by one step (:func:`next_token_windows`), which is what a language model learns.

Two data sets come with it, so the chapter runs offline: a generated set of short film
reviews whose meaning hangs on negation and word order (:func:`negation_reviews`), and a
public-domain novel shipped inside the package (:func:`load_corpus`).

Numpy only; the models that read these ids are in the notebook (PyTorch).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import NamedTuple

import numpy as np

from nnlib._validate import as_rng, describe

__all__ = [
    "CORPORA",
    "Reviews",
    "Vocabulary",
    "load_corpus",
    "negation_reviews",
    "next_token_windows",
    "pad_left",
    "tokenize",
]

#: The corpora shipped in ``nnlib/corpora/`` (name -> where the text comes from). All are in
#: the public domain; ``nnlib/corpora/README.md`` records the sources in full.
CORPORA: dict[str, str] = {
    "pride_and_prejudice": (
        "Jane Austen, Pride and Prejudice (1813), title and chapters 1-18 (180,876 "
        "characters, ASCII), as distributed by Project Gutenberg and taken from the Debian "
        "package r-cran-janeaustenr 1.0.0-1 (the R package janeaustenr 1.0.0 by Julia Silge)"
    ),
}


def load_corpus(name: str = "pride_and_prejudice") -> str:
    """Return the text of a corpus shipped inside nnlib (no download).

    Taught in: Chapter 6, Applications (a character-level language model).

    Parameters
    ----------
    name : str, default "pride_and_prejudice"
        A key of :data:`CORPORA`.

    Returns
    -------
    str
        The whole text, with ``"\\n"`` line ends.

    Examples
    --------
    >>> load_corpus()[:19]
    'PRIDE AND PREJUDICE'
    """
    if name not in CORPORA:
        raise ValueError(
            f"load_corpus: unknown corpus {name!r}; the shipped corpora are {sorted(CORPORA)}"
        )
    path = resources.files("nnlib").joinpath("corpora", f"{name}.txt")
    return path.read_text(encoding="utf-8")


_TOKEN = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")


def tokenize(text: str) -> list[str]:
    """Split a sentence into lower-case words and punctuation marks.

    Taught in: Chapter 6, Applications (sentiment where word order matters).

    Words are runs of letters, digits and apostrophes; every other non-space character
    (a comma, a full stop) is a token of its own.

    Examples
    --------
    >>> tokenize("The film was good, not bad.")
    ['the', 'film', 'was', 'good', ',', 'not', 'bad', '.']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize: text must be a str; got {describe(text)}")
    return _TOKEN.findall(text.lower())


class Vocabulary:
    """A two-way mapping between tokens (words or characters) and integer ids.

    Taught in: Chapter 6, Applications (language).

    The distinct tokens are sorted, so the same tokens always give the same ids. With
    ``pad``, that extra token gets id 0, reserved for padding (:func:`pad_left`).

    Parameters
    ----------
    tokens : iterable of str
        Every token seen (repeats are fine). A string counts as its characters, so
        ``Vocabulary(text)`` is a character vocabulary.
    pad : str, optional
        A padding token, given id 0.

    Attributes
    ----------
    tokens : list of str
        The token of each id: ``tokens[i]`` has id ``i``.
    index : dict of str to int
        The id of each token.

    Examples
    --------
    >>> vocab = Vocabulary("hello")
    >>> vocab.tokens
    ['e', 'h', 'l', 'o']
    >>> vocab.encode("hole").tolist()
    [1, 3, 2, 0]
    >>> vocab.decode([1, 0, 2, 2, 3])
    'hello'
    """

    def __init__(self, tokens: Iterable[str], pad: str | None = None):
        if isinstance(tokens, (bytes, np.ndarray)) or not isinstance(tokens, Iterable):
            raise TypeError(
                f"Vocabulary: tokens must be a str or an iterable of str; got {describe(tokens)}"
            )
        distinct = set(tokens)
        bad = [t for t in distinct if not isinstance(t, str)]
        if bad:
            raise TypeError(f"Vocabulary: every token must be a str; got {bad[0]!r}")
        if pad is not None:
            if not isinstance(pad, str):
                raise TypeError(f"Vocabulary: pad must be a str; got {describe(pad)}")
            distinct.discard(pad)
        self.tokens: list[str] = ([pad] if pad is not None else []) + sorted(distinct)
        if not self.tokens:
            raise ValueError("Vocabulary: no tokens given")
        self.pad = pad
        self.index: dict[str, int] = {t: i for i, t in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token) -> bool:
        return token in self.index

    def __repr__(self) -> str:
        head = ", ".join(repr(t) for t in self.tokens[:5])
        more = ", ..." if len(self) > 5 else ""
        return f"Vocabulary({len(self)} tokens: {head}{more})"

    def encode(self, tokens: Iterable[str]) -> np.ndarray:
        """The ids of ``tokens`` (a string: of its characters), as an int64 array.

        Raises ``ValueError`` naming the tokens that are not in the vocabulary.
        """
        if isinstance(tokens, bytes) or not isinstance(tokens, Iterable):
            raise TypeError(
                f"Vocabulary.encode: expected a str or an iterable of str; got {describe(tokens)}"
            )
        tokens = list(tokens)
        unknown = sorted({t for t in tokens if t not in self.index}, key=str)
        if unknown:
            raise ValueError(
                f"Vocabulary.encode: {len(unknown)} token(s) not in the vocabulary: {unknown[:10]}"
            )
        return np.array([self.index[t] for t in tokens], dtype=np.int64)

    def decode(self, ids, sep: str = "") -> str:
        """The tokens of ``ids`` joined by ``sep`` (``""`` for characters, ``" "`` for words)."""
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu" or ids.ndim != 1:
            raise TypeError(
                f"Vocabulary.decode: ids must be a 1-D array of integers; got {describe(ids)}"
            )
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(
                f"Vocabulary.decode: ids must lie in [0, {len(self) - 1}]; "
                f"got values from {ids.min()} to {ids.max()}"
            )
        return sep.join(self.tokens[i] for i in ids.tolist())


def pad_left(sequences: Sequence, length: int | None = None, value: int = 0) -> np.ndarray:
    """Stack id sequences of different lengths into one array, padding on the left.

    Taught in: Chapter 6, Applications (sentiment where word order matters).

    Padding goes *before* the tokens so that every sequence ends at the last column: a
    recurrent network that reads left to right and classifies from its final state then
    sees the real words last.

    Parameters
    ----------
    sequences : sequence of 1-D integer arrays or lists
    length : int, optional
        The width of the result (default: the longest sequence).
    value : int, default 0
        The padding id (``Vocabulary(..., pad=...)`` gives the pad token id 0).

    Returns
    -------
    ndarray of shape (len(sequences), length), int64

    Examples
    --------
    >>> pad_left([[5, 6, 7], [8]]).tolist()
    [[5, 6, 7], [0, 0, 8]]
    """
    if isinstance(sequences, (str, bytes)) or not isinstance(sequences, Sequence):
        if not isinstance(sequences, np.ndarray):
            raise TypeError(f"pad_left: expected a list of id sequences; got {describe(sequences)}")
    rows = [np.asarray(s) for s in sequences]
    if not rows:
        raise ValueError("pad_left: no sequences given")
    for i, r in enumerate(rows):
        if r.ndim != 1 or (r.size and r.dtype.kind not in "iu"):
            raise TypeError(
                f"pad_left: sequence {i} must be a 1-D list of integer ids; got {describe(r)}"
            )
    longest = max(len(r) for r in rows)
    if length is None:
        length = longest
    elif isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"pad_left: length must be a positive integer; got {length!r}")
    elif longest > length:
        raise ValueError(f"pad_left: a sequence has {longest} ids, more than length={length}")
    out = np.full((len(rows), int(length)), value, dtype=np.int64)
    for i, r in enumerate(rows):
        if len(r):
            out[i, -len(r) :] = r
    return out


def next_token_windows(ids, length: int, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Cut a long id sequence into (input, target) windows for a language model.

    Taught in: Chapter 6, Applications (a character-level language model).

    Window :math:`i` starts at :math:`s = i \\cdot \\text{step}`; its input is
    ``ids[s : s + length]`` and its target the same span shifted by one,
    ``ids[s + 1 : s + length + 1]``: at every position the model is asked for the next token.

    Parameters
    ----------
    ids : 1-D array_like of int
        The encoded text.
    length : int
        Tokens per window.
    step : int, optional
        Distance between window starts (default ``length``: windows that do not overlap).

    Returns
    -------
    X, y : ndarrays of shape (n_windows, length), int64

    Examples
    --------
    >>> X, y = next_token_windows([0, 1, 2, 3, 4, 5, 6], length=3)
    >>> X.tolist(), y.tolist()
    ([[0, 1, 2], [3, 4, 5]], [[1, 2, 3], [4, 5, 6]])
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise TypeError(
            f"next_token_windows: ids must be a 1-D array of integer ids; got {describe(ids)}"
        )
    step = length if step is None else step
    for name, value in (("length", length), ("step", step)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(
                f"next_token_windows: {name} must be a positive integer; got {value!r}"
            )
    n = (len(ids) - length - 1) // step + 1 if len(ids) > length else 0
    if n < 1:
        raise ValueError(
            f"next_token_windows: {len(ids)} ids are too few for windows of length {length} "
            f"(it needs at least {length + 1})"
        )
    starts = np.arange(n) * step
    X = ids[starts[:, None] + np.arange(length)].astype(np.int64)
    y = ids[starts[:, None] + np.arange(1, length + 1)].astype(np.int64)
    return X, y


class Reviews(NamedTuple):
    """Short generated film reviews (see :func:`negation_reviews`)."""

    #: the sentences, such as ``"the plot was not bad at all"``
    texts: list[str]
    #: 1 for a positive review, 0 for a negative one
    labels: np.ndarray
    #: ``"plain"``, ``"negated"`` or ``"contrast"`` for each sentence
    kinds: np.ndarray


_SUBJECTS = ("the film", "the movie", "the plot", "the acting", "the story", "the music")
_VERBS = ("was", "is")
_INTENSIFIERS = ("", "very ", "really ")
#: Adjectives and their polarity (1 positive, 0 negative).
_POSITIVE = ("good", "great", "fine", "brilliant", "wonderful")
_NEGATIVE = ("bad", "awful", "boring", "dull", "terrible")


def negation_reviews(rng=0) -> Reviews:
    """Every sentence of three templates whose sentiment depends on negation and order.

    Taught in: Chapter 6, Applications (sentiment where word order matters).

    The subject is one of six ("the film", "the plot", ...), the verb "was" or "is", and
    the adjective one of five positive and five negative words. The three kinds:

    - ``"plain"``: "the film was (very/really) good": the adjective's sentiment;
    - ``"negated"``: "the film was not (very/really) good", or "... not bad at all": the
      opposite of the adjective's sentiment;
    - ``"contrast"``: "the film was good, not bad": the sentiment of the adjective that is
      asserted, the *first* one. Its mirror "the film was bad, not good" has exactly the
      same words, in another order, and the opposite label.

    Parameters
    ----------
    rng : int, numpy.random.Generator or None, default 0
        Shuffles the order of the sentences (the set itself is always the same).

    Returns
    -------
    Reviews
        ``texts`` (1,440 sentences: 360 plain, 480 negated, 600 contrast), ``labels``
        (int64, 1 positive) and ``kinds``.
    """
    gen = as_rng(rng)
    polarity = {**dict.fromkeys(_POSITIVE, 1), **dict.fromkeys(_NEGATIVE, 0)}
    rows: list[tuple[str, int, str]] = []
    for subject in _SUBJECTS:
        for verb in _VERBS:
            start = f"{subject} {verb}"
            for adj, pol in polarity.items():
                for very in _INTENSIFIERS:
                    rows.append((f"{start} {very}{adj}", pol, "plain"))
                    rows.append((f"{start} not {very}{adj}", 1 - pol, "negated"))
                rows.append((f"{start} not {adj} at all", 1 - pol, "negated"))
                for other, other_pol in polarity.items():
                    if other_pol != pol:
                        rows.append((f"{start} {adj}, not {other}", pol, "contrast"))
    order = gen.permutation(len(rows))
    texts = [rows[i][0] for i in order]
    labels = np.array([rows[i][1] for i in order], dtype=np.int64)
    kinds = np.array([rows[i][2] for i in order])
    return Reviews(texts, labels, kinds)
