"""Which face descriptor recognises listeners: dlib's ResNet (PyPI: dlib-bin +
face_recognition_models) against face-api's port of it (numpy, vision/faceapi), with the
faces the app's detector finds, and how face-api's crop should be framed.

    python -m moodplayer.dev.identify_study DIR [--k 1 3] [--cache FILE.npz]

A research tool (the figures in docs/accuracy.md, "Who is listening"): dlib is needed only
here (``pip install dlib-bin face_recognition_models``), the product uses face-api's net.
Each picture is detected once (largest face); each way then makes a descriptor, timed, and
moodplayer.dev.identify scores it for thresholds around the usual 0.6.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from moodplayer.dev.identify import identify_eval
from moodplayer.vision.datasets import load_dataset
from moodplayer.vision.detect import DetectorConfig, FaceDetector, cut_crop
from moodplayer.vision.faceapi.align import LandmarkNet, face_chip, landmarks_in_frame


def square_box(box, expand_pct, shift_down=0.0):
    """A square around the detector's box, grown by expand_pct % of its side, its centre
    moved down by shift_down of the side."""
    x, y, w, h = box
    side = max(w, h) * (1 + expand_pct / 100)
    cx, cy = x + w / 2, y + h / 2 + shift_down * h
    return int(round(cx - side / 2)), int(round(cy - side / 2)), int(round(side)), int(round(side))


def cut_padded(frame, box):
    """The box's pixels; the parts outside the frame repeat its edge."""
    x, y, w, h = box
    fh, fw = frame.shape[:2]
    pad = max(0, -x, -y, x + w - fw, y + h - fh)
    if pad:
        frame = cv2.copyMakeBorder(frame, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        x, y = x + pad, y + pad
    return frame[y:y + h, x:x + w]


class Ways:
    def __init__(self, faceapi_dir: Path | None, with_dlib: bool) -> None:
        from moodplayer.vision.faceapi.descriptor import FaceDescriptorNet

        self.net = FaceDescriptorNet.load(faceapi_dir)
        self.landmarks = LandmarkNet.load(faceapi_dir)
        self.dlib = None
        if with_dlib:
            import dlib
            import face_recognition_models as frm

            self.dlib = dlib
            self.sp5 = dlib.shape_predictor(frm.pose_predictor_five_point_model_location())
            self.dlib_net = dlib.face_recognition_model_v1(frm.face_recognition_model_location())

    def makers(self, frame, face):
        """{way: a function making the face's descriptor}."""
        out = {}
        rgb = np.ascontiguousarray(frame[..., ::-1])

        def boxed(pct, down=0.0):
            return lambda: self.net.describe(np.ascontiguousarray(
                cut_padded(rgb, square_box(face.box, pct, down))))
        for pct in (0, 10, 20, 30, 40):
            out[f"faceapi box+{pct}%"] = boxed(pct)
        for pct, down in ((20, 0.05), (30, 0.05), (30, 0.1)):
            out[f"faceapi box+{pct}% down {down}"] = boxed(pct, down)
        eyes = face.eyes
        out["faceapi box+20% eyes levelled"] = (
            (lambda: self.net.describe_bgr(cut_crop(frame, square_box(face.box, 20), 0, eyes)))
            if eyes is not None else boxed(20))

        def chip(margin, mirror=False):
            def make():
                chip = face_chip(rgb, landmarks_in_frame(self.landmarks, rgb, face.box, margin))
                d = self.net.describe(chip)
                if mirror:
                    d = (d + self.net.describe(np.ascontiguousarray(chip[:, ::-1]))) / 2
                return d
            return make
        for margin in (0.0, 0.1, 0.2):
            out[f"faceapi landmarks (68, box+{margin:g}) + chip"] = chip(margin)
        out["faceapi landmarks (68, box+0.1) + chip, mirror averaged"] = chip(0.1, True)
        if self.dlib is not None:
            x, y, w, h = face.box
            rect = self.dlib.rectangle(x, y, x + w, y + h)

            def dlib_chip():
                shape = self.sp5(rgb, rect)
                return self.dlib.get_face_chip(rgb, shape, size=150, padding=0.25)

            out["dlib landmarks (5) + chip"] = lambda: np.array(
                self.dlib_net.compute_face_descriptor(dlib_chip()))
            out["faceapi on dlib's chip"] = lambda: self.net.describe(dlib_chip())
            for pct in (20, 30):
                out[f"dlib box+{pct}% (no landmarks)"] = (lambda pct=pct: np.array(
                    self.dlib_net.compute_face_descriptor(np.ascontiguousarray(cv2.resize(
                        cut_padded(rgb, square_box(face.box, pct)), (150, 150),
                        interpolation=cv2.INTER_AREA)))))
        return out

    def all(self, frame, face, only=None):
        """{way: (descriptor, (wall s, CPU s))} for one face."""
        return {way: self._timed(make) for way, make in self.makers(frame, face).items()
                if only is None or any(key in way for key in only)}

    @staticmethod
    def _timed(make):
        t0 = time.process_time()
        w0 = time.perf_counter()
        value = make()
        return np.asarray(value, np.float32), (time.perf_counter() - w0, time.process_time() - t0)


def collect(root: Path, faceapi_dir: Path | None, with_dlib: bool, only=None):
    data = load_dataset(root)
    detector = FaceDetector(DetectorConfig(eyes=True))  # 'eyes levelled' needs them
    ways = Ways(faceapi_dir, with_dlib)
    groups, results, no_face = [], {}, 0
    detect_s = []
    for i, sample in enumerate(data.samples):
        if i % 50 == 0:
            print(f"{i}/{len(data.samples)}", file=sys.stderr, flush=True)
        frame = cv2.imread(str(sample.path))
        t0 = time.perf_counter()
        faces = detector.detect(frame) if frame is not None else []
        detect_s.append(time.perf_counter() - t0)
        groups.append(sample.group)
        if not faces:
            no_face += 1
            for way in results:
                results[way].append(None)
            continue
        found = ways.all(frame, faces[0], only)
        for way, value in found.items():
            results.setdefault(way, [None] * (len(groups) - 1)).append(value)
    return groups, results, no_face, float(np.mean(detect_s))


def save_cache(path: Path, groups, results, no_face, detect_s) -> None:
    arrays = {"groups": np.array(groups), "meta": np.array([no_face, detect_s])}
    for n, (way, values) in enumerate(results.items()):
        found = np.array([v is not None for v in values])
        arrays[f"way{n}_name"] = np.array(way)
        arrays[f"way{n}_found"] = found
        arrays[f"way{n}_desc"] = np.array([v[0] if v is not None else np.zeros(128, np.float32)
                                           for v in values])
        arrays[f"way{n}_time"] = np.array([v[1] if v is not None else (0.0, 0.0) for v in values])
    np.savez_compressed(path, **arrays)


def load_cache(path: Path):
    data = np.load(path)
    groups = [str(g) for g in data["groups"]]
    results = {}
    n = 0
    while f"way{n}_name" in data.files:
        found, desc, times = data[f"way{n}_found"], data[f"way{n}_desc"], data[f"way{n}_time"]
        results[str(data[f"way{n}_name"])] = [(desc[i], tuple(times[i])) if found[i] else None
                                             for i in range(len(groups))]
        n += 1
    no_face, detect_s = data["meta"]
    return groups, results, int(no_face), float(detect_s)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--faceapi-dir", type=Path,
                        help="the converted nets (default: faceapi_dir(), where make setup puts them)")
    parser.add_argument("--k", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--thresholds", type=float, nargs="+",
                        default=[0.35, 0.4, 0.45, 0.5, 0.55, 0.6])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-dlib", action="store_true")
    parser.add_argument("--only", nargs="+", help="only the ways whose name holds one of these")
    parser.add_argument("--cache", type=Path, help="keep the descriptors here (.npz) and reuse them")
    args = parser.parse_args(argv)
    if args.cache and args.cache.is_file():
        groups, results, no_face, detect_s = load_cache(args.cache)
    else:
        groups, results, no_face, detect_s = collect(args.root, args.faceapi_dir, not args.no_dlib, args.only)
        if args.cache:
            save_cache(args.cache, groups, results, no_face, detect_s)
    print(f"{len(groups)} pictures, {len(set(groups))} people, no face found: {no_face}, "
          f"detection {detect_s * 1000:.1f} ms a picture")
    print("| way | ms a face (wall / CPU) | " + " | ".join(
        f"K={k} acc / strangers @{t}" for k in args.k for t in args.thresholds) + " |")
    for way, values in results.items():
        faces = [(g, None if v is None else v[0]) for g, v in zip(groups, values)]
        times = np.array([v[1] for v in values if v is not None])
        cells = []
        for k in args.k:
            for t in args.thresholds:
                r = identify_eval(faces, k, t, rounds=args.rounds)
                cells.append(f"{r['accuracy']:.3f} / {r['strangers_accepted']:.3f}")
        print(f"| {way} | {times[:, 0].mean() * 1000:.1f} / {times[:, 1].mean() * 1000:.1f} | "
              + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
