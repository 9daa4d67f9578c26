"""The video targets of recognising listeners (issue 22), on camera-like clips made from
persons-dev's stills (development only: the figures in docs/accuracy.md, "Who is listening").

    python -m moodplayer.dev.listener_clips persons-dev [--threshold 0.35 0.4] [--mean-of 1 3]
        [--cache /tmp/clips.json] [--json OUT]

There is no real video of several people here, so each person's clips are built from their
posed stills with the camera-clip generator (moodplayer/dev/camera_clips.py: sensor noise,
exposure drift and flicker, jitter, sway), each still held ``hold_s`` seconds:

* an enrolment clip of ``enrol_s`` (a minute) from some expressions (``ENROL_LABELS``),
  enrolled exactly as ``moodplayer enrol --video`` does (a face a second, the app's
  detector, vision/listeners.py, core/listeners/enrolment.py);
* a test clip of ``test_s`` from the *other* expressions (``TEST_LABELS``), through
  another camera preset.

Every person of the set is the stranger once with every pair of the others enrolled (14
people: 91 pairs × 12 strangers). Each test clip is read a face a second, as the app does,
and each second with a face counts for:

* ``per_second``: that second's identification alone (core/listeners/matching.identify);
* ``tracker``: who the app's ListenerTracker has decided is listening at that second
  (3 of the last 4 answers agreeing; its first seconds are undecided, so this counts the
  time it takes to recognise someone as time not recognised).

Enrolled people: recognised = the answer is their own profile; the stranger: unknown =
nobody decided (no enrolled profile). ``--threshold`` takes several distances and
``--mean-of N`` identifies each second on the mean of the last N descriptors (several
frames averaged per decision), each combination reported. The clips are written to a
temporary folder and deleted at once; ``--cache FILE`` keeps only their descriptors
(numbers), so other rules can be scored without making the clips again.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import cv2
import numpy as np

from moodplayer.core.listeners.enrolment import DEFAULT_MODEL, enrol
from moodplayer.core.listeners.matching import DEFAULT_THRESHOLD, distances, identify
from moodplayer.core.listeners.tracker import ListenerTracker
from moodplayer.dev.camera_clips import impairments, write_camera_clip

ENROL_LABELS = ("neutral", "happy", "surprise", "angry")
TEST_LABELS = ("sad", "fear", "disgust")


def pictures_by_person(root: Path) -> dict[str, dict[str, list[Path]]]:
    people: dict[str, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    with (root / "labels.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            people[row["group"]][row["label"]].append(root / row["path"])
    return people


def script(pictures: dict[str, list[Path]], labels: tuple[str, ...], seconds: float,
           hold_s: float) -> list[tuple[str, float]]:
    """The person's pictures of those expressions in turn, each held hold_s, for seconds."""
    pool = [str(p) for label in labels for p in sorted(pictures.get(label, []))]
    if not pool:
        raise ValueError(f"no picture of {labels}")
    out, total, i = [], 0.0, 0
    while total < seconds - 1e-9:
        length = min(hold_s, seconds - total)
        out.append((pool[i % len(pool)], length))
        total, i = total + length, i + 1
    return out


def clip_descriptors(folder: Path, name: str, scene, preset: str, seed: int, fps: float,
                     detector, recogniser) -> list:
    from moodplayer.vision.listeners import video_descriptors

    path = write_camera_clip(folder / f"{name}.avi", scene, impairments(preset, seed=seed), fps=fps)
    try:
        return list(video_descriptors(path, detector, recogniser))
    finally:
        path.unlink(missing_ok=True)


def spread(enrolment) -> float:
    """How far a profile's kept descriptors lie from their mean, on average."""
    kept = np.array(enrolment.descriptors)
    return float(np.mean(np.linalg.norm(kept - np.array(enrolment.mean), axis=1)))


