"""face-api's expression net (``FaceExpressionNet`` of @vladmandic/face-api 1.7.15) in numpy.

What face-api's ``src/`` does, step by step, and what is reproduced here:

- ``NetInput.toBatchTensor(112, true)``: the crop (RGB) is padded to a square with zeros,
  half the difference after it (``Math.round``), the rest before, then resized to 112×112
  by ``tf.image.resizeBilinear`` with ``alignCorners = false`` and ``halfPixelCenters =
  false`` (source pixel = destination pixel × in / out, no half-pixel shift);
- ``FaceFeatureExtractor``: ``(x - [122.782, 117.001, 104.298]) / 255``, then four dense
  blocks (``denseBlock4``: 32, 64, 128, 256 channels, 112 → 56 → 28 → 14 → 7), each:
  ``out1 = relu(conv0(x))`` (a regular 3×3 conv in block 0, depthwise-separable after, both
  stride 2), ``out2 = sep(out1)``, ``out3 = sep(relu(out1 + out2))``,
  ``out4 = sep(relu(out1 + out2 + out3))``, block output ``relu(out1 + ... + out4)``; every
  conv is 'same' padded (TensorFlow's rule: for stride 2 the extra row and column go after),
  bias added after the pointwise step; ``avgPool 7×7`` → 256 numbers;
- ``FaceProcessor.runNet``: fully connected 256 → 7; ``softmax`` in face-api's order
  (neutral, happy, sad, angry, fearful, disgusted, surprised).

``tests/vision/test_faceapi.py`` checks it against face-api's own outputs (made once in
Node, ``moodplayer/dev/faceapi_reference.mjs``).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from moodplayer.core.emotions import EMOTIONS
from moodplayer.vision.faceapi.weights import load_net

INPUT_SIZE = 112
MEAN_RGB = np.array([122.782, 117.001, 104.298], np.float32)
FACEAPI_ORDER = ("neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised")
_OURS = {"neutral": "neutral", "happy": "happy", "sad": "sad", "angry": "angry",
         "fearful": "fear", "disgusted": "disgust", "surprised": "surprise"}
# column j of our EMOTIONS order is face-api's column TO_EMOTIONS[j]
TO_EMOTIONS = np.array([[_OURS[n] for n in FACEAPI_ORDER].index(e) for e in EMOTIONS])


# --- the input, as face-api makes it ------------------------------------------------------

def pad_to_square(rgb: np.ndarray) -> np.ndarray:
    """face-api's ``padToSquare(img, isCenterImage=true)``: zeros, round(diff / 2) after the
    image along its short side, the rest before it."""
    h, w = rgb.shape[:2]
    if h == w:
        return rgb
    diff = abs(h - w)
    after = int(np.floor(diff * 0.5 + 0.5))  # Math.round
    before = diff - after
    square = np.zeros((max(h, w), max(h, w)) + rgb.shape[2:], rgb.dtype)
    if h > w:
        square[:, before:before + w] = rgb
    else:
        square[before:before + h] = rgb
    return square


def _legacy_axis(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scale = n_in / n_out
    src = np.arange(n_out, dtype=np.float64) * scale
    lo = np.floor(src).astype(np.intp)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = (src - lo).astype(np.float32)
    return lo, hi, frac


def resize_bilinear(img: np.ndarray, size: int) -> np.ndarray:
    """``tf.image.resizeBilinear(img, [size, size], alignCorners=false,
    halfPixelCenters=false)`` on an HxWxC image, float32 out.

    The four neighbours of each output pixel are picked first and only they are made
    float, and the arithmetic runs on rows of size × C numbers: the same float32 operations
    on the same values as interpolating the whole image, so the same bits, in half the time
    of converting the whole crop (a channel of three as numpy's innermost loop is slow)."""
    h, w = img.shape[:2]
    if h == size and w == size:
        return img.astype(np.float32, copy=False)
    channels = img.shape[2]
    y0, y1, fy = _legacy_axis(h, size)
    x0, x1, fx = _legacy_axis(w, size)
    pixels = np.ascontiguousarray(img).reshape(h * w, channels)

    def picked(ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        at = (ys[:, None] * w + xs[None, :]).ravel()
        return pixels.take(at, axis=0).reshape(size, size * channels).astype(np.float32, copy=False)

    top_left, top_right, bottom_left, bottom_right = picked(y0, x0), picked(y0, x1), picked(y1, x0), picked(y1, x1)
    fy = fy[:, None]
    left = top_left + (bottom_left - top_left) * fy
    right = top_right + (bottom_right - top_right) * fy
    return (left + (right - left) * np.repeat(fx, channels)[None, :]).reshape(size, size, channels)


def prepare(crop_bgr: np.ndarray) -> np.ndarray:
    """A face crop (uint8 BGR, any size) -> the net's 112×112×3 RGB input, 0..255, float32.
    Padded and resized in BGR and turned to RGB at 112×112: the same numbers as turning the
    whole crop first (each channel is resized alone), without copying it channel-reversed."""
    # a grey crop, of any number type (OpenCV's GRAY2BGR takes 8-bit, 16-bit and float32 only)
    bgr = crop_bgr if crop_bgr.ndim == 3 else np.repeat(crop_bgr[..., None], 3, axis=2)
    return np.ascontiguousarray(resize_bilinear(pad_to_square(bgr), INPUT_SIZE)[..., ::-1])


# --- the layers ---------------------------------------------------------------------------
#
# Depthwise 3x3 filters are most of the cost. Measured on one core (batch of two, the crop and
# its mirror image): on the 56x56 and 28x28 maps one cv2.filter2D per channel is fastest, on
# a channels-first layout; on the 14x14 and 7x7 maps one einsum over a sliding-window view of
# a channels-last layout. Blocks 0 and 1 therefore run channels-first, blocks 2 and 3
# channels-last (one transpose between). The plain nine-tap loop (``depthwise_reference``)
# is what both are tested against.

def _same_pad(n: int, stride: int) -> tuple[int, int, int]:
    """TensorFlow's 'same' padding of a 3-wide filter: (output size, before, after)."""
    out = -(-n // stride)
    total = max((out - 1) * stride + 3 - n, 0)
    return out, total // 2, total - total // 2


def _padded_nhwc(x: np.ndarray, stride: int) -> tuple[np.ndarray, int, int]:
    _, h, w, c = x.shape
    oh, top, bottom = _same_pad(h, stride)
    ow, left, right = _same_pad(w, stride)
    xp = np.zeros((x.shape[0], h + top + bottom, w + left + right, c), np.float32)
    xp[:, top:top + h, left:left + w] = x
    return xp, oh, ow


def _taps(xp: np.ndarray, oh: int, ow: int, stride: int):
    for dy in range(3):
        for dx in range(3):
            yield dy, dx, xp[:, dy:dy + stride * (oh - 1) + 1:stride,
                             dx:dx + stride * (ow - 1) + 1:stride]


def conv3x3(x: np.ndarray, filters: np.ndarray, bias: np.ndarray, stride: int) -> np.ndarray:
    """A regular 3×3 'same' conv (NHWC; filters 3×3×Cin×Cout) as one matrix product."""
    xp, oh, ow = _padded_nhwc(x, stride)
    n, cin = x.shape[0], x.shape[3]
    cols = np.empty((n, oh, ow, 9 * cin), np.float32)
    for dy, dx, view in _taps(xp, oh, ow, stride):
        k = (dy * 3 + dx) * cin
        cols[..., k:k + cin] = view
    out = cols.reshape(-1, 9 * cin) @ filters.reshape(9 * cin, -1)
    out += bias
    return out.reshape(n, oh, ow, -1)


def conv3x3_to_nchw(x: np.ndarray, filters: np.ndarray, bias: np.ndarray, stride: int) -> np.ndarray:
    """The same conv, NHWC in, channels-first out: the nine taps of each input plane are
    rows of one matrix (whole strided rows copied, not 3-float pixels), one product."""
    n, h, w, cin = x.shape
    oh, top, bottom = _same_pad(h, stride)
    ow, left, right = _same_pad(w, stride)
    planes = np.zeros((cin, n, h + top + bottom, w + left + right), np.float32)
    planes[:, :, top:top + h, left:left + w] = x.transpose(3, 0, 1, 2)
    cols = np.empty((3, 3, cin, n, oh, ow), np.float32)
    for dy in range(3):
        for dx in range(3):
            cols[dy, dx] = planes[:, :, dy:dy + stride * (oh - 1) + 1:stride,
                                  dx:dx + stride * (ow - 1) + 1:stride]
    out = filters.reshape(9 * cin, -1).T @ cols.reshape(9 * cin, -1)
    out += bias[:, None]
    out = out.reshape(-1, n, oh, ow)
    return out[:, 0][None] if n == 1 else np.ascontiguousarray(out.transpose(1, 0, 2, 3))


def depthwise_reference(x: np.ndarray, dw: np.ndarray, stride: int) -> np.ndarray:
    """The depthwise 3×3 'same' filter (NHWC, dw 3×3×C), as nine multiply-adds."""
    xp, oh, ow = _padded_nhwc(x, stride)
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]), np.float32)
    for dy, dx, view in _taps(xp, oh, ow, stride):
        out += view * dw[dy, dx]
    return out


