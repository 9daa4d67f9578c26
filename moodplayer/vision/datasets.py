"""Labelled pictures: ``<label>/<image>`` folders or a ``path,label[,group]`` CSV. Read by
``moodplayer eval`` and by ``moodplayer calibrate --pictures`` (which the packaged app
offers too, so this lives apart from the evaluation)."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from moodplayer.core.emotions import EMOTIONS

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"}

class DatasetError(ValueError):
    """The dataset cannot be read at all (no folder, bad CSV): the message says why."""


@dataclass(frozen=True)
class Sample:
    path: Path
    label: str
    group: str | None = None


@dataclass
class Dataset:
    samples: list[Sample] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    examples: dict[str, str] = field(default_factory=dict)  # reason -> one offending path

    def skip(self, reason: str, path) -> None:
        self.skipped[reason] += 1
        self.examples.setdefault(reason, str(path))


def load_dataset(root: str | Path, labels_csv: str | Path | None = None) -> Dataset:
    root = Path(root)
    if labels_csv is None and (root / "labels.csv").is_file():
        labels_csv = root / "labels.csv"
    if labels_csv is not None:
        return _from_csv(Path(labels_csv))
    if not root.is_dir():
        raise DatasetError(f"{root} is not a folder")
    data = Dataset()
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            _add(data, path, folder.name.lower(), None)
    for path in sorted(p for p in root.iterdir() if p.is_file()):
        data.skip("not in a label folder", path)
    if not data.samples and not data.skipped:
        raise DatasetError(f"{root} holds no <label>/<image> folders and no labels.csv")
    return data


def _from_csv(path: Path) -> Dataset:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise DatasetError(f"cannot read {path}: {err}") from err
    if not rows:
        raise DatasetError(f"{path} is empty")
    header = [h.strip().lower() for h in rows[0]]
    if header[:2] != ["path", "label"]:
        raise DatasetError(f"{path}: the first line must be 'path,label[,group]', not {rows[0]}")
    data = Dataset()
    for line, row in enumerate(rows[1:], start=2):
        if len(row) < 2:
            data.skip("bad CSV line", f"{path}:{line}")
            continue
        group = row[2].strip() if len(row) > 2 and row[2].strip() else None
        _add(data, path.parent / row[0].strip(), row[1].strip().lower(), group)
    return data


def _add(data: Dataset, path: Path, label: str, group: str | None) -> None:
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        data.skip("not an image", path)
    elif label not in EMOTIONS:
        data.skip("unknown label", path)
    else:
        data.samples.append(Sample(path, label, group))
