import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import DataConfig
from {{ cookiecutter.package_name }}.data import load_datasets, load_split
from {{ cookiecutter.package_name }}.errors import ConfigError

CFG = DataConfig(num_users=45, num_items=30, val_fraction=0.1, batch_size=32)


def test_a_training_batch_is_pairs_and_their_items_as_labels():
    data = load_datasets(CFG, seed=0, top_k=10)
    assert data.num_train == 253 and data.num_val == 45 and data.steps_per_epoch == 7
    (users, items), labels = next(iter(data.train_batches(epoch=1)))
    assert users.dtype.name == items.dtype.name == "int64" and users.shape == (32,)
    np.testing.assert_array_equal(items.numpy(), labels.numpy())
    assert data.summary["k"] == 10 and set(data.summary["baselines"]["popularity"]) == {
        "recall",
        "ndcg",
    }


def test_validation_batches_carry_each_users_targets():
    data = load_datasets(CFG, seed=0, top_k=10)
    split = load_split(CFG, seed=0)
    batches = list(data.val_batches())
    assert [len(users) for users, _ in batches] == [32, 13]
    users = np.concatenate([u.numpy() for u, _ in batches])
    targets = np.concatenate([t.numpy() for _, t in batches])
    np.testing.assert_array_equal(users, split.val_users)
    np.testing.assert_array_equal(targets, split.targets(np.arange(len(split.val_users))))
    assert targets.dtype == np.int8 and targets.shape == (45, 30)


def test_each_epoch_has_its_own_order_and_it_is_reproducible():
    first, again = load_datasets(CFG, 0, 10), load_datasets(CFG, 0, 10)

    def items(data, epoch, skip=0):
        return [int(v) for _, batch in data.train_batches(epoch, skip=skip) for v in batch]

    assert items(first, 1) != items(first, 2)
    assert items(first, 2) == items(again, 2)
    assert items(first, 2)[32:] == items(again, 2, skip=1)  # a run resumed after one step


def test_a_batch_larger_than_the_pairs_is_one_line():
    cfg = DataConfig(num_users=10, num_items=8, batch_size=512)
    with pytest.raises(ConfigError, match=r"data\.batch_size"):
        load_datasets(cfg, seed=0, top_k=10)
