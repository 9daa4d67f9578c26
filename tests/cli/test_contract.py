"""The command line's contract, for every command in the registry, as real processes
(`python -m moodplayer`): `--help` works; a wrong option, a missing argument or an odd value
is one usage line and one error line with exit 2; a problem of the machine or of a file is
said in words; a closed stdout pipe ends quietly; never a traceback.

The lists below come from the parser itself (commands/__init__.py's registry and each
command's options), so a new command or option is held to the same contract."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, moodplayer
from media import HAPPY_STILL, expression_video

from moodplayer.commands import COMMANDS, build_parser
from moodplayer.core.settings.schema import PROFILE_OPTIONS, SETTINGS_OPTIONS

PARSER = build_parser()
# Enough of each command's required arguments for its parser to reach what comes after.
REQUIRED = {"analyze": ["clip.mp4"], "calibrate": ["Anna", "--pictures", "faces"],
            "enrol": ["Anna", "--pictures", "faces"],
            "report": ["--out", "report.pdf"], "eval": ["faces"]}


def options_of(command: str) -> dict[str, argparse.Action]:
    """The command's options, by flag."""
    return {flag: action for action in PARSER.commands[command]._actions
            for flag in action.option_strings}


def has_required(command: str) -> bool:
    parser = PARSER.commands[command]
    return (any(a.required for a in parser._actions)
            or any(g.required for g in parser._mutually_exclusive_groups))


