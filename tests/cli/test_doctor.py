"""`moodplayer doctor` on face-api's converted nets: each file present, missing, unreadable,
of other arrays (shape mismatch) or other values (checksum mismatch), its size, and the
engine `auto` resolves to (issue 20)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import moodplayer

from moodplayer.vision.faceapi.weights import NETS, read_npz, save_npz

SETUP_FACEAPI = Path(os.environ.get("MOODPLAYER_SETUP_DEEPFACE_HOME", "")) / "faceapi"


def doctor(home: Path) -> list[str]:
    env = dict(os.environ, DEEPFACE_HOME=str(home))
    result = moodplayer("doctor", env=env, timeout=120)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1  # the tests' machine has no camera at least
    return result.stdout.splitlines()


def file_line(lines: list[str], name: str) -> str:
    [line] = [x.strip() for x in lines if x.strip().startswith(f"{name}:")]
    return line


def engine_lines(lines: list[str]) -> tuple[str, str | None]:
    i = next(i for i, x in enumerate(lines) if x.startswith("[ok] emotion engine (auto): "))
    note = lines[i + 1].strip() if lines[i + 1].strip().startswith("note: ") else None
    return lines[i], note


def test_missing_unreadable_and_other_arrays_are_each_said_and_auto_is_the_mini_xception(tmp_path):
    home = tmp_path / "models"
    lines = doctor(home)  # an empty model folder
    assert f"[!!] face-api's nets in {home / 'faceapi'}: 0 of 4 ok" in lines
    for spec in NETS.values():
        assert file_line(lines, spec.npz).startswith(f"{spec.npz}: missing")
    engine, note = engine_lines(lines)
    assert engine.startswith("[ok] emotion engine (auto): fer (") and engine.endswith(".tflite)")
    assert note and "face-api's expression model is missing" in note and "make setup" in note

    save_npz(home / "faceapi" / NETS["expression"].npz, {"fc/weights": np.zeros((256, 3), np.float32)})
    (home / "faceapi" / NETS["recognition"].npz).write_bytes(b"PK\x03\x04 not really a zip")
    lines = doctor(home)
    expression = file_line(lines, NETS["expression"].npz)
    assert expression.startswith(f"{NETS['expression'].npz}: shape mismatch, ") and "kB" in expression
    assert "1 arrays, 768 numbers" in expression
    assert file_line(lines, NETS["recognition"].npz).startswith(f"{NETS['recognition'].npz}: unreadable, ")
    engine, note = engine_lines(lines)  # the file is there but wrong: the app falls back
    assert engine.startswith("[ok] emotion engine (auto): fer (")
    assert note and "not usable" in note and "mini-Xception" in note


def test_the_converted_nets_are_ok_with_their_sizes_and_altered_values_are_a_checksum_mismatch(tmp_path):
    if not (SETUP_FACEAPI / NETS["expression"].npz).is_file():
        pytest.skip(f"face-api's nets are not converted in {SETUP_FACEAPI}: run 'make setup'")
    home = tmp_path / "models"
    shutil.copytree(SETUP_FACEAPI, home / "faceapi")
    altered = home / "faceapi" / NETS["landmarks"].npz
    arrays = read_npz(altered)
    name = sorted(arrays)[0]
    arrays[name] = arrays[name] + 0.01
    save_npz(altered, arrays)
    lines = doctor(home)
    assert f"[!!] face-api's nets in {home / 'faceapi'}: 3 of 4 ok" in lines
    size = (home / "faceapi" / NETS["recognition"].npz).stat().st_size
    assert file_line(lines, NETS["recognition"].npz).startswith(
        f"{NETS['recognition'].npz}: ok, {size / 1e6:.1f} MB")
    assert file_line(lines, NETS["landmarks"].npz).startswith(f"{NETS['landmarks'].npz}: checksum mismatch, ")
    assert file_line(lines, "LICENSE-face-api.txt") == "LICENSE-face-api.txt: present"
    engine, note = engine_lines(lines)
    assert engine.startswith(f"[ok] emotion engine (auto): blend ({home / 'faceapi' / NETS['expression'].npz} + ")
    assert note is None


def test_a_fifo_or_a_folder_under_a_nets_name_is_said_not_called_missing(tmp_path):
    home = tmp_path / "models"
    (home / "faceapi").mkdir(parents=True)
    os.mkfifo(home / "faceapi" / NETS["recognition"].npz)
    (home / "faceapi" / NETS["expression"].npz).mkdir()
    lines = doctor(home)
    assert file_line(lines, NETS["recognition"].npz).startswith(
        f"{NETS['recognition'].npz}: unreadable (a named pipe (FIFO), not a file)")
    assert file_line(lines, NETS["expression"].npz).startswith(
        f"{NETS['expression'].npz}: unreadable (a folder, not a file)")