def depthwise_nhwc(x: np.ndarray, dw: np.ndarray, stride: int) -> np.ndarray:
    """The same, channels-last, as one einsum over a sliding-window view."""
    xp, oh, ow = _padded_nhwc(x, stride)
    win = np.lib.stride_tricks.sliding_window_view(xp, (3, 3), axis=(1, 2))
    win = win[:, ::stride, ::stride][:, :oh, :ow]
    return np.einsum("nhwcij,ijc->nhwc", win, dw)


def depthwise_nchw(x: np.ndarray, dw: np.ndarray, stride: int) -> np.ndarray:
    """The same, channels-first (x: N×C×H×W), one cv2.filter2D per channel (a correlation
    with zeros outside, i.e. stride 1 'same'); stride 2 keeps every other output, shifted
    by TensorFlow's padding."""
    n, c, h, w = x.shape
    kernels = np.ascontiguousarray(dw.transpose(2, 0, 1))
    full = np.empty((n, c, h, w), np.float32)
    for i in range(n):
        for ch in range(c):
            cv2.filter2D(x[i, ch], cv2.CV_32F, kernels[ch], dst=full[i, ch],
                         borderType=cv2.BORDER_CONSTANT)
    if stride == 1:
        return full
    oh, top, _ = _same_pad(h, stride)
    ow, left, _ = _same_pad(w, stride)
    return np.ascontiguousarray(full[:, :, 1 - top::stride, 1 - left::stride][:, :, :oh, :ow])


