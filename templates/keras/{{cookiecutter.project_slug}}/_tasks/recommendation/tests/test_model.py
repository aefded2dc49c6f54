"""The towers, the in-batch softmax with its correction and its mask, learning, saving."""

import math

import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.interactions import Catalog
from {{ cookiecutter.package_name }}.model import InBatchSoftmax, TwoTowers, build_model
from {{ cookiecutter.package_name }}.task import Meta
from {{ cookiecutter.package_name }}.train import compile_model


def towers(users: int, items: int, config: Config | None = None) -> TwoTowers:
    config = config or Config()
    catalog = Catalog([f"u{i}" for i in range(users)], [f"i{i}" for i in range(items)], [])
    meta = Meta(catalog, 10, np.full(items, -math.log(items), np.float32))
    return build_model(config.data, config.model, meta)


def numpy(x) -> np.ndarray:
    return keras.ops.convert_to_numpy(x)


def test_output_shapes_and_size() -> None:
    model = towers(1000, 500)
    users = np.array([0, 7, 999])
    assert numpy(model(users)).shape == (3, 500) and numpy(model(users)).dtype == np.float32
    assert numpy(model((users, np.array([4, 4, 9])))).shape == (3, 3)
    assert model.count_params() == (1000 + 500) * 32


def test_in_batch_logits_are_the_full_scores_of_the_batchs_items() -> None:
    model = towers(50, 40)
    users, items = np.array([3, 8, 8, 41]), np.array([0, 5, 39, 5])
    np.testing.assert_allclose(numpy(model((users, items))), numpy(model(users))[:, items],
                               atol=1e-6)  # fmt: skip


def test_scores_are_cosines_over_the_temperature() -> None:
    config = Config()
    config.model.temperature = 0.5
    model = towers(10, 10, config)
    table = numpy(model.items.embeddings)
    table[2], table[3] = np.full(32, 0.1), -np.ones(32)
    model.items.embeddings.assign(table)
    row = numpy(model.users.embeddings)
    row[0] = np.full(32, 3.0)  # the length of a vector does not count
    model.users.embeddings.assign(row)
    scores = numpy(model(np.array([0])))[0]
    assert np.abs(scores).max() <= 1 / 0.5 + 1e-6
    assert scores[2] == pytest.approx(2.0, abs=1e-5) and scores[3] == pytest.approx(-2.0, abs=1e-5)


def test_each_items_logit_is_lowered_by_the_log_of_its_share() -> None:
    """Equal scores: a pair of a popular item must still win its row by its item's share, else
    every score drifts towards popularity (popular items are everyone's negatives)."""
    q = np.array([0.7, 0.2, 0.1])
    loss = float(numpy(InBatchSoftmax(np.log(q))(np.arange(3), np.zeros((3, 3)))))
    # Row b, after the correction: -log softmax(-log q)[b] = log q_b + log sum_c 1 / q_c.
    expected = np.mean([math.log(q_b) + math.log((1 / q).sum()) for q_b in q])
    assert loss == pytest.approx(expected, rel=1e-6)
    assert loss != pytest.approx(math.log(3))  # what it would be uncorrected


def test_a_repeat_of_the_rows_own_item_is_not_a_negative() -> None:
    loss = float(numpy(InBatchSoftmax(np.zeros(2))(np.array([0, 0, 1]), np.zeros((3, 3)))))
    # Rows 0 and 1 each see their own item and item 1; row 2 sees all three columns.
    assert loss == pytest.approx((2 * math.log(2) + math.log(3)) / 3, rel=1e-6)


def test_a_few_steps_lower_the_loss() -> None:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    users, items = rng.integers(0, 100, 64), rng.integers(0, 60, 64)
    model = towers(100, 60)
    meta = Meta(Catalog([], [], []), 10, np.full(60, -math.log(60), np.float32))
    compile_model(model, meta, lr=0.05)
    before = model.test_on_batch((users, items), items, return_dict=True)["loss"]
    for _ in range(3):
        model.train_on_batch((users, items), items)
    assert model.test_on_batch((users, items), items, return_dict=True)["loss"] < before


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_the_towers_stay_float32(policy: str) -> None:
    """Scores of every item too: the whole item table is read inside the model's own call."""
    keras.mixed_precision.set_dtype_policy(policy)
    try:
        model = towers(30, 20)
        users = np.arange(30)
        scores, in_batch = numpy(model(users)), numpy(model((users, users % 20)))
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    dtypes = {model.compute_dtype, model.users.compute_dtype, model.items.compute_dtype}
    assert dtypes == {"float32"}
    assert scores.dtype == in_batch.dtype == np.float32
    unit = [t / np.linalg.norm(t, axis=1, keepdims=True) for t in model.get_weights()]
    expected = unit[0] @ unit[1].T / model.temperature
    np.testing.assert_allclose(scores, expected, atol=1e-5)
    np.testing.assert_allclose(in_batch, expected[:, users % 20], atol=1e-5)


def test_keras_format_round_trip(tmp_path) -> None:
    model = towers(40, 30)
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras")  # safe_mode stays on
    users = np.arange(40)
    np.testing.assert_allclose(numpy(reloaded(users)), numpy(model(users)), atol=1e-6)
