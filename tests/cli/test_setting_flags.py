"""Every declared setting a command offers as a flag takes effect: parsed as a user types it,
`run`'s flags reach the running app's configuration (commands/run.py's app_options, the app
built from it in this process, not started), and `analyze --json` reports the values it used.

Each example's settings file holds another valid value, so the test sees that the flag, not
the file, decides, and that the file's value is left for the next run."""

from __future__ import annotations

import json

import pytest
from helpers import moodplayer
from media import HAPPY_STILL, expression_video

from moodplayer.commands import COMMANDS, parse
from moodplayer.commands import run as run_command
from moodplayer.core.settings.schema import PROFILE_OPTIONS, SETTINGS_OPTIONS, Settings, save_settings

DECLARED = {**SETTINGS_OPTIONS, **PROFILE_OPTIONS}
# setting -> (the settings file's value, the command line's value); a switch both ways
EXAMPLES = {
    "source": [("camera:0", "demo")],
    "engine": [("deepface", "fer")],
    "detector": [("ssd", "opencv")],
    "align": [(False, True), (True, False)],
    "expand_percentage": [(10, 20)],
    "adaptive_rate": [(True, False), (False, True)],
    "window_s": [(5.0, 3.0)],
    "margin": [(0.15, 0.3)],
    "min_dwell_s": [(1.0, 2.5)],
    "no_face_timeout_s": [(10.0, 4.0)],
    "switch_fade_s": [(3.0, 1.5)],
    "crossfade_s": [(0.0, 2.0)],
    "replaygain": [("track", "album")],
    "resume": [(True, False), (False, True)],
    "tray": [("icon", "off")],
    "notifications": [(False, True), (True, False)],
}
# where the app's parts carry each machine setting `run` offers (cfg: the analyzer's config)
CARRIED = {
    "source": lambda app, cfg: app.source_spec.kind,
    "engine": lambda app, cfg: cfg.engine,
    "detector": lambda app, cfg: cfg.detector.backend,
    "align": lambda app, cfg: cfg.detector.align,
    "expand_percentage": lambda app, cfg: cfg.detector.expand_percentage,
    "adaptive_rate": lambda app, cfg: app.analysis.pace is not None,
    "switch_fade_s": lambda app, cfg: app.session.fades.switch_s,
    "crossfade_s": lambda app, cfg: app.backend.crossfade_ms / 1000,
    "replaygain": lambda app, cfg: app.replaygain,
    "resume": lambda app, cfg: app.machine.resume,  # read once, at start (tests/e2e/test_resume_app.py)
    "tray": lambda app, cfg: app.tray_mode,
    "notifications": lambda app, cfg: app.notifications_on,
}


def typed(name: str, value) -> list[str]:
    flag = DECLARED[name].cli
    if isinstance(value, bool):
        return [flag if value else f"--no-{flag[2:]}"]
    return [flag, f"{value:g}" if isinstance(value, float) else str(value)]


def settings_file(path, values: dict):
    """A settings file with these machine and (Default) profile values."""
    settings = Settings()
    for name, value in values.items():
        setattr(settings if name in SETTINGS_OPTIONS else settings.profile, name, value)
    save_settings(path, settings)
    return path


def test_every_flag_has_an_example_and_every_machine_flag_is_offered_by_run():
    flagged = {name for name, option in DECLARED.items() if option.cli}
    assert set(EXAMPLES) == flagged
    assert set(run_command.SETTINGS) == {n for n in flagged if n in SETTINGS_OPTIONS} == set(CARRIED)
    for name, examples in EXAMPLES.items():
        for in_file, given in examples:
            option = DECLARED[name]
            assert in_file != given and not option.validate(in_file) and not option.validate(given)


@pytest.fixture
def build_app(qtbot):
    from moodplayer.app import AppOptions, MoodPlayerApp

    apps = []

    def build(argv: list[str]):
        args = parse(["run", "--backend", "null", *argv])
        app = MoodPlayerApp(run_command.app_options(args, AppOptions))
        apps.append(app)
        return args, app

    yield build
    for app in apps:
        app.shutdown()
        app.window.close()


@pytest.mark.parametrize("name,in_file,given", [
    pytest.param(name, in_file, given, id=" ".join(typed(name, given)))
    for name in run_command.SETTINGS for in_file, given in EXAMPLES[name]])
def test_each_run_flag_reaches_the_running_apps_configuration(tmp_path, build_app, name, in_file, given):
    from moodplayer.vision.analyzer import AnalyzerConfig

    config = settings_file(tmp_path / "settings.toml", {name: in_file})
    args, app = build_app(["--config", str(config), *typed(name, given)])
    assert getattr(args, name) == given
    assert getattr(app.machine, name) == given  # what this run uses
    assert getattr(app.settings, name) == in_file  # the file's value, kept for the next run
    assert CARRIED[name](app, AnalyzerConfig.from_settings(app.machine)) == given


def test_all_run_flags_at_once_reach_the_app(tmp_path, build_app):
    from moodplayer.vision.analyzer import AnalyzerConfig

    first = {name: EXAMPLES[name][0] for name in run_command.SETTINGS}
    config = settings_file(tmp_path / "settings.toml", {n: f for n, (f, _) in first.items()})
    argv = [word for name, (_, given) in first.items() for word in typed(name, given)]
    _, app = build_app(["--config", str(config), *argv])
    cfg = AnalyzerConfig.from_settings(app.machine)
    assert {n: getattr(app.machine, n) for n in first} == {n: g for n, (_, g) in first.items()}
    assert {n: CARRIED[n](app, cfg) for n in first} == {n: g for n, (_, g) in first.items()}


def test_analyze_json_reports_the_flags_it_was_given(tmp_path):
    from moodplayer.commands import build_parser

    offered = {a.dest for a in build_parser().commands["analyze"]._actions} & set(EXAMPLES)
    config = settings_file(tmp_path / "settings.toml", {n: EXAMPLES[n][0][0] for n in offered})
    argv = [word for name in sorted(offered) for word in typed(name, EXAMPLES[name][0][1])]
    video = expression_video(tmp_path / "faces.mp4", [(HAPPY_STILL, 2)], fps=5)
    result = moodplayer("analyze", str(video), "--json", "--config", str(config), *argv)
    assert result.returncode == 0, result.stderr
    reported = json.loads(result.stdout)["settings"]
    assert reported.pop("profile") == "Default"
    # every flag analyze reports, at the command line's value (align, expand and the no-face
    # timeout act in the analyzer and the window but are not in the summary)
    assert set(reported) == offered - {"align", "expand_percentage", "no_face_timeout_s"}
    assert reported == {name: EXAMPLES[name][0][1] for name in reported}


def test_the_commands_offer_only_declared_settings_by_their_declared_flag():
    from moodplayer.commands import build_parser

    parser = build_parser()
    for command in COMMANDS:
        for action in parser.commands[command]._actions:
            if action.dest in DECLARED:
                assert DECLARED[action.dest].cli in action.option_strings, (command, action.dest)
