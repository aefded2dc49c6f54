"""Two real processes under torchrun, on the CPU with Gloo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from . import sizes

# Counts, at the moment each rank destroys its group, the DDP wrappers still alive: each holds the
# group, and a group outliving `destroy_process_group` is freed at interpreter shutdown, where
# Gloo's threads can abort the process after a run that succeeded. Each rank writes its own
# report file: two ranks printing to one shared stdout pipe can interleave their lines.
RANK = """
import gc, json, os, sys
from pathlib import Path
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
result = train(load_config(Config, None, sys.argv[2:]))
report = {"world_size": result["world_size"], "held": held, "left": dist.is_initialized()}
Path(sys.argv[1], "rank-" + os.environ["RANK"] + ".json").write_text(json.dumps(report))
"""


def test_both_ranks_train_and_let_go_of_their_group(tmp_path: Path) -> None:
    script = tmp_path / "rank.py"
    script.write_text(RANK)
    overrides = [*sizes.SMALL, "trainer.epochs=1", "trainer.device=cpu"]
    overrides.append(f"trainer.runs_dir='{tmp_path / 'runs'}'")
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    completed = subprocess.run(
        [*torchrun, str(script), str(tmp_path), *overrides],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    reports = [json.loads(path.read_text()) for path in sorted(tmp_path.glob("rank-*.json"))]
    assert reports == [{"world_size": 2, "held": [0], "left": False}] * 2, completed.stdout
