"""WAV folders for the audio e2e tests, written with the standard library only: one sub-folder per
class of tones, as a user's recordings would arrive (16-bit PCM, two sample rates, several
lengths). Framework-free, so every template's e2e module trains on the same clips."""

from __future__ import annotations

import array
import math
import random
import wave
from pathlib import Path

RATE = 8000

# Each class is a band of pitches; every clip is one tone of its class at a random pitch, loudness,
# onset and length, over background hiss.
PITCHES = {"hum": (180, 260), "horn": (500, 700), "beep": (1200, 1600), "whistle": (2600, 3400)}


def write_tone(path: Path, hz: float, rng: random.Random, rate: int = RATE) -> None:
    """A 16-bit PCM mono WAV file: a faded tone somewhere in 0.3 to 0.7 s of quiet noise."""
    length = round(rate * rng.uniform(0.3, 0.7))
    span = round(length * rng.uniform(0.4, 0.9))
    start, loud, fade = rng.randrange(length - span + 1), rng.uniform(0.1, 0.8), rate // 100
    samples = array.array("h")
    for i in range(length):
        x = rng.gauss(0.0, 0.01)
        if start <= i < start + span:
            ramp = min(1.0, (i - start) / fade, (start + span - 1 - i) / fade)
            x += loud * ramp * math.sin(2 * math.pi * hz * (i - start) / rate)
        samples.append(round(max(-1.0, min(1.0, x)) * 32767))
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples.tobytes())


def write_tones(folder: Path, per_class: int, seed: int) -> list[tuple[Path, str]]:
    """`per_class` files in each class sub-folder; every third at 16 kHz (resampled on reading)."""
    rng, written = random.Random(seed), []
    for label, (low, high) in PITCHES.items():
        (folder / label).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            path = folder / label / f"{label}-{seed}-{i:03d}.wav"
            write_tone(path, rng.uniform(low, high), rng, rate=16000 if i % 3 == 2 else RATE)
            written.append((path, label))
    return written
