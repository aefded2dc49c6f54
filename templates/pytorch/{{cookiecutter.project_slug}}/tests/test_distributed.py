"""Two real processes under torchrun, on the CPU with Gloo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from . import sizes

# Counts, at the moment each rank destroys its group, the DDP wrappers still alive: each holds the
# group, and a group outliving `destroy_process_group` is freed at interpreter shutdown, where
# Gloo's threads can abort the process after a run that succeeded.
RANK = """
import gc, json, sys
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from {{ cookiecutter.package_name }} import distributed
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.config_io import load_config
from {{ cookiecutter.package_name }}.train import train

held = []
destroy = dist.destroy_process_group

def counting_destroy(*args, **kwargs):
    held.append(sum(isinstance(o, DistributedDataParallel) for o in gc.get_objects()))
    destroy(*args, **kwargs)

distributed.dist.destroy_process_group = counting_destroy
result = train(load_config(Config, None, sys.argv[1:]))
print(json.dumps({"world_size": result["world_size"], "held": held, "left": dist.is_initialized()}))
"""


def test_both_ranks_train_and_let_go_of_their_group(tmp_path: Path) -> None:
    script = tmp_path / "rank.py"
    script.write_text(RANK)
    overrides = [*sizes.SMALL, "trainer.epochs=1", "trainer.device=cpu"]
    overrides.append(f"trainer.runs_dir='{tmp_path / 'runs'}'")
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    completed = subprocess.run(
        [*torchrun, str(script), *overrides],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    reports = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    assert reports == [{"world_size": 2, "held": [0], "left": False}] * 2, completed.stdout
