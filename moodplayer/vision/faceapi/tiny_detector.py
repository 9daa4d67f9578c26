"""face-api's tiny face detector (``TinyFaceDetector``, a Tiny-YOLOv2 with depthwise-separable
convs, @vladmandic/face-api 1.7.15) in numpy.

From face-api's ``src/tinyYolov2``: the picture padded to a square with zeros after it (not
centred), resized to ``input_size`` (tf's legacy bilinear), ``(x - [117.001, 114.697,
97.404]) / 255``; a 3×3 'valid' conv (3 → 16), leaky ReLU (slope 0.1); then five times a
2×2 max pool ('same'; stride 2, the last stride 1) and a separable 3×3 conv (zero-padded by
one, bias, leaky ReLU: 32, 64, 128, 256, 512 channels); a 1×1 conv to 5 anchors × (x, y, w,
h, score) per cell. Boxes: sigmoid offsets in the cell, anchor × exp(size); score sigmoid;
non-maximum suppression at IoU 0.4.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodplayer.vision.faceapi.expression import (
    conv3x3,
    depthwise_nchw,
    depthwise_nhwc,
    resize_bilinear,
)
from moodplayer.vision.faceapi.weights import load_net

MEAN_RGB = np.array([117.001, 114.697, 97.404], np.float32)
ANCHORS = np.array([(1.603231, 2.094468), (6.041143, 7.080126), (2.882459, 3.518061),
                    (4.266906, 5.178857), (9.041765, 10.66308)], np.float64)
IOU_THRESHOLD = 0.4


@dataclass(frozen=True)
class Detection:
    box: tuple[float, float, float, float]  # x, y, w, h in picture pixels
    score: float


def _leaky(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, np.float32(0.1) * x)


def _max_pool(x: np.ndarray, stride: int) -> np.ndarray:
    """2×2 max pool, 'same' (the missing row / column after the map is ignored), NHWC."""
    n, h, w, c = x.shape
    oh, ow = -(-h // stride), -(-w // stride)
    ph, pw = max((oh - 1) * stride + 2 - h, 0), max((ow - 1) * stride + 2 - w, 0)
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, ph), (0, pw), (0, 0)), constant_values=-np.inf)
    out = None
    for dy in (0, 1):
        for dx in (0, 1):
            v = x[:, dy:dy + stride * (oh - 1) + 1:stride, dx:dx + stride * (ow - 1) + 1:stride]
            out = v.copy() if out is None else np.maximum(out, v, out=out)
    assert out is not None
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class TinyFaceDetector:
    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = weights

    def _separable(self, x: np.ndarray, name: str) -> np.ndarray:
        w = self.w
        c = x.shape[3]
        dw = w[f"{name}/depthwise_filter"].reshape(3, 3, c)
        pw = w[f"{name}/pointwise_filter"].reshape(c, -1)
        if x.shape[1] >= 52:  # large maps: one filter2D per channel is faster
            d = depthwise_nchw(np.ascontiguousarray(x.transpose(0, 3, 1, 2)), dw, 1).transpose(0, 2, 3, 1)
        else:
            d = depthwise_nhwc(x, dw, 1)
        n, h, ww, _ = d.shape
        out = np.ascontiguousarray(d).reshape(-1, c) @ pw
        out += w[f"{name}/bias"]
        return _leaky(out.reshape(n, h, ww, -1))

    def grid(self, rgb: np.ndarray, input_size: int) -> np.ndarray:
        """One RGB picture (any size) -> the (cells, cells, 5 anchors, 5) raw output."""
        h, w = rgb.shape[:2]
        side = max(h, w)
        square = np.zeros((side, side, 3), np.float32)
        square[:h, :w] = rgb
        x = (resize_bilinear(square, input_size) - MEAN_RGB) / np.float32(255.0)
        x = x[None]
        # conv0: 3x3 'valid' = a 'same' conv with the border dropped
        x = conv3x3(x, self.w["conv0/filters"], self.w["conv0/bias"], 1)[:, 1:-1, 1:-1]
        x = _leaky(x)
        for i in range(1, 6):
            x = _max_pool(x, 2)
            x = self._separable(x, f"conv{i}")
        x = _max_pool(x, 1)
        out = x[0].reshape(-1, x.shape[3]) @ self.w["conv8/filters"].reshape(x.shape[3], -1)
        out += self.w["conv8/bias"]
        cells = x.shape[1]
        return out.reshape(cells, cells, len(ANCHORS), 5)

    def detect(self, image_bgr: np.ndarray, input_size: int = 416,
               score_threshold: float = 0.5) -> list[Detection]:
        """Faces in a BGR picture, best first; boxes in picture pixels (as face-api gives
        them: not clipped to the picture)."""
        h, w = image_bgr.shape[:2]
        raw = self.grid(image_bgr[..., ::-1], input_size).astype(np.float64)
        cells = raw.shape[0]
        side = max(h, w)  # face-api's correction: the square over the picture's resized size
        fx = input_size / max(1, round(w * input_size / side))
        fy = input_size / max(1, round(h * input_size / side))
        scores = _sigmoid(raw[..., 4])
        rows, cols, anchors = np.nonzero(scores > score_threshold)
        cand = []
        for r, c, a in zip(rows, cols, anchors):
            tx, ty, tw, th, _ = raw[r, c, a]
            cx = (c + _sigmoid(tx)) / cells * fx
            cy = (r + _sigmoid(ty)) / cells * fy
            bw = np.exp(tw) * ANCHORS[a, 0] / cells * fx
            bh = np.exp(th) * ANCHORS[a, 1] / cells * fy
            cand.append((float(scores[r, c, a]), cx - bw / 2, cy - bh / 2, bw, bh))
        picked = _nms(cand)
        return [Detection((x * w, y * h, bw * w, bh * h), score) for score, x, y, bw, bh in picked]


def _nms(cand: list[tuple]) -> list[tuple]:
    cand = sorted(cand, key=lambda c: c[0], reverse=True)
    picked: list[tuple] = []
    for c in cand:
        if all(_iou(c, p) <= IOU_THRESHOLD for p in picked):
            picked.append(c)
    return picked


def _iou(a: tuple, b: tuple) -> float:
    ax0, ay0, ax1, ay1 = a[1], a[2], a[1] + a[3], a[2] + a[4]
    bx0, by0, bx1, by1 = b[1], b[2], b[1] + b[3], b[2] + b[4]
    inter = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    union = a[3] * a[4] + b[3] * b[4] - inter
    return inter / union if union > 0 else 0.0


def load_tiny_detector(folder: Path | None = None) -> TinyFaceDetector:
    return TinyFaceDetector(load_net("tiny_detector", folder))
