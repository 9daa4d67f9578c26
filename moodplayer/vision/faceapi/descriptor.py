"""face-api's 128-d face descriptor (``face_recognition_model``) in plain numpy.

The network, as face-api 1.7.15 builds it (src/faceRecognitionNet): a ResNet-34-like net
on a 150×150 RGB input (the crop padded to a square with black, centred, then resized
bilinearly the way TensorFlow.js does), mean RGB [122.782, 117.001, 104.298] subtracted and
divided by 255; a 7×7 stride-2 convolution and a 3×3 stride-2 max pool; residual blocks of
32, 64, 128 and 256 channels (each convolution followed by a per-channel scale and shift;
the down-sampling blocks add a 2×2 average pool of their input, zero-padded in channels);
a global average and a 256→128 fully connected layer. Two faces of one person lie within
about 0.6 of each other (Euclidean distance), as in dlib, whose model this one is.

No TensorFlow: the weights are a dict of float32 arrays named as in face-api's manifest
(``conv32_down/conv/filters`` [7, 7, 3, 32], ..., ``fc`` [256, 128]).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

INPUT_SIZE = 150
MEAN_RGB = np.array([122.782, 117.001, 104.298], np.float32)
DESCRIPTOR_SIZE = 128
MODEL_NAME = "face_recognition_model"

# (name, down-sampling?) in the order face-api runs them
_BLOCKS = (
    ("conv32_1", False), ("conv32_2", False), ("conv32_3", False),
    ("conv64_down", True), ("conv64_1", False), ("conv64_2", False), ("conv64_3", False),
    ("conv128_down", True), ("conv128_1", False), ("conv128_2", False),
    ("conv256_down", True), ("conv256_1", False), ("conv256_2", False),
    ("conv256_down_out", True),
)


class DescriptorUnavailable(RuntimeError):
    """The descriptor's weights are missing or incomplete: the message says which."""


def weight_names() -> list[str]:
    """Every tensor the net needs, by its manifest name."""
    names = [f"conv32_down/{part}" for part in _LAYER_PARTS]
    for block, _ in _BLOCKS:
        names += [f"{block}/{conv}/{part}" for conv in ("conv1", "conv2") for part in _LAYER_PARTS]
    return names + ["fc"]


_LAYER_PARTS = ("conv/filters", "conv/bias", "scale/weights", "scale/biases")