def assert_one_line_error(result: subprocess.CompletedProcess, command: str, says: str = "") -> str:
    """Exit 2, nothing on stdout, on stderr the command's usage line and one error line."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"usage: moodplayer {command} "), lines
    assert lines[1].startswith(f"moodplayer {command}: error: "), lines
    assert says in lines[1], lines
    return lines[1]


def test_the_registry_is_what_the_parser_offers_and_the_required_arguments_are_known():
    assert tuple(PARSER.commands) == COMMANDS  # in a development install: every command
    assert {c for c in COMMANDS if has_required(c)} == set(REQUIRED)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_exits_0_with_the_usage(command):
    result = moodplayer(*[command] * bool(command), "--help", timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.startswith(f"usage: moodplayer {command}".rstrip() + " ")
    if not command:
        for name in COMMANDS:  # the bare help lists each command
            assert re.search(rf"\n    {name}\s+\S", result.stdout), name


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_an_unknown_option_is_the_commands_usage_and_one_line(command):
    given = [command, *REQUIRED.get(command, [])] if command else []
    result = moodplayer(*given, "--no-such-option", timeout=60)
    # options first, or none: `moodplayer` is `moodplayer run`, and says so
    assert_one_line_error(result, command or "run", "unrecognized arguments: --no-such-option")


@pytest.mark.parametrize("command", sorted(REQUIRED))
def test_a_missing_argument_is_one_line(command):
    assert_one_line_error(moodplayer(command, timeout=60), command, "required")


def test_calibrate_without_video_or_pictures_is_one_line():
    assert_one_line_error(moodplayer("calibrate", "Anna", timeout=60), "calibrate",
                          "one of the arguments --video --pictures is required")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "0", "soon"])
def test_run_quit_after_needs_seconds_above_0(value):
    result = moodplayer("run", "--backend", "null", f"--quit-after={value}", timeout=60)
    assert_one_line_error(result, "run", f"argument --quit-after: '{value}'")


def bad_values(option) -> list[str]:
    """Values the declaration refuses, as a user would type them."""
    if option.kind is bool:
        return []  # a switch takes no value: see the test below
    if option.choices:
        return ["nope", ""]
    if option.range is None:
        return [""]  # text checked by its declaration (source, detector)
    lo, hi = option.range
    step = 1 if option.kind is int else 0.5
    return ["nan", "inf", f"{lo - step:g}", f"{hi + step:g}", "ten"]


SETTING_FLAGS = [(command, flag, option)
                 for command in COMMANDS
                 for flag, action in options_of(command).items()
                 for option in [SETTINGS_OPTIONS.get(action.dest) or PROFILE_OPTIONS.get(action.dest)]
                 if option is not None and flag == option.cli]


def test_every_declared_flag_is_offered_somewhere():
    offered = {option.name for _, _, option in SETTING_FLAGS}
    declared = {o.name for o in (*SETTINGS_OPTIONS.values(), *PROFILE_OPTIONS.values()) if o.cli}
    assert offered == declared


@pytest.mark.parametrize("command,flag,value,option", [
    pytest.param(c, f, v, o, id=f"{c} {f} {v!r}") for c, f, o in SETTING_FLAGS for v in bad_values(o)])
def test_a_setting_flag_out_of_its_declaration_is_one_line(command, flag, value, option):
    result = moodplayer(command, *REQUIRED.get(command, []), flag, value, timeout=60)
    line = assert_one_line_error(result, command)
    # in the words of the declaration
    reason = option.describe()
    assert line.startswith(f"moodplayer {command}: error: argument {flag}: ") and reason in line, line


@pytest.mark.parametrize("command,flag", [(c, f) for c, f, o in SETTING_FLAGS if o.kind is bool])
def test_a_switch_given_a_value_is_one_line(command, flag):
    result = moodplayer(command, *REQUIRED.get(command, []), f"{flag}=nan", timeout=60)
    assert_one_line_error(result, command, f"argument {flag}")


@pytest.mark.parametrize("command", [c for c in COMMANDS if "--config" in options_of(c)])
def test_a_config_under_an_unknown_users_home_is_one_line_and_writes_nothing(tmp_path, command):
    (tmp_path / "faces").mkdir()
    given = {"run": ["--backend", "null", "--source", "demo", "--quit-after", "1"],
             "bench": ["--frames", "1"]}.get(command, REQUIRED.get(command, []))
    env = dict(os.environ, PYTHONPATH=str(REPO))  # run from tmp_path: this tree, not the venv's
    result = subprocess.run([sys.executable, "-m", "moodplayer", command, *given,
                             "--config", "~nosuchuser/s.toml"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "moodplayer: error: settings file ~nosuchuser/s.toml: ~nosuchuser names no home folder"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faces"]  # no folder named ~nosuchuser


@pytest.fixture
def blank_profile_config(tmp_path) -> Path:
    config = tmp_path / "settings.toml"
    config.write_text('schema_version = 2\nactive_profile = ""\n[profiles.""]\nwindow_s = 3.0\n')
    return config


BLANK_SAID = ["moodplayer: settings: active_profile = '': must name a profile; the default is used",
              "moodplayer: settings: profiles.'' ignored: a profile needs a name"]


def test_a_blank_profile_name_in_the_file_is_said_and_sessions_lists_the_default(blank_profile_config):
    result = moodplayer("sessions", "--config", str(blank_profile_config), timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines() == BLANK_SAID
    assert result.stdout.startswith("no recorded sessions for profile Default ")


def test_a_blank_profile_name_in_the_file_is_said_and_analyze_runs(tmp_path, blank_profile_config):
    import json

    video = expression_video(tmp_path / "faces.mp4", [(HAPPY_STILL, 1)], fps=5)
    result = moodplayer("analyze", str(video), "--json", "--config", str(blank_profile_config))
    assert result.returncode == 0, result.stderr
    assert [x for x in result.stderr.splitlines() if x.startswith("moodplayer:")] == BLANK_SAID
    assert json.loads(result.stdout)["settings"]["profile"] == "Default"


def test_a_blank_profile_name_in_the_file_is_said_and_the_window_runs(blank_profile_config):
    result = moodplayer("run", "--backend", "null", "--source", "demo", "--quit-after", "1",
                        "--config", str(blank_profile_config))
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert [x for x in result.stderr.splitlines() if x.startswith("moodplayer:")] == BLANK_SAID


@pytest.mark.parametrize("args", [("doctor",), ("sessions", "--json"), ("--help",)])
def test_a_closed_stdout_pipe_ends_quietly(args):
    """`moodplayer doctor | head -c1`, with the reader gone before anything is written (so
    every write meets the closed pipe, whatever the timing)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run([sys.executable, "-m", "moodplayer", *args], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode in (0, 1)  # doctor: 1 when it found a problem; 0 when all good


def test_the_shells_head_c1_is_quiet_too():
    script = f"{sys.executable} -m moodplayer sessions --json | head -c1; exit ${{PIPESTATUS[0]}}"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "{", "")


def test_doctor_says_when_the_data_folder_is_unusable(tmp_path):
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be")
    env = {k: v for k, v in os.environ.items() if k != "DEEPFACE_HOME"}  # models there too
    env["XDG_DATA_HOME"] = str(not_a_folder)
    result = moodplayer("doctor", env=env, timeout=120)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 1
    said = [x for x in result.stdout.splitlines() if x.startswith("[!!] data folder")]
    assert said == [f"[!!] data folder: {not_a_folder}/moodplayer is unusable (Not a directory)"]
    assert "[!!] model folder" in result.stdout and "emotion engine (auto): fer" in result.stdout


def test_the_readmes_usage_block_is_what_help_prints():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Usage\n\n```\n", 1)[1].split("```\n", 1)[0]
    usages = [PARSER.commands[c].format_usage().removeprefix("usage: ") for c in COMMANDS]
    assert " ".join(block.split()) == " ".join(" ".join([*usages, "make soak [SOAK_MIN=30]"]).split())
