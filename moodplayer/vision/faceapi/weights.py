"""face-api's weights: the npm package's manifests decoded, and the ``.npz`` files made of
them (one per net, float32 arrays named as in the manifest) read back.

The npz files are written by ``make setup`` (moodplayer/provision/faceapi.py) into
``faceapi_dir()``; nothing here downloads. Each file carries its content's checksum
(names, shapes and values), checked on load against the one recorded here, so a truncated
or altered file is refused with a clear message instead of reading faces wrongly.
"""

from __future__ import annotations

import hashlib
import io
import math
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer.core.files.reading import what_it_is
from moodplayer.vision.models import FACEAPI_EXPRESSION_FILE, ModelUnavailable, faceapi_dir


@dataclass(frozen=True)
class NetFile:
    model: str  # the package's name for it: model/<model>-weights_manifest.json + .bin
    npz: str  # the converted file in faceapi_dir()
    digest: str  # content_digest() of the converted arrays
    shapes: str = ""  # shapes_digest(): the arrays' names and shapes only


# Recorded from @vladmandic/face-api 1.7.15 (the package's sha256 is in provision/faceapi.py).
NETS: dict[str, NetFile] = {
    "expression": NetFile("face_expression_model", FACEAPI_EXPRESSION_FILE,
                          "b0ab776ba447ec72a3184ba1293cbd510e66830a2c0a43e7fc1d6d0fcd917917",
                          "a37f66d7c9cf8da4fe05357aceb588abfcd06475a12c6c4f35a35b9069069325"),
    "recognition": NetFile("face_recognition_model", "face_recognition.npz",
                           "afe7f6164213f46b605141965a9b214dceb7968070dd8d928649cc870fdd6862",
                           "431d9f41acb7b5de052aaa25d7e8fa3cd35a19436c6eb41e08640440cd36ee0a"),
    # 68 landmarks: the expression net's feature extractor, fully connected 256 -> 136
    # (aligns the face for the descriptor: vision/faceapi/align.py)
    "landmarks": NetFile("face_landmark_68_model", "face_landmark_68.npz",
                         "d6a659e10ad9b5e044bf19b6bd9e00c0a5d921773ad0bafc602ef34bbfd5ec28",
                         "fa774f306c6a15998f9841ff85ad28944d06dbe3f3374f31bd354902a87eade4"),
    "tiny_detector": NetFile("tiny_face_detector_model", "tiny_face_detector.npz",
                             "2311bebdad168ca80c5482153d3267def5124ea10728f3b2b184ada36109efd9",
                             "ad3e00a164ea4ae3d49965321e4609d01c2e872f1ffa9b0a07cc43cb4874c549"),
}

_QUANT = {"uint8": np.uint8, "uint16": np.uint16, "float16": np.float16}
_PLAIN = {"float32": np.float32, "int32": np.int32}


def decode_manifest(manifest: list[dict], shards: list[bytes]) -> dict[str, np.ndarray]:
    """A TensorFlow.js weights manifest and its binary shards -> {name: float32 array}.

    Quantised tensors (``quantization: {dtype: uint8, scale, min}``) are dequantised the way
    tfjs does it (``q * scale + min``, kept as float32); others are read as stored."""
    data = b"".join(shards)
    arrays: dict[str, np.ndarray] = {}
    offset = 0
    for group in manifest:
        for entry in group["weights"]:
            shape = tuple(int(d) for d in entry["shape"])
            count = math.prod(shape)
            quant = entry.get("quantization")
            if quant:
                dtype = np.dtype(_QUANT[quant["dtype"]])
            else:
                dtype = np.dtype(_PLAIN[entry["dtype"]])
            size = count * dtype.itemsize
            if offset + size > len(data):
                raise ValueError(f"weights file too short for {entry['name']}")
            raw = np.frombuffer(data, dtype=dtype.newbyteorder("<"), count=count, offset=offset)
            offset += size
            if quant and quant["dtype"] != "float16":
                values = raw.astype(np.float64) * float(quant["scale"]) + float(quant["min"])
                if entry["dtype"] == "int32":  # tfjs rounds dequantised integers
                    values = np.round(values)
            else:
                values = raw
            arrays[entry["name"]] = np.asarray(values, np.float32).reshape(shape)
    if offset != len(data):
        raise ValueError(f"weights file has {len(data) - offset} bytes the manifest does not name")
    return arrays


