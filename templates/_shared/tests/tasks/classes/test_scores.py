"""The scores every classifier reports: accuracy, macro-F1 and the majority baseline."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.scores import macro_f1, majority_baseline, score


def test_macro_f1_weighs_every_class_alike() -> None:
    labels = np.array([0] * 8 + [1] * 2)
    all_zero = np.zeros(10, np.int64)
    assert macro_f1(all_zero, labels, 2) == pytest.approx((2 * 8 / 18) / 2)
    assert macro_f1(labels, labels, 3) == 1.0  # a class in neither is left out
    logits = np.eye(2)[labels]
    assert score(logits, labels) == {"accuracy": 1.0, "macro_f1": 1.0}
    baseline = majority_baseline(np.array([0, 0, 1]), labels, 2)
    assert baseline["accuracy"] == 0.8 and baseline["macro_f1"] == pytest.approx(8 / 18)
