"""Running from the PyInstaller bundle (``make package``): point python-vlc at the bundled
libvlc and plugins, DeepFace at the bundled model folder, and refuse to start, naming the
file, when the bundle lost something it needs."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from pathlib import Path

# Relative to the bundle's root: what the app cannot run without.
LIBVLC = "libvlc.so.5"
VLC_PLUGINS = "vlc/plugins"
DEEPFACE_HOME = "deepface_home"
REQUIRED = (
    LIBVLC,
    "libvlccore.so.9",
    VLC_PLUGINS,
    f"{DEEPFACE_HOME}/.deepface/weights/haarcascade_frontalface_default.xml",
    f"{DEEPFACE_HOME}/.deepface/weights/haarcascade_eye.xml",
    "fer/data/emotion_model_quantized.tflite",
)


def root() -> Path | None:
    from moodplayer.core.files.locations import bundle_root

    return bundle_root()


def missing_files(base: Path) -> list[Path]:
    return [base / rel for rel in REQUIRED if not (base / rel).exists()]


def prepare() -> str | None:
    """Set the environment for the bundled parts. Returns a message when a required file
    is missing (the caller exits with it), None when all is there or not frozen."""
    base = root()
    if base is None:
        return None
    missing = missing_files(base)
    if missing:
        names = ", ".join(str(p) for p in missing)
        return (f"this MoodPlayer bundle is incomplete: {names} is missing. "
                "Reinstall it (or rebuild with 'make package').")
    # python-vlc reads these when it is imported: the bundle's libvlc, never the system's
    os.environ["PYTHON_VLC_LIB_PATH"] = str(base / LIBVLC)
    os.environ["PYTHON_VLC_MODULE_PATH"] = str(base / VLC_PLUGINS)
    os.environ["VLC_PLUGIN_PATH"] = str(base / VLC_PLUGINS)
    os.environ.setdefault("DEEPFACE_HOME", str(base / DEEPFACE_HOME))
    # no TensorFlow in the bundle: DeepFace's engine is onnxruntime (our detector needs none)
    os.environ.setdefault("DEEPFACE_BACKEND_ENGINE", "onnx")
    if OnnxRuntimeLeftOut not in map(type, sys.meta_path):
        sys.meta_path.append(OnnxRuntimeLeftOut())
    return None


class OnnxRuntimeLeftOut(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """onnxruntime (35 MB) is not in the bundle: the emotion network runs on LiteRT and
    DeepFace's OpenCV detector needs no runtime at all. DeepFace still checks that its engine
    is *installed* (importlib.util.find_spec) before it hands that detector out; this finder
    answers the check, and anything that really imports onnxruntime gets an ImportError
    saying it was left out."""

    NAME = "onnxruntime"

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.NAME or fullname.startswith(self.NAME + "."):
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        raise ImportError("onnxruntime is not part of the MoodPlayer bundle: only DeepFace "
                          "models that run on it need it; use the development install "
                          "('make setup') for those")