def content_digest(arrays: dict[str, np.ndarray]) -> str:
    """sha256 over the names, shapes and float32 values, in name order."""
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name], dtype="<f4")
        h.update(name.encode() + b"\0" + repr(a.shape).encode() + b"\0")
        h.update(a.tobytes())
    return h.hexdigest()


def shapes_digest(arrays: dict[str, np.ndarray]) -> str:
    """sha256 over the names and shapes only: tells another net's (or version's) arrays
    from the right arrays with altered values."""
    h = hashlib.sha256()
    for name in sorted(arrays):
        h.update(name.encode() + b"\0" + repr(np.shape(arrays[name])).encode() + b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class NetStatus:
    """What ``moodplayer doctor`` says of one converted file."""

    net: str
    path: Path
    state: str  # "ok", "missing", "unreadable", "shape mismatch" or "checksum mismatch"
    size: int | None  # bytes; None when missing
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "ok"


def check_net(net: str, folder: Path | None = None) -> NetStatus:
    """Is the converted file of ``net`` there, readable, of the right arrays and values?"""
    path = npz_path(net, folder)
    try:
        info = path.stat()
    except OSError:
        return NetStatus(net, path, "missing", None)
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a folder under the name: not "missing"
        return NetStatus(net, path, "unreadable", None, f"{what_it_is(info.st_mode)}, not a file")
    size = info.st_size
    try:
        arrays = read_npz(path)
    except Exception as err:  # truncated, not a zip, a bad member
        return NetStatus(net, path, "unreadable", size, f"{type(err).__name__}: {err}")
    spec = NETS[net]
    if spec.shapes and shapes_digest(arrays) != spec.shapes:
        return NetStatus(net, path, "shape mismatch", size,
                         f"{len(arrays)} arrays, {sum(a.size for a in arrays.values())} numbers")
    if content_digest(arrays) != spec.digest:
        return NetStatus(net, path, "checksum mismatch", size, "the values differ from face-api 1.7.15's")
    return NetStatus(net, path, "ok", size)


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """A compressed .npz with fixed time stamps (the same arrays make the same bytes),
    written next to ``path`` and moved into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name], np.float32),
                                      allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())
    tmp.replace(path)


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an npz file (raises OSError / ValueError / zipfile errors)."""
    with np.load(path, allow_pickle=False) as npz:
        return {name: np.asarray(npz[name], np.float32) for name in npz.files}


def npz_path(net: str, folder: Path | None = None) -> Path:
    return (folder or faceapi_dir()) / NETS[net].npz


def is_current(net: str, folder: Path | None = None) -> bool:
    """The converted file is there and holds exactly the recorded weights."""
    path = npz_path(net, folder)
    try:
        return path.is_file() and content_digest(read_npz(path)) == NETS[net].digest
    except Exception:
        return False


def load_net(net: str, folder: Path | None = None, verify: bool = True) -> dict[str, np.ndarray]:
    """The converted weights of one net, checked; ModelUnavailable names the file and the fix."""
    path = npz_path(net, folder)
    fix = "run 'make setup' (python -m moodplayer.provision.faceapi) to convert it"
    if not path.is_file():
        raise ModelUnavailable(f"face-api's {net} model is missing: {path}; {fix}")
    try:
        arrays = read_npz(path)
    except Exception as err:  # truncated, not a zip, a bad member
        raise ModelUnavailable(
            f"face-api's {net} model {path} cannot be read ({type(err).__name__}: {err}); {fix}"
        ) from err
    if verify and content_digest(arrays) != NETS[net].digest:
        raise ModelUnavailable(
            f"face-api's {net} model {path} does not hold the expected weights "
            f"(checksum mismatch); {fix}"
        )
    return arrays