def decisions(answers: list, enrolled: list, threshold: float, mean_of: int = 1,
              spread_weight: float = 0.0, mean_spread: float = 0.0) -> list[tuple[str | None, str | None]]:
    """Per second with a face: (that second's match, the tracker's listener or None). With
    ``mean_of`` > 1 each second is identified on the mean of the last ``mean_of``
    descriptors (of the seconds with a face). With ``spread_weight`` a profile's threshold
    is ``threshold + spread_weight × (its spread − mean_spread)``: looser for a person whose
    enrolment varies more (the nearest profile within its own threshold is the answer)."""
    tracker = ListenerTracker(active=enrolled[0].profile, enrolled=[e.profile for e in enrolled])
    limits = {e.profile: threshold + spread_weight * (spread(e) - mean_spread) for e in enrolled}
    out, recent = [], []
    for t, descriptor in answers:
        if descriptor is None:
            tracker.push(t, None, face=False)
            continue
        recent = (recent + [np.asarray(descriptor, np.float64)])[-mean_of:]
        if spread_weight:
            found = distances(np.mean(recent, axis=0), enrolled)
            within = [p for p in found if found[p] < limits[p]]
            profile = min(within, key=lambda p: found[p]) if within else None
        else:
            match = identify(np.mean(recent, axis=0), enrolled, threshold)
            profile = match.profile if match else None
        tracker.push(t, profile)
        out.append((profile, tracker.listener if tracker.decided else None))
    return out


def read_clips(root: Path, cache: Path | None, enrol_s: float, test_s: float, hold_s: float,
               enrol_preset: str, test_preset: str, fps: float) -> dict:
    """{clip name: [(t, descriptor or None), ...]}: every person's enrolment and test clip
    (the ones already in ``cache``, made with the same settings, are not made again)."""
    key = f"{enrol_s}-{test_s}-{hold_s}-{enrol_preset}-{test_preset}-{fps}"
    clips: dict = {}
    if cache is not None and cache.is_file():
        stored = json.loads(cache.read_text())
        if stored.get("key") == key:
            clips = stored["clips"]
    people = pictures_by_person(root)
    todo = [(kind, person) for person in sorted(people) for kind in ("enrol", "test")
            if f"{kind}-{person}" not in clips]
    if not todo:
        return clips
    from moodplayer.vision.detect import FaceDetector
    from moodplayer.vision.listeners import ListenerRecogniser

    cv2.setNumThreads(1)
    detector, recogniser = FaceDetector(), ListenerRecogniser.load()
    with tempfile.TemporaryDirectory(prefix="listener-clips-") as tmp:
        for kind, person in todo:
            labels, seconds, preset, seed = ((ENROL_LABELS, enrol_s, enrol_preset, 100) if kind == "enrol"
                                             else (TEST_LABELS, test_s, test_preset, 200))
            read = clip_descriptors(Path(tmp), f"{kind}-{person}", script(people[person], labels, seconds, hold_s),
                                    preset, seed + int(person) if person.isdigit() else seed, fps,
                                    detector, recogniser)
            clips[f"{kind}-{person}"] = [(t, None if d is None else [round(float(x), 6) for x in d])
                                         for t, d in read]
            print(f"  {kind} {person}: {sum(d is not None for _, d in read)} of {len(read)} "
                  "seconds with a face", flush=True)
            if cache is not None:
                cache.write_text(json.dumps({"key": key, "clips": clips}))
    return clips


