import json
import signal

import pytest
import tensorflow as tf

from {{ cookiecutter.package_name }}.config_io import ConfigError
from {{ cookiecutter.package_name }}.distributed import (
    StopVote,
    check_batch_size,
    check_tf_config,
    share_from_chief,
    worker_info,
)
from {{ cookiecutter.package_name }}.interrupts import StopRequest

CLUSTER = {"worker": ["localhost:1", "localhost:2"]}


def _spec(kind: str, index: int) -> dict:
    task = {"type": kind, "index": index}
    return {"cluster": CLUSTER, "task": task}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "needs the TF_CONFIG"),
        ("{not json", "not valid JSON"),
        (json.dumps({"cluster": CLUSTER}), 'needs a "cluster" and a "task"'),
        (json.dumps(_spec("worker", 2)), "not in its"),
        (json.dumps(_spec("chief", 0)), "not in its"),
    ],
)
def test_a_bad_cluster_config_is_one_line(raw, message):
    with pytest.raises(ConfigError, match=message) as caught:
        check_tf_config(raw)
    assert "\n" not in str(caught.value)


def test_a_good_cluster_config_passes():
    spec = _spec("worker", 1)
    assert check_tf_config(json.dumps(spec)) == spec


def test_one_process_is_its_own_chief_and_stops_at_once():
    strategy = tf.distribute.get_strategy()
    assert worker_info(strategy).is_chief
    assert share_from_chief(strategy, worker_info(strategy), "runs/x") == "runs/x"
    stop = StopRequest()
    vote = StopVote(strategy, stop)
    assert not vote(1)
    stop.request(signal.SIGTERM)
    assert vote(2)


def test_the_global_batch_must_cover_every_replica():
    with pytest.raises(ConfigError, match=r"data\.batch_size"):
        check_batch_size(0, tf.distribute.get_strategy())
