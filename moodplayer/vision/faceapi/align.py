"""The face, aligned for the descriptor: face-api's 68-point landmark net in numpy, and the
150×150 "face chip" dlib's network was trained on, cut with those landmarks.

* ``LandmarkNet`` (face-api's ``FaceLandmark68Net``): the expression net's feature extractor
  (the same dense blocks, other weights) and a fully connected 256 → 136 layer; its outputs
  are the 68 points relative to the padded square input, mapped back to the crop the way
  face-api's ``postProcess`` does.
* ``face_chip``: the similarity transform (least squares) taking dlib's mean face (points
  27-54 and 60-64 of the 68, without eyebrows and lower lip; dlib's
  ``get_face_chip_details`` with padding 0.25) onto the landmarks, and the 150×150 chip
  cut through it: the face upright, at the scale and place the descriptor expects.

On persons-dev the aligned chip takes one-picture identification from 0.83-0.88 (the
detector's box, however framed) to 0.97 (docs/accuracy.md, "Who is listening").
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from moodplayer.vision.faceapi.expression import INPUT_SIZE, ExpressionNet, pad_to_square, resize_bilinear
from moodplayer.vision.faceapi.weights import load_net

CHIP_SIZE = 150
CHIP_PADDING = 0.25  # dlib's face recognition example and face_recognition's default
# The landmark net reads the detector's box grown by this much (each side, of its size):
# on persons-dev the Haar box as it is did best (0.887 against 0.879 with 0.1 and 0.2).
LANDMARK_MARGIN = 0.0

# dlib's mean face, points 17..67 of the 68-point layout, in a unit square
# (dlib/image_transforms/interpolation.h, get_face_chip_details; Boost Software License)
_MEAN_X = np.array([
    0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124,
    0.904991, 0.98004, 0.490127, 0.490127, 0.490127, 0.490127, 0.36688, 0.426036,
    0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918,
    0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149,
    0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721,
    0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874,
    0.553364, 0.490127, 0.42689])
_MEAN_Y = np.array([
    0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891,
    0.0187482, 0.038915, 0.106454, 0.203352, 0.307009, 0.409805, 0.515625, 0.587326,
    0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733,
    0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077, 0.245099,
    0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805,
    0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746,
    0.784792, 0.824182, 0.831803, 0.824182])
# the points dlib aligns on: no eyebrows (17-26), no lower lip (55-59, 65-67)
_USED = np.array([i for i in range(17, 68) if not (17 <= i <= 26 or 55 <= i <= 59 or 65 <= i <= 67)])


class LandmarkNet:
    """``landmarks(crop_rgb) -> (68, 2)`` x, y in the crop's pixels."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self._extractor = ExpressionNet(weights)
        self._fc_w, self._fc_b = weights["fc/weights"], weights["fc/bias"]
        if self._fc_w.shape != (256, 136):
            raise ValueError(f"the landmark net's fc layer is {self._fc_w.shape}, not (256, 136)")

    @classmethod
    def load(cls, folder: str | Path | None = None) -> LandmarkNet:
        return cls(load_net("landmarks", Path(folder) if folder is not None else None))

    def landmarks(self, crop_rgb: np.ndarray) -> np.ndarray:
        h, w = crop_rgb.shape[:2]
        x = resize_bilinear(pad_to_square(np.asarray(crop_rgb, np.float32)), INPUT_SIZE)
        out = self._extractor.features(x[None])[0] @ self._fc_w + self._fc_b
        points: np.ndarray = out.reshape(68, 2).astype(np.float64)
        # face-api's postProcess: undo the centred padding, relative to the crop, then pixels
        scale = INPUT_SIZE / max(h, w)
        sw, sh = w * scale, h * scale
        pad_x = abs(sw - sh) / 2 if sw < sh else 0.0
        pad_y = abs(sw - sh) / 2 if sh < sw else 0.0
        points[:, 0] = (points[:, 0] * INPUT_SIZE - pad_x) / sw * w
        points[:, 1] = (points[:, 1] * INPUT_SIZE - pad_y) / sh * h
        return points


def landmarks_in_frame(net: LandmarkNet, frame_rgb: np.ndarray, box: tuple[int, int, int, int],
                       margin: float = LANDMARK_MARGIN) -> np.ndarray:
    """The 68 points of the face in ``box`` (x, y, w, h), in frame pixels."""
    x, y, w, h = box
    fh, fw = frame_rgb.shape[:2]
    x0, y0 = max(0, int(round(x - margin * w))), max(0, int(round(y - margin * h)))
    x1, y1 = min(fw, int(round(x + w + margin * w))), min(fh, int(round(y + h + margin * h)))
    crop = frame_rgb[y0:y1, x0:x1]
    if crop.shape[0] < 8 or crop.shape[1] < 8:
        raise ValueError(f"the face box {box} leaves too little of the frame")
    return net.landmarks(crop) + (x0, y0)


def chip_transform(points: np.ndarray, size: int = CHIP_SIZE, padding: float = CHIP_PADDING) -> np.ndarray:
    """The 2×3 affine matrix taking frame pixels to chip pixels (a similarity: rotation,
    uniform scale, shift) that best puts the landmarks on dlib's mean face."""
    template = np.stack([(padding + _MEAN_X[_USED - 17]) / (2 * padding + 1),
                         (padding + _MEAN_Y[_USED - 17]) / (2 * padding + 1)], axis=1) * size
    src = np.asarray(points, np.float64)[_USED]
    # least squares for [a -b tx; b a ty]: src -> template
    n = len(src)
    a = np.zeros((2 * n, 4))
    a[0::2] = np.column_stack([src[:, 0], -src[:, 1], np.ones(n), np.zeros(n)])
    a[1::2] = np.column_stack([src[:, 1], src[:, 0], np.zeros(n), np.ones(n)])
    (ca, cb, tx, ty), *_ = np.linalg.lstsq(a, template.reshape(-1), rcond=None)
    return np.array([[ca, -cb, tx], [cb, ca, ty]])


def face_chip(frame_rgb: np.ndarray, points: np.ndarray, size: int = CHIP_SIZE,
              padding: float = CHIP_PADDING) -> np.ndarray:
    """The size×size chip of the face those 68 landmarks outline (uint8 RGB)."""
    matrix = chip_transform(points, size, padding)
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    image = frame_rgb
    if scale < 0.5:  # a big face: shrink first, so the chip is not aliased
        shrink = 2.0 * scale
        image = cv2.resize(frame_rgb, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
        matrix = matrix @ np.diag([1 / shrink, 1 / shrink, 1.0])
    return cv2.warpAffine(np.ascontiguousarray(image), matrix, (size, size), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)