def study(root: Path, enrol_s: float = 60.0, test_s: float = 60.0, hold_s: float = 5.0,
          enrol_preset: str = "steady", test_preset: str = "jittery", fps: float = 5.0,
          thresholds: tuple[float, ...] = (DEFAULT_THRESHOLD,), mean_of: tuple[int, ...] = (1,),
          cache: Path | None = None, spread_weights: tuple[float, ...] = (0.0,)) -> dict:
    """Every person as the stranger with every pair of the others enrolled."""
    clips = read_clips(root, cache, enrol_s, test_s, hold_s, enrol_preset, test_preset, fps)
    groups = sorted(pictures_by_person(root))
    results = []
    enrolments = {p: enrol(p, [d for _, d in clips[f"enrol-{p}"] if d is not None], model=DEFAULT_MODEL)
                  for p in groups}
    mean_spread = float(np.mean([spread(e) for e in enrolments.values()]))
    for threshold, m, weight in ((t, m, w) for t in thresholds for m in mean_of for w in spread_weights):
        seen = defaultdict(lambda: [0, 0, 0])  # role -> [seconds, per-second right, tracker right]
        stranger_ok = defaultdict(list)  # stranger -> tracker share unknown, per pair
        for pair in combinations(groups, 2):
            enrolled = [enrolments[p] for p in pair]
            for person in groups:
                truth = person if person in pair else None
                followed = decisions(clips[f"test-{person}"], enrolled, threshold, m, weight, mean_spread)
                role = "enrolled" if truth else "stranger"
                right = sum(x == truth for x, _ in followed)
                tracked = sum(listener == truth for _, listener in followed)
                seen[role][0] += len(followed)
                seen[role][1] += right
                seen[role][2] += tracked
                if truth is None:
                    stranger_ok[person].append(tracked / max(1, len(followed)))
        summary = {role: {"seconds_with_face": s, "per_second": round(r / max(1, s), 4),
                          "tracker": round(t / max(1, s), 4)} for role, (s, r, t) in seen.items()}
        summary["configurations"] = len(list(combinations(groups, 2))) * (len(groups) - 2)
        summary["strangers_unknown_90pct"] = round(float(np.mean(
            [share >= 0.9 for shares in stranger_ok.values() for share in shares])), 4)
        results.append({"threshold": threshold, "mean_of": m, "spread_weight": weight, "summary": summary,
                        "stranger_unknown_by_person": {p: round(float(np.mean(v)), 3)
                                                       for p, v in stranger_ok.items()}})
        print(f"threshold {threshold} mean of {m} spread weight {weight:g}: enrolled recognised "
              f"{summary['enrolled']['per_second']:.3f}"
              f" a second / {summary['enrolled']['tracker']:.3f} tracked; stranger unknown "
              f"{summary['stranger']['per_second']:.3f} / {summary['stranger']['tracker']:.3f}; "
              f"configurations with the stranger unknown >= 90 %: {summary['strangers_unknown_90pct']:.3f}",
              flush=True)
    return {"results": results, "people": groups, "enrol_s": enrol_s, "test_s": test_s, "hold_s": hold_s,
            "enrol_preset": enrol_preset, "test_preset": test_preset,
            "enrol_labels": list(ENROL_LABELS), "test_labels": list(TEST_LABELS)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moodplayer.dev.listener_clips",
                                     description="two people enrolled from a minute of video, "
                                                 "a third never: who is recognised in other clips")
    parser.add_argument("root", help="persons-dev (path,label,group labels.csv)")
    parser.add_argument("--enrol-s", type=float, default=60.0)
    parser.add_argument("--test-s", type=float, default=60.0)
    parser.add_argument("--hold-s", type=float, default=5.0)
    parser.add_argument("--enrol-preset", default="steady")
    parser.add_argument("--test-preset", default="jittery")
    parser.add_argument("--threshold", type=float, nargs="+", default=[DEFAULT_THRESHOLD])
    parser.add_argument("--mean-of", type=int, nargs="+", default=[1],
                        help="identify each second on the mean of the last N descriptors")
    parser.add_argument("--spread-weight", type=float, nargs="+", default=[0.0],
                        help="a profile's threshold + W × (its enrolment's spread − the mean spread)")
    parser.add_argument("--fps", type=float, default=5.0,
                        help="the clips' frame rate (a descriptor a second is read whatever it is)")
    parser.add_argument("--cache", help="keep the clips' descriptors in this JSON file (numbers only)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    result = study(Path(args.root), args.enrol_s, args.test_s, args.hold_s, args.enrol_preset,
                   args.test_preset, args.fps, thresholds=tuple(args.threshold),
                   mean_of=tuple(args.mean_of), cache=Path(args.cache) if args.cache else None,
                   spread_weights=tuple(args.spread_weight))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
