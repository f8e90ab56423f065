"""Fairness metrics: how a classifier's decisions and errors differ between groups of people.

Taught in: Chapter 7, Frontiers (ethics: bias measured).

Every function takes the decisions ``y_pred`` (0 or 1, one per person), the true outcomes
``y_true`` where a metric needs them (0 or 1), and ``group``, the group each person belongs
to (any values: integers, strings). Three rates describe a group :math:`g`:

- the **selection rate** :math:`P(\\hat y = 1 \\mid g)`, the share of the group that gets the
  positive decision (a loan, an interview);
- the **true-positive rate** :math:`P(\\hat y = 1 \\mid y = 1, g)`, the share of the group's
  deserving cases that get it;
- the **false-positive rate** :math:`P(\\hat y = 1 \\mid y = 0, g)`, the share of the group's
  other cases that get it anyway.

**Demographic parity** asks for equal selection rates; **equalised odds** asks for equal
true- and false-positive rates (Hardt, Price and Srebro, 2016); **equal opportunity** asks
only for equal true-positive rates. The gaps below are the largest difference between any
two groups (0 means the criterion holds exactly), as in Fairlearn's
``demographic_parity_difference`` and ``equalized_odds_difference``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "demographic_parity_gap",
    "equal_opportunity_gap",
    "equalized_odds_gap",
    "group_rates",
    "group_thresholds",
]


def _binary(values, name: str, where: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{where}: {name} must be 1-D (one value per person); got {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{where}: {name} is empty")
    if arr.dtype == bool:
        return arr.astype(np.int64)
    if not np.issubdtype(arr.dtype, np.number) or not np.isin(arr, (0, 1)).all():
        raise ValueError(f"{where}: {name} must hold only 0 and 1 (or booleans)")
    return arr.astype(np.int64)


def _groups(group, n: int, where: str) -> np.ndarray:
    arr = np.asarray(group)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(
            f"{where}: group must be 1-D with one entry per person ({n}); got shape {arr.shape}"
        )
    return arr


def _plain(g):
    return g.item() if hasattr(g, "item") else g


def _rate(decisions: np.ndarray, mask: np.ndarray, what: str, g, where: str) -> float:
    if not mask.any():
        g = _plain(g)
        raise ValueError(f"{where}: group {g!r} has no {what}, so its rate is undefined")
    return float(decisions[mask].mean())


def group_rates(y_true, y_pred, group) -> dict:
    """Per group: its size, selection rate, true- and false-positive rates, and accuracy.

    Taught in: Chapter 7, Frontiers (ethics).

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n,)
        True outcomes and decisions, 0 or 1.
    group : array_like of shape (n,)
        The group of each person.

    Returns
    -------
    dict
        ``{g: {"n", "selection_rate", "tpr", "fpr", "accuracy"}}`` for every group ``g``, in
        sorted order of the group values.

    Raises
    ------
    ValueError
        For non-binary labels, mismatched lengths, or a group with no positive or no
        negative cases (its true- or false-positive rate would be undefined).
    """
    where = "group_rates"
    y_true = _binary(y_true, "y_true", where)
    y_pred = _binary(y_pred, "y_pred", where)
    if len(y_true) != len(y_pred):
        raise ValueError(f"{where}: y_true has {len(y_true)} entries, y_pred {len(y_pred)}")
    group = _groups(group, len(y_pred), where)
    rates = {}
    for g in np.unique(group):
        member = group == g
        rates[_plain(g)] = {
            "n": int(member.sum()),
            "selection_rate": float(y_pred[member].mean()),
            "tpr": _rate(y_pred, member & (y_true == 1), "positive cases", g, where),
            "fpr": _rate(y_pred, member & (y_true == 0), "negative cases", g, where),
            "accuracy": float(np.mean(y_pred[member] == y_true[member])),
        }
    return rates


def demographic_parity_gap(y_pred, group) -> float:
    """The largest difference in selection rate :math:`P(\\hat y = 1 \\mid g)` between groups.

    Taught in: Chapter 7, Frontiers (ethics).

    Parameters
    ----------
    y_pred : array_like of shape (n,)
        Decisions, 0 or 1.
    group : array_like of shape (n,)
        The group of each person.

    Returns
    -------
    float
        ``max_g rate(g) - min_g rate(g)``, between 0 and 1.

    Examples
    --------
    >>> demographic_parity_gap([1, 1, 0, 1, 0, 0], ["a", "a", "a", "b", "b", "b"])
    0.3333333333333333
    """
    y_pred = _binary(y_pred, "y_pred", "demographic_parity_gap")
    group = _groups(group, len(y_pred), "demographic_parity_gap")
    rates = [y_pred[group == g].mean() for g in np.unique(group)]
    return float(max(rates) - min(rates))


def equal_opportunity_gap(y_true, y_pred, group) -> float:
    """The largest difference in true-positive rate between groups.

    Taught in: Chapter 7, Frontiers (ethics).

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n,)
        True outcomes and decisions, 0 or 1.
    group : array_like of shape (n,)
        The group of each person; each group needs at least one positive case.

    Returns
    -------
    float
    """
    tpr = [r["tpr"] for r in _rates_for_gap(y_true, y_pred, group, "equal_opportunity_gap")]
    return float(max(tpr) - min(tpr))


def equalized_odds_gap(y_true, y_pred, group) -> float:
    """The larger of the true-positive-rate gap and the false-positive-rate gap.

    Taught in: Chapter 7, Frontiers (ethics).

    Equalised odds holds (gap 0) when every group has the same true-positive rate *and* the
    same false-positive rate: the decisions' errors do not depend on the group once the true
    outcome is known.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n,)
        True outcomes and decisions, 0 or 1.
    group : array_like of shape (n,)
        The group of each person; each group needs positive and negative cases.

    Returns
    -------
    float

    Examples
    --------
    >>> y_true = [1, 1, 0, 0, 1, 1, 0, 0]
    >>> y_pred = [1, 1, 0, 0, 1, 0, 1, 0]
    >>> equalized_odds_gap(y_true, y_pred, [0, 0, 0, 0, 1, 1, 1, 1])
    0.5
    """
    rates = _rates_for_gap(y_true, y_pred, group, "equalized_odds_gap")
    tpr, fpr = [r["tpr"] for r in rates], [r["fpr"] for r in rates]
    return float(max(max(tpr) - min(tpr), max(fpr) - min(fpr)))


def _rates_for_gap(y_true, y_pred, group, where: str) -> list[dict]:
    try:
        return list(group_rates(y_true, y_pred, group).values())
    except ValueError as exc:
        raise ValueError(str(exc).replace("group_rates", where)) from None


def group_thresholds(scores, group, rate: float, y_true=None) -> dict:
    """One decision threshold per group, chosen so that each group reaches the same rate.

    Taught in: Chapter 7, Frontiers (ethics: post-processing with per-group thresholds).

    Without ``y_true``, each group's threshold is the highest one that selects at least a
    share ``rate`` of the group (equal selection rates: demographic parity). With ``y_true``,
    it is the highest one that selects at least a share ``rate`` of the group's *positive*
    cases (equal true-positive rates: equal opportunity, as in Hardt, Price and Srebro,
    2016). Choose the thresholds on validation data, never on the test set. A person is
    selected when ``score >= thresholds[their group]``.

    Parameters
    ----------
    scores : array_like of shape (n,)
        The model's scores (higher means more likely positive).
    group : array_like of shape (n,)
        The group of each person.
    rate : float
        The target rate, in (0, 1].
    y_true : array_like of shape (n,), optional
        True outcomes, 0 or 1; given, the rate is a true-positive rate.

    Returns
    -------
    dict
        ``{g: threshold}`` for every group.
    """
    where = "group_thresholds"
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1 or scores.size == 0 or not np.isfinite(scores).all():
        raise ValueError(f"{where}: scores must be a non-empty 1-D array of finite numbers")
    group = _groups(group, len(scores), where)
    if not 0 < rate <= 1:
        raise ValueError(f"{where}: rate must be in (0, 1]; got {rate!r}")
    pool = np.ones(len(scores), bool)
    if y_true is not None:
        y_true = _binary(y_true, "y_true", where)
        if len(y_true) != len(scores):
            raise ValueError(f"{where}: y_true has {len(y_true)} entries, scores {len(scores)}")
        pool = y_true == 1
    thresholds = {}
    for g in np.unique(group):
        s = np.sort(scores[(group == g) & pool])[::-1]  # highest first
        if s.size == 0:
            raise ValueError(f"{where}: group {_plain(g)!r} has no cases to set a rate on")
        k = int(np.ceil(rate * s.size - 1e-9))  # select at least k of them
        thresholds[_plain(g)] = float(s[max(k, 1) - 1])
    return thresholds
