"""Checkers of Chapter 7, the future: typical wrong answers get their hint."""

from __future__ import annotations

import numpy as np
from exercise_helpers import assert_hint, rejected


def step_with(compare=np.greater_equal, reset="subtract", add_first=True):
    def answer(v, current, threshold):
        new = v + current
        spikes = compare(new if add_first else v, threshold).astype(float)
        if reset == "subtract":
            return new - threshold * spikes, spikes
        if reset == "zero":
            return new * (1 - spikes), spikes
        if reset == "one":
            return new - spikes, spikes
        return new, spikes

    return answer


def test_if_step_strict_threshold():
    assert_hint(rejected("ch07.if_step", step_with(compare=np.greater)), ">=, not >")


def test_if_step_compares_before_adding():
    assert_hint(rejected("ch07.if_step", step_with(add_first=False)), "Add the current first")


def test_if_step_reset_to_zero():
    assert_hint(rejected("ch07.if_step", step_with(reset="zero")), "*subtracting*")


def test_if_step_no_reset():
    assert_hint(rejected("ch07.if_step", step_with(reset=None)), "must be reset")


def test_if_step_subtracts_one():
    assert_hint(rejected("ch07.if_step", step_with(reset="one")), "not always 1")


def test_if_step_returns_one_thing():
    assert_hint(rejected("ch07.if_step", lambda v, c, t: v + c), "pair (v, spikes)")


def test_events_fan_in():
    def fan_in(counts, weights):
        return sum(c.sum(1) * W.shape[0] for c, W in zip(counts[:-1], weights, strict=True))

    assert_hint(rejected("ch07.synaptic_events", fan_in), "fan-out")


def test_events_without_input_layer():
    def no_input(counts, weights):
        return counts[1].sum(1) * weights[1].shape[1]

    assert_hint(rejected("ch07.synaptic_events", no_input), "input layer")


def test_events_one_total():
    def total(counts, weights):
        return sum((c.sum(1) * W.shape[1]).sum() for c, W in zip(counts[:-1], weights, strict=True))

    assert_hint(rejected("ch07.synaptic_events", total), "one count per example")