class FaceDescriptorNet:
    """``describe(rgb_crop) -> (128,) float32``; ``distance(a, b)`` compares two."""

    def __init__(self, weights: Mapping[str, np.ndarray]) -> None:
        missing = [name for name in weight_names() if name not in weights]
        if missing:
            raise DescriptorUnavailable(
                f"the face descriptor's weights lack {len(missing)} tensors (first: {missing[0]})")
        self._w = {name: np.ascontiguousarray(weights[name], np.float32) for name in weight_names()}
        fc = self._w["fc"]
        if fc.shape != (256, DESCRIPTOR_SIZE):
            raise DescriptorUnavailable(f"the descriptor's fc layer is {fc.shape}, not (256, 128)")
        # each convolution's bias, scale and shift fold into one multiply-add
        self._layers: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for prefix in ["conv32_down"] + [f"{b}/{c}" for b, _ in _BLOCKS for c in ("conv1", "conv2")]:
            filters = self._w[f"{prefix}/conv/filters"]
            kh, kw, cin, cout = filters.shape
            scale = self._w[f"{prefix}/scale/weights"]
            shift = self._w[f"{prefix}/conv/bias"] * scale + self._w[f"{prefix}/scale/biases"]
            self._layers[prefix] = (filters.reshape(kh * kw * cin, cout), scale, shift)

    @classmethod
    def from_dir(cls, folder: str | Path) -> FaceDescriptorNet:
        """From ``face_recognition_model.npz`` in the folder (the set-up's conversion), or
        else from face-api's own manifest and .bin there (the npm package's ``model/``)."""
        folder = Path(folder)
        npz = folder / f"{MODEL_NAME}.npz"
        if npz.is_file():
            with np.load(npz) as data:
                return cls({name: data[name] for name in data.files})
        manifest = folder / f"{MODEL_NAME}-weights_manifest.json"
        if manifest.is_file():
            return cls(load_manifest(manifest))
        raise DescriptorUnavailable(
            f"no face descriptor in {folder} ({npz.name} or {manifest.name}): run 'make setup'")

    # -- the net ---------------------------------------------------------------------------

    def describe(self, rgb: np.ndarray) -> np.ndarray:
        """The descriptor of one face crop (uint8 or float RGB, H×W×3, any size)."""
        return self.forward(to_input(rgb))

    def describe_bgr(self, bgr: np.ndarray) -> np.ndarray:
        """The same for an OpenCV (BGR) crop."""
        return self.describe(np.ascontiguousarray(bgr[..., ::-1]))

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``x``: 150×150×3 float32 RGB in 0..255 (``to_input``'s output)."""
        x = (np.asarray(x, np.float32) - MEAN_RGB) / np.float32(255.0)
        out = self._conv(x, "conv32_down", stride=2, relu=True, same=False)
        out = _max_pool(out, 3, 2)
        for block, down in _BLOCKS:
            out = self._residual_down(out, block) if down else self._residual(out, block)
        pooled = out.mean(axis=(0, 1), dtype=np.float32)
        return (pooled @ self._w["fc"]).astype(np.float32)

    def _conv(self, x: np.ndarray, prefix: str, stride: int, relu: bool, same: bool) -> np.ndarray:
        matrix, scale, shift = self._layers[prefix]
        k = int(math.isqrt(matrix.shape[0] // x.shape[2]))
        out = _conv2d(x, matrix, k, stride, same)
        out *= scale
        out += shift
        return np.maximum(out, 0, out=out) if relu else out

    def _residual(self, x: np.ndarray, block: str) -> np.ndarray:
        out = self._conv(x, f"{block}/conv1", 1, True, True)
        out = self._conv(out, f"{block}/conv2", 1, False, True)
        out += x
        return np.maximum(out, 0, out=out)

    def _residual_down(self, x: np.ndarray, block: str) -> np.ndarray:
        out = self._conv(x, f"{block}/conv1", 2, True, False)
        out = self._conv(out, f"{block}/conv2", 1, False, True)
        pooled = _avg_pool(x, 2, 2)
        if pooled.shape[:2] != out.shape[:2]:  # face-api pads the branch with a zero row/column
            grown = np.zeros(pooled.shape[:2] + out.shape[2:], np.float32)
            grown[:out.shape[0], :out.shape[1]] = out
            out = grown
        if pooled.shape[2] != out.shape[2]:  # ... and the shortcut with zero channels
            out[..., :pooled.shape[2]] += pooled
        else:
            out += pooled
        return np.maximum(out, 0, out=out)


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two descriptors (face-api's ``euclideanDistance``)."""
    return float(np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64)))


# -- the input, as face-api's NetInput.toBatchTensor(150, true) makes it ---------------------

def to_input(rgb: np.ndarray, size: int = INPUT_SIZE) -> np.ndarray:
    """Pad to a square with black (centred; face-api's padToSquare), then resize to
    ``size``×``size`` with TensorFlow's bilinear resize (no corner alignment, no half-pixel
    centres). Returns float32 RGB in 0..255."""
    image = np.asarray(rgb)
    if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 1:
        raise ValueError(f"a face crop is H×W×3 with H, W ≥ 1, not {image.shape}")
    image = _pad_to_square(image.astype(np.float32))
    if image.shape[0] != size:
        image = resize_bilinear_tf(image, size, size)
    return image


def _pad_to_square(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    if h == w:
        return image
    diff = abs(h - w)
    after = int(math.floor(diff * 0.5 + 0.5))  # JavaScript's Math.round
    before = diff - after
    pad = ((0, 0), (before, after), (0, 0)) if h > w else ((before, after), (0, 0), (0, 0))
    return np.pad(image, pad)


def resize_bilinear_tf(image: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """tf.image.resizeBilinear(image, [out_h, out_w], alignCorners=false,
    halfPixelCenters=false) for one H×W×C float32 image."""
    in_h, in_w = image.shape[:2]

    def axis(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        src = np.arange(n_out, dtype=np.float32) * np.float32(n_in / n_out)
        lo = np.floor(src).astype(np.int64)
        hi = np.minimum(lo + 1, n_in - 1)
        lo = np.minimum(lo, n_in - 1)
        return lo, hi, (src - lo).astype(np.float32)

    y0, y1, fy = axis(in_h, out_h)
    x0, x1, fx = axis(in_w, out_w)
    top_left, top_right = image[y0][:, x0], image[y0][:, x1]
    bottom_left, bottom_right = image[y1][:, x0], image[y1][:, x1]
    fx = fx[None, :, None]
    top = top_left + (top_right - top_left) * fx
    bottom = bottom_left + (bottom_right - bottom_left) * fx
    return (top + (bottom - top) * fy[:, None, None]).astype(np.float32)


# -- layers ----------------------------------------------------------------------------------

def _conv2d(x: np.ndarray, matrix: np.ndarray, k: int, stride: int, same: bool) -> np.ndarray:
    """Convolution of H×W×Cin by a (k·k·Cin)×Cout matrix (filters [k, k, Cin, Cout] flat),
    TensorFlow's 'same' (stride 1 only here) or 'valid' padding."""
    if same:
        pad = k // 2
        x = np.pad(x, ((pad, pad), (pad, pad), (0, 0)))
    h, w, c = x.shape
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    s0, s1, s2 = x.strides
    patches = np.lib.stride_tricks.as_strided(
        x, shape=(oh, ow, k, k, c), strides=(s0 * stride, s1 * stride, s0, s1, s2), writeable=False)
    out = patches.reshape(oh * ow, k * k * c) @ matrix
    return out.reshape(oh, ow, matrix.shape[1])


def _max_pool(x: np.ndarray, k: int, stride: int) -> np.ndarray:
    h, w, c = x.shape
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    out = np.full((oh, ow, c), -np.inf, np.float32)
    for dy in range(k):
        for dx in range(k):
            np.maximum(out, x[dy:dy + stride * oh:stride, dx:dx + stride * ow:stride], out=out)
    return out


def _avg_pool(x: np.ndarray, k: int, stride: int) -> np.ndarray:
    h, w, c = x.shape
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    out = np.zeros((oh, ow, c), np.float32)
    for dy in range(k):
        for dx in range(k):
            out += x[dy:dy + stride * oh:stride, dx:dx + stride * ow:stride]
    return out / np.float32(k * k)


# -- face-api's own files (until the set-up's npz exists) -------------------------------------

def load_manifest(manifest: str | Path) -> dict[str, np.ndarray]:
    """The tensors of a TensorFlow.js weights manifest and its .bin shards: uint8 ones
    dequantised as ``q · scale + min``, float32 ones as they are."""
    import json

    manifest = Path(manifest)
    groups = json.loads(manifest.read_text(encoding="utf-8"))
    tensors: dict[str, np.ndarray] = {}
    for group in groups:
        data = b"".join((manifest.parent / p).read_bytes() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            shape = tuple(spec["shape"])
            count = int(np.prod(shape)) if shape else 1
            quant = spec.get("quantization")
            if quant:
                dtype = np.dtype(quant["dtype"])
                raw = np.frombuffer(data, dtype, count, offset)
                offset += count * dtype.itemsize
                if "scale" in quant:
                    values = raw.astype(np.float64) * quant["scale"] + quant["min"]
                else:
                    values = raw.astype(np.float64)
            else:
                dtype = np.dtype(spec["dtype"])
                values = np.frombuffer(data, dtype, count, offset)
                offset += count * dtype.itemsize
            tensors[spec["name"]] = np.asarray(values, np.float32).reshape(shape)
        if offset != len(data):
            raise DescriptorUnavailable(f"{manifest}: {len(data) - offset} bytes left after the last tensor")
    return tensors