def separable(x: np.ndarray, depthwise: np.ndarray, pointwise: np.ndarray, bias: np.ndarray,
              stride: int, channels_first: bool = False) -> np.ndarray:
    """``tf.separableConv2d(x, depthwise, pointwise, stride, 'same') + bias``: the 3×3
    per-channel filter, then a 1×1 conv (a matrix product)."""
    c = depthwise.shape[2]
    dw = depthwise.reshape(3, 3, c)
    pw = pointwise.reshape(c, -1)
    if channels_first:
        d = depthwise_nchw(np.ascontiguousarray(x), dw, stride)
        n, _, oh, ow = d.shape
        out = np.matmul(pw.T, d.reshape(n, c, oh * ow))
        out += bias[:, None]
        return out.reshape(n, -1, oh, ow)
    d = depthwise_nhwc(x, dw, stride)
    n, oh, ow, _ = d.shape
    out = d.reshape(-1, c) @ pw
    out += bias
    return out.reshape(n, oh, ow, -1)


class ExpressionNet:
    """The net, weights held as float32 arrays. ``forward`` takes a batch of prepared
    inputs; ``predict`` takes BGR crops."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = weights

    def _block(self, x: np.ndarray, name: str, first: bool, channels_first: bool) -> np.ndarray:
        w = self.w
        if first:  # input NHWC; out1 in the block's layout
            conv = conv3x3_to_nchw if channels_first else conv3x3
            out = conv(x, w[f"{name}/conv0/filters"], w[f"{name}/conv0/bias"], 2)
        else:
            out = separable(x, w[f"{name}/conv0/depthwise_filter"],
                            w[f"{name}/conv0/pointwise_filter"], w[f"{name}/conv0/bias"], 2,
                            channels_first)
        np.maximum(out, 0, out=out)  # out1 = relu(conv0(x))
        total = out.copy()
        relu = np.empty_like(total)
        for i in (1, 2, 3):  # conv_i reads relu(out1 + ... + out_i)
            out = separable(np.maximum(total, 0, out=relu), w[f"{name}/conv{i}/depthwise_filter"],
                            w[f"{name}/conv{i}/pointwise_filter"], w[f"{name}/conv{i}/bias"], 1,
                            channels_first)
            total += out
        np.maximum(total, 0, out=total)
        return total

    def features(self, batch_rgb: np.ndarray) -> np.ndarray:
        """(n, 112, 112, 3) RGB 0..255 -> the (n, 256) pooled features."""
        x = (np.asarray(batch_rgb, np.float32) - MEAN_RGB) / np.float32(255.0)
        x = self._block(x, "dense0", first=True, channels_first=True)
        x = self._block(x, "dense1", first=False, channels_first=True)
        x = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
        x = self._block(x, "dense2", first=False, channels_first=False)
        x = self._block(x, "dense3", first=False, channels_first=False)
        return x.mean(axis=(1, 2), dtype=np.float32)  # avgPool 7x7 of the 7x7 map

    def forward(self, batch_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """-> (probabilities in face-api's order (n, 7), features (n, 256))."""
        feats = self.features(batch_rgb)
        logits = feats @ self.w["fc/weights"] + self.w["fc/bias"]
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True), feats

    def predict(self, crops_bgr: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Face crops (uint8 BGR, any size) -> (probabilities in EMOTIONS order (n, 7),
        features (n, 256))."""
        if not crops_bgr:
            return np.zeros((0, len(EMOTIONS)), np.float32), np.zeros((0, 256), np.float32)
        probs, feats = self.forward(np.stack([prepare(c) for c in crops_bgr]))
        return probs[:, TO_EMOTIONS].astype(np.float32), feats


def limit_blas_threads(threads: int = 1) -> bool:
    """Keep numpy's matrix products on ``threads`` threads, as the mini-Xception's runtime
    is kept on one: the products here are small, and OpenBLAS's helper threads spin while
    they wait (on a busy machine one face cost 11 times the CPU with them). Process-wide;
    True when a BLAS library took the setting."""
    try:
        import threadpoolctl  # type: ignore[import-not-found, unused-ignore]  # optional: not a dependency, found where installed

        threadpoolctl.threadpool_limits(threads, user_api="blas")
        return True
    except ImportError:
        pass
    import ctypes
    import glob
    import os

    libs = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "*openblas*")
    for path in glob.glob(libs):
        try:
            lib = ctypes.CDLL(path)  # numpy loaded it already: the same library
        except OSError:
            continue
        for name in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                     "openblas_set_num_threads64_", "openblas_set_num_threads"):
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(ctypes.c_int(threads))
                return True
    return False


def load_expression_net(folder: Path | None = None) -> ExpressionNet:
    """The converted net from ``faceapi_dir()`` (ModelUnavailable when missing or damaged)."""
    return ExpressionNet(load_net("expression", folder))
