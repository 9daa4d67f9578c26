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
(``conv32_down/conv/filters`` [7, 7, 3, 32], ..., ``fc`` [256, 128]), converted by
``make setup`` into ``faceapi_dir()/face_recognition.npz`` and read, checked, by
vision/faceapi/weights.py. tests/vision/test_faceapi_descriptor.py holds it to face-api's
own descriptors (made once in Node: moodplayer/dev/faceapi_descriptor_reference.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from moodplayer.vision.faceapi.expression import pad_to_square, resize_bilinear
from moodplayer.vision.faceapi.weights import load_net
from moodplayer.vision.models import ModelUnavailable

INPUT_SIZE = 150
MEAN_RGB = np.array([122.782, 117.001, 104.298], np.float32)
DESCRIPTOR_SIZE = 128

# (name, down-sampling?) in the order face-api runs them
_BLOCKS = (
    ("conv32_1", False), ("conv32_2", False), ("conv32_3", False),
    ("conv64_down", True), ("conv64_1", False), ("conv64_2", False), ("conv64_3", False),
    ("conv128_down", True), ("conv128_1", False), ("conv128_2", False),
    ("conv256_down", True), ("conv256_1", False), ("conv256_2", False),
    ("conv256_down_out", True),
)


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
            raise ModelUnavailable(
                f"the face descriptor's weights lack {len(missing)} tensors (first: {missing[0]})")
        self._w = {name: np.ascontiguousarray(weights[name], np.float32) for name in weight_names()}
        fc = self._w["fc"]
        if fc.shape != (256, DESCRIPTOR_SIZE):
            raise ModelUnavailable(f"the descriptor's fc layer is {fc.shape}, not (256, 128)")
        # each convolution's bias, scale and shift fold into one multiply-add
        self._layers: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for prefix in ["conv32_down"] + [f"{b}/{c}" for b, _ in _BLOCKS for c in ("conv1", "conv2")]:
            filters = self._w[f"{prefix}/conv/filters"]
            kh, kw, cin, cout = filters.shape
            scale = self._w[f"{prefix}/scale/weights"]
            shift = self._w[f"{prefix}/conv/bias"] * scale + self._w[f"{prefix}/scale/biases"]
            self._layers[prefix] = (filters.reshape(kh * kw * cin, cout), scale, shift)

    @classmethod
    def load(cls, folder: str | Path | None = None) -> FaceDescriptorNet:
        """From the set-up's converted file (default folder: faceapi_dir()); a missing or
        damaged one raises ModelUnavailable naming the file and the fix."""
        return cls(load_net("recognition", Path(folder) if folder is not None else None))

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
        result: np.ndarray = (pooled @ self._w["fc"]).astype(np.float32)
        return result

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
        np.maximum(out, 0, out=out)
        return out

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
    centres): the helpers the expression net uses. Returns float32 RGB in 0..255."""
    image = np.asarray(rgb)
    if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 1:
        raise ValueError(f"a face crop is H×W×3 with H, W ≥ 1, not {image.shape}")
    return resize_bilinear(pad_to_square(image.astype(np.float32)), size)


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
    out: np.ndarray = patches.reshape(oh * ow, k * k * c) @ matrix
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
