import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.task import new_split, read_meta, run_split, write_meta


def test_the_split_is_pairs_and_held_out_users(config: Config) -> None:
    split = new_split(config, seed=0)
    users, items = split.x_train
    assert users.dtype == items.dtype == np.int64 and np.array_equal(split.y_train, items)
    data = split.data
    assert np.array_equal(split.x_val, data.val_users)
    assert split.y_val.dtype == np.int8 and split.y_val.shape == (len(data.val_users), 30)
    assert np.array_equal(split.y_val, data.targets(np.arange(len(data.val_users))))


def test_the_item_shares_are_those_of_the_training_pairs(config: Config) -> None:
    split = new_split(config, seed=0)
    shares = np.exp(split.meta.log_q)
    met = split.data.item_counts() > 0
    assert shares[met].sum() == pytest.approx(1.0, rel=1e-5)
    expected = np.log(split.data.item_counts()[met] / len(split.data.train_items))
    np.testing.assert_allclose(split.meta.log_q[met], expected, rtol=1e-5)


def test_a_csv_log_trains_with_its_own_ids(config: Config, tmp_path) -> None:
    log = tmp_path / "log.csv"
    rows = [f"shopper-{u},sku-{(u * 3 + i) % 25:03d},{i * 60}" for u in range(30) for i in range(6)]
    log.write_text("user_id,item_id,timestamp\n" + "\n".join(rows) + "\n")
    config.data.source = str(log)
    split = new_split(config, seed=0)
    catalog = split.meta.catalog
    assert len(catalog.users) == 30 and catalog.items[:2] == ["sku-000", "sku-001"]
    # Each user's latest item (20 % of 6, rounded) is held out; the other five train.
    assert len(split.y_train) == 30 * 5


def test_a_run_reads_its_interactions_and_refuses_others(config: Config, tmp_path) -> None:
    split = new_split(config, seed=0)
    write_meta(tmp_path, split.meta)
    again = run_split(config.data, 0, read_meta(tmp_path))
    assert again.meta.catalog == split.meta.catalog and again.meta.top_k == 10
    np.testing.assert_array_equal(again.y_val, split.y_val)
    log = tmp_path / "log.csv"
    rows = [f"user{u},item{(u + i) % 12}" for u in range(20) for i in range(3)]
    log.write_text("user_id,item_id\n" + "\n".join(rows) + "\n")
    config.data.source = str(log)
    with pytest.raises(ConfigError, match="was trained on 40 users and 30 items") as error:
        run_split(config.data, 0, read_meta(tmp_path))
    assert "now holds 20 users and 12 items" in str(error.value)


def test_a_missing_source_is_one_line(config: Config, tmp_path) -> None:
    config.data.source = str(tmp_path / "nowhere.csv")
    with pytest.raises(ConfigError, match="does not exist") as error:
        new_split(config, seed=0)
    assert "\n" not in str(error.value)
