"""A small text corpus for the language-model e2e tests, written the way a user's notes arrive: a
folder of UTF-8 `.txt` files (one in a sub-folder), paragraphs separated by blank lines, accented
place names. The notes are a weather diary whose facts are fixed (each town's sea, its usual
wind, the order of the days), so a small model that learns them predicts most of each entry and
its perplexity falls far below the unigram baseline. Framework-free: every template trains on it."""

from __future__ import annotations

import random
from pathlib import Path

TOWNS = {
    "lisbon": ("the atlantic", "north"),
    "são paulo": ("the south atlantic", "east"),
    "zürich": ("no sea at all", "west"),
    "genova": ("the ligurian sea", "south"),
    "bergen": ("the north sea", "west"),
    "izmir": ("the aegean", "north"),
}
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SKIES = ("clear", "grey", "cloudy", "bright")


def entry(rng: random.Random) -> str:
    town = rng.choice(list(TOWNS))
    sea, wind = TOWNS[town]
    day = rng.randrange(len(DAYS))
    lines = [
        f"on {DAYS[day]} the sky over {town} was {rng.choice(SKIES)}.",
        f"the wind in {town} came from the {wind}, as it usually does.",
    ]
    if rng.random() < 0.5:
        lines.append(f"{town} looks out on {sea}.")
    lines.append(f"the next day was {DAYS[(day + 1) % len(DAYS)]}.")
    return " ".join(lines)


def write_corpus(folder: Path, entries: int = 1200, seed: int = 0) -> Path:
    """`entries` diary entries over three files; returns the folder."""
    rng = random.Random(seed)
    texts = [entry(rng) for _ in range(entries)]
    (folder / "older").mkdir(parents=True, exist_ok=True)
    third = entries // 3
    for path, part in (
        (folder / "2024.txt", texts[:third]),
        (folder / "2025.txt", texts[third : 2 * third]),
        (folder / "older" / "2023.txt", texts[2 * third :]),
    ):
        path.write_text("\n\n".join(part) + "\n", encoding="utf-8")
    return folder
