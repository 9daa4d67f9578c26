"""Build face-api's expression net as a TensorFlow Lite file (``make setup``, after the
weights are converted): the numpy net's layers (vision/faceapi/expression.py) written once
more as TensorFlow ops over the same weights, converted by TensorFlow's own converter, and
checked against the numpy net before it is kept. The app runs it on LiteRT
(vision/faceapi/lite.py) without importing TensorFlow; without it the numpy net runs.

    python -m moodplayer.provision.faceapi_lite [--dest DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from moodplayer.core.files.atomic import write_bytes_atomically
from moodplayer.vision.faceapi.expression import INPUT_SIZE, MEAN_RGB, ExpressionNet
from moodplayer.vision.faceapi.lite import (
    FACEAPI_EXPRESSION_LITE,
    LiteExpressionNet,
    LiteUnusable,
    native_stderr_silenced,
)
from moodplayer.vision.faceapi.weights import load_net, npz_path
from moodplayer.vision.models import ModelUnavailable, faceapi_dir, quiet_tensorflow


def tflite_bytes(weights: dict) -> bytes:
    """The expression net as a .tflite flatbuffer (batch 1, outputs: probabilities in
    face-api's order, the 256 pooled features)."""
    quiet_tensorflow()
    import tensorflow as tf

    w = weights

    def separable(x, name: str, stride: int):
        dw = w[f"{name}/depthwise_filter"]
        c = dw.shape[2]
        y = tf.nn.depthwise_conv2d(x, dw.reshape(3, 3, c, 1), [1, stride, stride, 1], "SAME")
        return tf.nn.conv2d(y, w[f"{name}/pointwise_filter"].reshape(1, 1, c, -1), 1, "VALID") \
            + w[f"{name}/bias"]

    def block(x, name: str, first: bool):
        if first:
            out = tf.nn.conv2d(x, w[f"{name}/conv0/filters"], 2, "SAME") + w[f"{name}/conv0/bias"]
        else:
            out = separable(x, f"{name}/conv0", 2)
        total = tf.nn.relu(out)
        for i in (1, 2, 3):  # conv_i reads relu(out1 + ... + out_i), as in expression.py
            total = total + separable(tf.nn.relu(total), f"{name}/conv{i}", 1)
        return tf.nn.relu(total)

    @tf.function(input_signature=[tf.TensorSpec([1, INPUT_SIZE, INPUT_SIZE, 3], tf.float32)])
    def net(x):
        x = (x - MEAN_RGB) / 255.0
        for name, first in (("dense0", True), ("dense1", False), ("dense2", False), ("dense3", False)):
            x = block(x, name, first)
        features = tf.reduce_mean(x, axis=[1, 2])
        return tf.nn.softmax(tf.matmul(features, w["fc/weights"]) + w["fc/bias"]), features

    converter = tf.lite.TFLiteConverter.from_concrete_functions([net.get_concrete_function()], net)
    return converter.convert()


def _tflite_bytes_quietly(weights: dict) -> bytes:
    """``tflite_bytes`` without TensorFlow's C++ start-up and conversion chatter on stderr
    (its errors still come as Python exceptions)."""
    with native_stderr_silenced():
        return tflite_bytes(weights)


def build(folder: Path | None = None, force: bool = False) -> Path | None:
    """Write ``face_expression.tflite`` beside the converted weights in ``folder`` (default
    faceapi_dir()); None when it was current already. Raises ModelUnavailable when the
    weights are not there, LiteUnusable when the result does not match them (nothing kept)."""
    folder = folder or faceapi_dir()
    out = folder / FACEAPI_EXPRESSION_LITE
    weights_file = npz_path("expression", folder)
    weights = load_net("expression", folder)
    reference = ExpressionNet(weights)
    if not force and out.is_file() and out.stat().st_mtime >= weights_file.stat().st_mtime:
        try:
            LiteExpressionNet(out, reference)
            return None
        except LiteUnusable:
            pass  # damaged or stale: made again below
    write_bytes_atomically(out, _tflite_bytes_quietly(weights))
    try:
        LiteExpressionNet(out, reference)
    except LiteUnusable:
        out.unlink(missing_ok=True)
        raise
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moodplayer.provision.faceapi_lite",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", type=Path, help="model folder (default: faceapi_dir())")
    parser.add_argument("--force", action="store_true", help="build again even if current")
    args = parser.parse_args(argv)
    try:
        out = build(args.dest, args.force)
    except (ModelUnavailable, LiteUnusable) as err:
        print(f"face-api's expression net stays in numpy: {err}", file=sys.stderr)
        return 0  # an optimisation: the set-up goes on
    except ImportError as err:
        print(f"face-api's expression net stays in numpy: TensorFlow is not installed ({err})",
              file=sys.stderr)
        return 0
    except OSError as err:  # a full or read-only disk: the atomic writer left nothing behind
        print(f"face-api's expression net stays in numpy: cannot write {FACEAPI_EXPRESSION_LITE} "
              f"in {args.dest or faceapi_dir()}: {err.strerror or err}", file=sys.stderr)
        return 0
    try:
        print(f"face-api's expression net for LiteRT: {out or 'current'}"
              + ("" if out else f" ({(args.dest or faceapi_dir()) / FACEAPI_EXPRESSION_LITE})"))
        sys.stdout.flush()
    except BrokenPipeError:  # `... | head -c1`: the reader is gone, nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
