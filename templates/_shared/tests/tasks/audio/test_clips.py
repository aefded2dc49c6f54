"""Reading clips and the mel filterbank: what every waveform the model sees, and every spectrogram
band it learns from, rests on."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.clips import (
    SYNTHETIC_CLASSES,
    fit_length,
    load_clips,
    read_clips,
    read_inputs,
    read_wav,
    resample,
    synthetic_clips,
    write_wav,
)
from {{ cookiecutter.package_name }}.errors import ConfigError
from {{ cookiecutter.package_name }}.melscale import mel_filterbank
from {{ cookiecutter.package_name }}.task_config import DataConfig, ModelConfig, check_sections

RATE = 8000
SOURCE = {"num_samples": 0, "sample_rate": RATE, "clip_seconds": 0.25, "seed": 0}


def tone(hz: float, seconds: float, rate: int = RATE) -> np.ndarray:
    return (0.5 * np.sin(2 * np.pi * hz * np.arange(round(rate * seconds)) / rate)).astype(
        np.float32
    )


def peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[spectrum.argmax()])


def write_pcm(path: Path, samples: np.ndarray, width: int, channels: int = 1) -> None:
    """`samples` [frames] written at `width` bytes per sample, the same on every channel."""
    scale = float(1 << (8 * width - 1)) - 1
    ints = np.round(np.repeat(samples, channels) * scale).astype(np.int64)
    if width == 1:
        data = (ints + 128).astype(np.uint8).tobytes()
    elif width == 3:
        data = b"".join(struct.pack("<i", int(v))[:3] for v in ints)
    else:
        data = ints.astype({2: "<i2", 4: "<i4"}[width]).tobytes()
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(width)
        handle.setframerate(RATE)
        handle.writeframes(data)


def test_synthetic_clips_are_seeded_and_hold_every_class() -> None:
    waves, labels = synthetic_clips(120, sample_rate=RATE, clip_seconds=0.5, seed=3)
    again, same = synthetic_clips(120, sample_rate=RATE, clip_seconds=0.5, seed=3)
    assert waves.shape == (120, 4000) and waves.dtype == np.float32
    assert (waves == again).all() and labels == same
    assert not (waves == synthetic_clips(120, RATE, 0.5, seed=4)[0]).all()
    assert set(labels) == set(SYNTHETIC_CLASSES) and np.abs(waves).max() <= 1.0


@pytest.mark.parametrize(("width", "channels"), [(1, 1), (2, 1), (2, 2), (3, 1), (4, 2)])
def test_every_pcm_width_reads_as_the_same_mono_samples(
    tmp_path: Path, width: int, channels: int
) -> None:
    samples = tone(440, 0.1)
    write_pcm(tmp_path / "a.wav", samples, width, channels)
    read, rate = read_wav(tmp_path / "a.wav")
    assert rate == RATE and read.dtype == np.float32 and read.shape == samples.shape
    assert np.abs(read - samples).max() < 2.0 ** (1 - 8 * width) * 2 + 1e-6


def test_a_file_that_is_not_pcm_wav_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.wav").write_text("not audio")
    with pytest.raises(ConfigError, match="not a PCM WAV") as error:
        read_wav(tmp_path / "notes.wav")
    assert "\n" not in str(error.value) and "notes.wav" in str(error.value)
    # 32-bit float WAV (format tag 3): the standard library reads only integer PCM.
    floats = tone(440, 0.01).tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, RATE, RATE * 4, 4, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
    body += b"data" + struct.pack("<I", len(floats)) + floats
    (tmp_path / "float.wav").write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    with pytest.raises(ConfigError, match="pcm_s16le"):
        read_wav(tmp_path / "float.wav")


def test_resampling_keeps_a_tone_and_drops_what_the_new_rate_cannot_hold() -> None:
    up = resample(tone(440, 0.5), RATE, 22050)
    assert len(up) == 11025 and peak_hz(up, 22050) == pytest.approx(440, abs=3)
    down = resample(tone(300, 0.5), RATE, 2000)
    assert len(down) == 1000 and peak_hz(down, 2000) == pytest.approx(300, abs=3)
    # 3 kHz does not fit under 1 kHz (the Nyquist frequency at 2 kHz): it vanishes, rather than
    # folding back as a false 1 kHz tone.
    assert np.abs(resample(tone(3000, 0.5), RATE, 2000)).max() < 1e-3


def test_clips_keep_their_middle_or_are_padded_with_silence() -> None:
    samples = np.arange(10, dtype=np.float32)
    assert fit_length(samples, 4).tolist() == [3, 4, 5, 6]
    assert fit_length(samples[:3], 5).tolist() == [0, 1, 2, 0, 0]


def test_a_folder_of_classes_is_read_at_one_rate_and_length(tmp_path: Path) -> None:
    for label, hz in (("low", 200), ("high", 2000)):
        (tmp_path / label).mkdir()
        write_wav(tmp_path / label / "a.wav", tone(hz, 0.4), RATE)
        write_pcm(tmp_path / label / "b.WAV", tone(hz, 0.1), width=1)
    (tmp_path / "high" / "notes.txt").write_text("not a clip")
    waves, labels = read_clips(str(tmp_path), **SOURCE)
    assert labels == ["high", "high", "low", "low"] and waves.shape == (4, 2000)
    assert peak_hz(waves[2], RATE) == pytest.approx(200, abs=5)
    assert (waves[1][800:] == 0).all()  # 0.1 s padded to 0.25 s
    rate16 = read_clips(str(tmp_path), **{**SOURCE, "sample_rate": 16000})[0]
    assert rate16.shape == (4, 4000)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda root: None, "does not exist"),
        (lambda root: root.mkdir(), "no class sub-folders"),
        (lambda root: root.write_text("x"), "expected a folder"),
    ],
)
def test_unusable_sources_are_one_line_errors(tmp_path: Path, make, expected: str) -> None:
    make(tmp_path / "clips")
    with pytest.raises(ConfigError, match=expected):
        read_clips(str(tmp_path / "clips"), **SOURCE)


def test_the_split_is_seeded_and_classes_come_from_training_clips(tmp_path: Path) -> None:
    for i in range(30):
        folder = tmp_path / "abc"[i % 3]
        folder.mkdir(exist_ok=True)
        write_wav(folder / f"{i}.wav", tone(100 + 10 * i, 0.25), RATE)
    options = {**SOURCE, "val_fraction": 0.2}
    options.pop("seed")
    first = load_clips(str(tmp_path), seed=1, **options)
    again = load_clips(str(tmp_path), seed=1, **options)
    assert (first.val_waves == again.val_waves).all() and len(first.val_labels) == 6
    assert first.classes == ["a", "b", "c"] and len(first.train_labels) == 24
    held = {round(peak_hz(w, RATE)) for w in first.val_waves}
    assert not held & {round(peak_hz(w, RATE)) for w in first.train_waves}


def test_a_held_out_class_without_training_clips_is_refused(tmp_path: Path) -> None:
    for i in range(9):
        (tmp_path / "a").mkdir(exist_ok=True)
        write_wav(tmp_path / "a" / f"{i}.wav", tone(200, 0.1), RATE)
    (tmp_path / "b").mkdir()
    write_wav(tmp_path / "b" / "only.wav", tone(900, 0.1), RATE)
    options = {**SOURCE, "val_fraction": 0.1}
    options.pop("seed")
    for seed in range(20):  # some seed holds the single "b" out
        try:
            load_clips(str(tmp_path), seed=seed, **options)
        except ConfigError as error:
            assert "training" in str(error)
            return
    raise AssertionError("no seed held out the only clip of class b")


def test_predict_inputs_are_wav_files_or_folders_of_them(tmp_path: Path) -> None:
    write_wav(tmp_path / "one.wav", tone(300, 0.5), RATE)
    (tmp_path / "more").mkdir()
    for name in ("b.wav", "a.wav"):
        write_wav(tmp_path / "more" / name, tone(300, 0.1), RATE)
    names, waves = read_inputs([str(tmp_path / "one.wav"), str(tmp_path / "more")], RATE, 0.25)
    assert [Path(n).name for n in names] == ["one.wav", "a.wav", "b.wav"]
    assert waves.shape == (3, 2000)
    with pytest.raises(ConfigError, match="no such file"):
        read_inputs([str(tmp_path / "missing.wav")], RATE, 0.25)
    with pytest.raises(ConfigError, match="nothing to classify"):
        read_inputs([], RATE, 0.25)


def test_the_mel_filterbank_covers_the_spectrum_with_unit_peaks() -> None:
    bank = mel_filterbank(16000, n_fft=512, n_mels=40)
    assert bank.shape == (257, 40) and bank.dtype == np.float32
    assert bank.max(axis=0) == pytest.approx(np.ones(40), abs=0.35)
    assert (bank.sum(axis=0) > 0).all()
    centres = bank.argmax(axis=0)
    assert (np.diff(centres) >= 0).all() and np.diff(centres)[-1] > np.diff(centres)[0]


@pytest.mark.parametrize(
    ("data", "model", "expected"),
    [
        ({"clip_seconds": 0.01}, {}, "model.n_fft"),
        ({}, {"n_mels": 200}, "model.n_mels"),
        ({}, {"n_mels": 2}, "model.widths"),
        ({}, {"freq_mask": 40}, "model.freq_mask"),
    ],
)
def test_front_ends_that_cannot_work_are_refused(data: dict, model: dict, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        check_sections(DataConfig(**data), ModelConfig(**model))
    check_sections(DataConfig(), ModelConfig())
