"""Chapter 6, tabular data and health: the AUC as a ranking probability, the Brier score,
precision and recall at a threshold."""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, as_floats, exercise, expect_close, solution

__all__: list[str] = []


def _cases():
    rng = np.random.default_rng(3)
    labels = np.array([1, 0, 1, 1, 0, 0, 0, 1, 0, 0])
    scores = np.round(rng.uniform(size=10), 2)
    scores[3] = scores[4]  # a tie between a positive and a negative
    yield scores, labels
    yield np.array([0.9, 0.8, 0.3, 0.1]), np.array([1, 1, 0, 0])  # perfect ranking
    yield np.array([0.2, 0.9, 0.4]), np.array([1, 0, 0])  # the positive ranked last


@exercise("ch06.auc_by_ranking", success="Your AUC matches scikit-learn's roc_auc_score.")
def _(auc_by_ranking):
    from sklearn.metrics import roc_auc_score

    for scores, labels in _cases():
        what = f"auc_by_ranking({scores.tolist()}, {labels.tolist()})"
        pos, neg = scores[labels == 1], scores[labels == 0]
        strict = np.mean(pos[:, None] > neg[None, :])
        expect_close(
            auc_by_ranking(scores.copy(), labels.copy()),
            roc_auc_score(labels, scores),
            what,
            "Compare every positive score with every negative one: count the pairs where the "
            "positive is higher, add half the ties, divide by the number of pairs.",
            atol=1e-9,
            mistakes=[
                (strict, "Ties count as half a win: add 0.5 * np.mean(pos == neg) over pairs."),
                (1 - strict, "Count the pairs where the *positive* score is the higher one."),
            ],
        )


@solution("ch06.auc_by_ranking")
def auc_by_ranking(scores, labels):
    pos, neg = scores[labels == 1], scores[labels == 0]
    wins = pos[:, None] > neg[None, :]
    ties = pos[:, None] == neg[None, :]
    return np.mean(wins + 0.5 * ties)


@exercise("ch06.brier", success="That is the Brier score.")
def _(brier):
    for p, y in (
        (np.array([0.9, 0.2, 0.6, 0.5]), np.array([1, 0, 0, 1])),
        (np.array([1.0, 0.0]), np.array([1, 0])),
    ):
        what = f"brier({p.tolist()}, {y.tolist()})"
        expect_close(
            brier(p.copy(), y.copy()),
            np.mean((p - y) ** 2),
            what,
            "The mean over the samples of (p - y) squared.",
            atol=1e-12,
            mistakes=[
                (np.sum((p - y) ** 2), "Average over the samples instead of summing."),
                (np.mean(np.abs(p - y)), "Square the differences; |p - y| is another score."),
                (np.sqrt(np.mean((p - y) ** 2)), "No square root."),
            ],
        )


@solution("ch06.brier")
def brier(p, y):
    return np.mean((p - y) ** 2)


@exercise("ch06.precision_recall_at", success="Precision and recall are right at every threshold.")
def _(precision_recall_at):
    scores = np.array([0.95, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2])
    labels = np.array([1, 0, 1, 1, 0, 1, 0])
    for t in (0.7, 0.5, 0.99, 0.3):
        flagged = scores >= t
        tp = np.sum(flagged & (labels == 1))
        precision = tp / flagged.sum() if flagged.any() else 1.0
        recall = tp / np.sum(labels == 1)
        what = f"precision_recall_at(scores, labels, {t})"
        got = precision_recall_at(scores.copy(), labels.copy(), t)
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        got = as_floats(got, what, "Return a pair (precision, recall).")
        if got.shape != (2,):
            raise Fail(f"{what} returned {got}.", "Return a pair (precision, recall).")
        if not np.all(np.isfinite(got)):
            raise Fail(
                f"{what} returned {got}.",
                "When nothing is flagged, 0/0 is undefined: return a precision of 1.0.",
            )
        above = scores > t
        tp_strict = np.sum(above & (labels == 1))
        strict = (tp_strict / above.sum() if above.any() else 1.0, tp_strict / labels.sum())
        expect_close(
            got,
            [precision, recall],
            what,
            "precision = TP / (number flagged), recall = TP / (number of positives).",
            atol=1e-12,
            mistakes=[
                ([recall, precision], "The pair is (precision, recall), in that order."),
                (strict, "A score equal to the threshold is flagged too (>=, not >)."),
            ],
        )


@solution("ch06.precision_recall_at")
def precision_recall_at(scores, labels, threshold):
    flagged = scores >= threshold
    tp = np.sum(flagged & (labels == 1))
    precision = tp / flagged.sum() if flagged.any() else 1.0
    return precision, tp / np.sum(labels == 1)
