"""`metrics.csv`: one row per epoch, appended, so that a resumed run continues the same file."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path


def append_row(path: Path, row: Mapping[str, object], fields: Sequence[str]) -> None:
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(fields))
        if new:
            writer.writeheader()
        writer.writerow(row)
