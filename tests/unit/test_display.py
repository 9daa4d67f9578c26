"""Without a display the window cannot open: one line with the ways out, exit 2, never Qt's
abort. With a headless Qt platform it still runs."""

from __future__ import annotations

import os

import pytest
from helpers import moodplayer

from moodplayer.system.display import display_problem

NO_DISPLAY_VARS = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def bare_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in NO_DISPLAY_VARS}
    env.update(extra)
    return env


@pytest.mark.parametrize("env", [
    {"DISPLAY": ":0"},
    {"WAYLAND_DISPLAY": "wayland-0"},
    {"QT_QPA_PLATFORM": "offscreen"},
    {"QT_QPA_PLATFORM": "vnc:size=800x600"},
    {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":1"},
    {"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":1"},
    {"QT_QPA_PLATFORM": "someplugin"},  # unknown to us: Qt decides
])
def test_a_usable_platform_is_not_questioned(env):
    assert display_problem(env, "linux") is None


@pytest.mark.parametrize("env, needs", [
    ({}, "DISPLAY and WAYLAND_DISPLAY are not set"),
    ({"DISPLAY": ""}, "DISPLAY and WAYLAND_DISPLAY are not set"),
    ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, "QT_QPA_PLATFORM=xcb needs DISPLAY"),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, "needs WAYLAND_DISPLAY or DISPLAY"),
])
def test_no_display_says_why_and_the_ways_out(env, needs):
    problem = display_problem(env, "linux")
    assert needs in problem
    for way in ("desktop session", "moodplayer analyze", "QT_QPA_PLATFORM=offscreen"):
        assert way in problem
    assert display_problem(env, "win32") is None and display_problem(env, "darwin") is None


def test_the_app_without_a_display_exits_2_with_one_line():
    result = moodplayer("--source", "demo", "--backend", "null", "--quit-after", "1",
                        timeout=60, env=bare_env())
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("moodplayer: error: no display"), result.stderr
    assert "Qt platform plugin" not in result.stderr and "Traceback" not in result.stderr


def test_the_app_still_runs_on_the_offscreen_platform(tmp_path):
    result = moodplayer("--source", "demo", "--backend", "null", "--quit-after", "2",
                        "--config", str(tmp_path / "s.toml"), timeout=120,
                        env=bare_env(QT_QPA_PLATFORM="offscreen"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "no display" not in result.stderr
