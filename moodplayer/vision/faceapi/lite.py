"""face-api's expression net on the LiteRT runtime: the numpy net of expression.py, built
once as a TensorFlow Lite file by ``make setup`` (moodplayer/provision/faceapi_lite.py)
from the same converted weights. It gives the same numbers (within 1e-6 on a probe) for
about a fifth of the CPU (2.7 vs 13.5 ms a face on this machine, measured side by side),
which is most of what the blend adds to a reading.

The file is an optimisation, never a requirement: when it is missing, unreadable, or
disagrees with the numpy net on a probe picture at load (damaged, or made from other
weights), the numpy net is used and the reason is logged once.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from moodplayer.core.emotions import EMOTIONS
from moodplayer.vision.faceapi.expression import INPUT_SIZE, TO_EMOTIONS, ExpressionNet, prepare

FACEAPI_EXPRESSION_LITE = "face_expression.tflite"  # beside the .npz in faceapi_dir()
FEATURES = 256
PROBE_TOLERANCE = 1e-4  # largest difference allowed on the probe, probabilities and features
log = logging.getLogger("moodplayer")


class LiteUnusable(RuntimeError):
    """The .tflite cannot stand in for the numpy net; the message says why."""


def probe_input() -> np.ndarray:
    """A fixed picture for the load-time check: smooth gradients and a little texture, in
    the net's 0..255 range (what a face crop looks like to it, roughly)."""
    y, x = np.mgrid[0:INPUT_SIZE, 0:INPUT_SIZE].astype(np.float32) / INPUT_SIZE
    texture = np.random.default_rng(0).uniform(-20, 20, (INPUT_SIZE, INPUT_SIZE, 3)).astype(np.float32)
    base = np.stack([200 * x, 180 * y, 120 * (1 - x) * y + 60], axis=-1)
    return np.clip(base + texture, 0, 255)[None].astype(np.float32)


class LiteExpressionNet:
    """The .tflite file as an ``ExpressionNet``: ``forward`` and ``predict`` the same."""

    def __init__(self, path: Path, reference: ExpressionNet) -> None:
        try:
            from ai_edge_litert.interpreter import Interpreter

            with native_stderr_silenced():
                # one thread, as the mini-Xception's: the detector and the GUI need the others
                self.model = Interpreter(model_path=str(path), num_threads=1)
                self.model.allocate_tensors()
        except Exception as err:  # missing, truncated, not a .tflite
            raise LiteUnusable(f"{path.name} cannot be read ({err})") from err
        self._input = self.model.get_input_details()[0]
        outputs = {int(d["shape"][-1]): d["index"] for d in self.model.get_output_details()}
        if tuple(self._input["shape"]) != (1, INPUT_SIZE, INPUT_SIZE, 3) \
                or set(outputs) != {len(EMOTIONS), FEATURES}:
            raise LiteUnusable(f"{path.name} is not face-api's expression net")
        self._probs, self._feats = outputs[len(EMOTIONS)], outputs[FEATURES]
        self._check(reference, path)

    def _check(self, reference: ExpressionNet, path: Path) -> None:
        probe = probe_input()
        want_p, want_f = reference.forward(probe)
        got_p, got_f = self.forward(probe)
        gap = max(float(np.abs(got_p - want_p).max()), float(np.abs(got_f - want_f).max()))
        if not gap <= PROBE_TOLERANCE:  # nan included
            raise LiteUnusable(f"{path.name} disagrees with the converted weights "
                               f"(by {gap:.3g} on the probe): made from other weights?")

    def forward(self, batch_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(n, 112, 112, 3) RGB 0..255 -> (probabilities in face-api's order, features)."""
        probs, feats = [], []
        for one in np.asarray(batch_rgb, np.float32):  # the file's batch size is 1
            self.model.set_tensor(self._input["index"], one[None])
            self.model.invoke()
            probs.append(self.model.get_tensor(self._probs)[0].copy())
            feats.append(self.model.get_tensor(self._feats)[0].copy())
        return np.asarray(probs, np.float32), np.asarray(feats, np.float32)

    def predict(self, crops_bgr: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """As ``ExpressionNet.predict``: BGR crops -> (probabilities in EMOTIONS order, features)."""
        if not crops_bgr:
            return np.zeros((0, len(EMOTIONS)), np.float32), np.zeros((0, FEATURES), np.float32)
        probs, feats = self.forward(np.stack([prepare(c) for c in crops_bgr]))
        return probs[:, TO_EMOTIONS].astype(np.float32), feats


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """LiteRT's C++ side writes "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." to
    the process's stderr when an interpreter is made (TensorFlow's, its absl start-up lines
    when imported), and no setting turns it off; a command such as ``doctor`` or the set-up
    step must print only its own lines. Python's exceptions still propagate;
    only what the native code writes to fd 2 meanwhile (a few milliseconds) is dropped."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to keep quiet
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def load_lite(net: ExpressionNet, folder: Path) -> tuple[LiteExpressionNet | None, str | None]:
    """The LiteRT file beside the weights in ``folder``, checked against ``net``; or None
    and why it is not used (missing, unreadable, another net, disagreeing)."""
    path = folder / FACEAPI_EXPRESSION_LITE
    if not path.is_file():
        return None, f"no {path.name}"
    try:
        return LiteExpressionNet(path, net), None
    except LiteUnusable as err:
        return None, str(err)


def fastest_expression_net(net: ExpressionNet, folder: Path) -> ExpressionNet | LiteExpressionNet:
    """The LiteRT file beside the weights when it is there and agrees with ``net``; else
    ``net`` itself (the reason logged once)."""
    lite, why = load_lite(net, folder)
    if lite is not None:
        return lite
    if not (folder / FACEAPI_EXPRESSION_LITE).is_file():
        log.info("face-api's expression net runs in numpy (%s: 'make setup' builds it)", why)
    else:
        log.warning("face-api's expression net runs in numpy, slower: %s ('make setup' builds it again)", why)
    return net
