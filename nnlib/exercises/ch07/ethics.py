"""Chapter 7, ethics: the demographic-parity and equalised-odds gaps, the advantage of a
membership-inference attack, and the multiply-adds of a convolution."""

from __future__ import annotations

import numpy as np

from nnlib.exercises import Fail, as_floats, exercise, expect_close, solution

__all__: list[str] = []


def _fairness_cases():
    y_true = np.array([1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0])
    y_pred = np.array([1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0])
    two = np.array(["a"] * 6 + ["b"] * 6)
    yield y_true, y_pred, two  # the true-positive-rate gap is the larger
    yield 1 - y_true, 1 - y_pred, two  # the false-positive-rate gap is the larger
    three = np.array([0, 0, 2, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    yield y_true, y_pred, three
    rng = np.random.default_rng(7)
    y_true = rng.integers(0, 2, 60)
    y_true[:6] = [0, 1, 0, 1, 0, 1]  # every group has both outcomes
    yield y_true, rng.integers(0, 2, 60), np.arange(60) % 3


def _rates(y_true, y_pred, group, kind):
    out = []
    for g in np.unique(group):
        m = group == g
        if kind == "selection":
            out.append(y_pred[m].mean())
        elif kind == "tpr":
            out.append(y_pred[m & (y_true == 1)].mean())
        elif kind == "fpr":
            out.append(y_pred[m & (y_true == 0)].mean())
        else:
            out.append(np.mean(y_pred[m] == y_true[m]))
    return np.array(out)


def _spread(r):
    return r.max() - r.min()


@exercise("ch07.demographic_parity_gap", success="Your gap matches nnlib.fairness.")
def _(demographic_parity_gap):
    for y_true, y_pred, group in _fairness_cases():
        what = f"demographic_parity_gap(y_pred, group) with groups {np.unique(group).tolist()}"
        sel = _rates(y_true, y_pred, group, "selection")
        expect_close(
            demographic_parity_gap(y_pred.copy(), group.copy()),
            _spread(sel),
            what,
            "For each group, the share of its people with y_pred == 1; then the largest "
            "share minus the smallest.",
            atol=1e-12,
            mistakes=[
                (
                    sel.min() / sel.max(),
                    "That is a ratio of the rates (the 'disparate impact' "
                    "ratio); the gap is a difference: largest minus smallest.",
                ),
                (sel.min() - sel.max(), "The gap is positive: largest rate minus smallest."),
                (
                    _spread(_rates(y_true, y_pred, group, "acc")),
                    "That is the gap in "
                    "accuracy; parity compares how often each group gets y_pred == 1.",
                ),
                (
                    sel[0] - sel[-1],
                    "With more than two groups, take the largest rate minus the "
                    "smallest, not the first minus the last.",
                ),
            ],
        )


@solution("ch07.demographic_parity_gap")
def demographic_parity_gap(y_pred, group):
    rates = [y_pred[group == g].mean() for g in np.unique(group)]
    return max(rates) - min(rates)


@exercise("ch07.equalized_odds_gap", success="Your gap matches nnlib.fairness.")
def _(equalized_odds_gap):
    for y_true, y_pred, group in _fairness_cases():
        what = f"equalized_odds_gap(y_true, y_pred, group) with groups {np.unique(group).tolist()}"
        tpr = _spread(_rates(y_true, y_pred, group, "tpr"))
        fpr = _spread(_rates(y_true, y_pred, group, "fpr"))
        if np.isclose(tpr, fpr):
            continue  # a case that cannot tell the mistakes apart
        expect_close(
            equalized_odds_gap(y_true.copy(), y_pred.copy(), group.copy()),
            max(tpr, fpr),
            what,
            "Compute each group's true-positive rate (among y_true == 1) and false-positive "
            "rate (among y_true == 0); the gap is the larger of the two spreads.",
            atol=1e-12,
            mistakes=[
                (
                    tpr,
                    "That is only the true-positive-rate gap (equal opportunity); equalised "
                    "odds also compares false-positive rates: take the larger gap.",
                ),
                (
                    fpr,
                    "That is only the false-positive-rate gap; compare the true-positive "
                    "rates too and take the larger gap.",
                ),
                ((tpr + fpr) / 2, "Take the larger of the two gaps, not their average."),
                (
                    _spread(_rates(y_true, y_pred, group, "selection")),
                    "That is the "
                    "demographic-parity gap: split each group by its true outcome first.",
                ),
            ],
        )


@solution("ch07.equalized_odds_gap")
def equalized_odds_gap(y_true, y_pred, group):
    tpr, fpr = [], []
    for g in np.unique(group):
        member = group == g
        tpr.append(y_pred[member & (y_true == 1)].mean())
        fpr.append(y_pred[member & (y_true == 0)].mean())
    return max(max(tpr) - min(tpr), max(fpr) - min(fpr))


@exercise("ch07.membership_advantage", success="That is the attack's advantage.")
def _(membership_advantage):
    members = np.array([0.01, 0.02, 0.05, 0.30, 0.001, 0.9])
    others = np.array([0.4, 0.02, 1.5, 0.05, 2.0, 0.7, 0.3])
    for t in (0.05, 0.3, 0.0001, 1.0):
        what = f"membership_advantage(member_losses, nonmember_losses, {t})"
        tpr, fpr = np.mean(members <= t), np.mean(others <= t)
        strict = np.mean(members < t) - np.mean(others < t)
        correct = (np.sum(members <= t) + np.sum(others > t)) / (len(members) + len(others))
        expect_close(
            membership_advantage(members.copy(), others.copy(), t),
            tpr - fpr,
            what,
            "Guess 'member' when loss <= threshold. Advantage = (share of members guessed "
            "member) - (share of non-members guessed member).",
            atol=1e-12,
            mistakes=[
                (
                    fpr - tpr,
                    "Low loss means 'member': the training examples are the ones the "
                    "model fits best. Subtract the non-members' rate from the members'.",
                ),
                (
                    np.mean(others < t) - np.mean(members < t),
                    "Low loss means 'member': guess 'member' when loss <= threshold.",
                ),
                (strict, "A loss equal to the threshold counts as 'member' (<=, not <)."),
                (correct, "That is the attack's accuracy; the advantage is TPR - FPR."),
                (tpr, "Subtract the share of non-members that are wrongly guessed 'member'."),
            ],
        )


@solution("ch07.membership_advantage")
def membership_advantage(member_losses, nonmember_losses, threshold):
    tpr = np.mean(member_losses <= threshold)
    fpr = np.mean(nonmember_losses <= threshold)
    return tpr - fpr


@exercise("ch07.conv2d_macs", success="Your count matches nnlib.torch.flops on real layers.")
def _(conv2d_macs):
    import torch
    from torch import nn

    from nnlib.torch.flops import count_macs

    for c_in, c_out, k, size, stride in ((1, 16, 3, 8, 1), (16, 32, 3, 4, 1), (3, 8, 5, 12, 2)):
        layer = nn.Conv2d(c_in, c_out, k, stride=stride, padding=k // 2)
        out = layer(torch.zeros(1, c_in, size, size))
        h, w = out.shape[-2:]
        expected = count_macs(layer, torch.zeros(1, c_in, size, size))
        what = f"conv2d_macs({c_in}, {c_out}, {k}, {h}, {w})"
        got = conv2d_macs(c_in, c_out, k, h, w)
        if got is None:
            raise Fail(f"{what} returned None.", "Did you forget a `return` statement?")
        as_floats(got, what, "Return a number.")
        expect_close(
            got,
            expected,
            what,
            "Each of the out_height * out_width * out_channels outputs is a sum of "
            "in_channels * kernel_size * kernel_size products.",
            atol=0.5,
            mistakes=[
                (
                    2 * expected,
                    "That counts FLOPs (a multiply and an add each); count multiply-adds.",
                ),
                (
                    h * w * c_out * k * k,
                    "Each output sums over every input channel: multiply by in_channels too.",
                ),
                (h * w * c_out * c_in * k, "The kernel is k x k: its area is k * k."),
            ],
            fmt=lambda v: f"{float(v):,.0f}",
        )


@solution("ch07.conv2d_macs")
def conv2d_macs(in_channels, out_channels, kernel_size, out_height, out_width):
    per_output = in_channels * kernel_size * kernel_size
    return out_height * out_width * out_channels * per_output
