"""The audio task's settings for fast tests (short clips at a low rate, a narrow CNN) and WAV files
to predict."""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.package_name }}.clips import write_wav
from {{ cookiecutter.package_name }}.config import Config
from {{ cookiecutter.package_name }}.data import load_audio

# A run of a few seconds on the CPU (`--set` values).
SMALL = ["data.num_samples=192", "data.sample_rate=8000", "data.clip_seconds=0.5"]
SMALL += ["model.widths=[8, 16]"]
# Three epochs of four steps with dropout and both masks, what the resume tests stop and continue:
# 77 training clips in batches of 16, the ragged 13 dropped.
TINY = ["data.num_samples=96", "data.batch_size=16", "data.sample_rate=8000"]
TINY += ["data.clip_seconds=0.25", "model.widths=[4, 8]", "model.dropout=0.3"]
TINY += ["model.freq_mask=8", "model.time_mask=4"]
TINY_STEPS_PER_EPOCH = 4
# Values the task's sections refuse, each with the key its one-line error names.
BAD_VALUES = [
    ("data.num_samples=1", "data.num_samples"),
    ("data.sample_rate=500", "data.sample_rate"),
    ("data.clip_seconds=0", "data.clip_seconds"),
    ("model.n_fft=32000", "model.n_fft"),
    ("model.n_mels=200", "model.n_mels"),
    ("model.freq_mask=40", "model.freq_mask"),
    ("model.widths=[]", "model.widths"),
]


def prediction_inputs(config: Config, folder: Path) -> list[str]:
    """Three held-out clips as WAV files, as `predict` takes them: one file, and a folder of two."""
    clips = load_audio(config.data, config.trainer.seed)
    (folder / "more").mkdir(parents=True, exist_ok=True)
    paths = [folder / "one.wav", folder / "more" / "a.wav", folder / "more" / "b.wav"]
    for path, wave in zip(paths, clips.val_waves, strict=False):
        write_wav(path, wave, config.data.sample_rate)
    return [str(paths[0]), str(folder / "more")]
