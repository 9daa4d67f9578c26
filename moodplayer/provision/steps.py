"""Set-up step (``make setup``): model files and demo music, all from local packages.

Seeds DeepFace's weights folder with the Haar cascades shipped by OpenCV, checks that an
emotion model is installed, and generates the demo playlists. Downloads nothing.
"""

from __future__ import annotations

import sys

from moodplayer.core.files.locations import demo_playlists_dir
from moodplayer.provision.demo_tracks import generate
from moodplayer.vision.models import ModelUnavailable, choose_engine, prepare_deepface_home


def main() -> int:
    weights = prepare_deepface_home()
    print(f"DeepFace weights folder: {weights}")
    from moodplayer.provision.deepface import main as convert_deepface

    convert_deepface()  # DeepFace's Emotion weights, if the user has them, to TFLite
    try:
        choice = choose_engine("auto")
        print(f"emotion engine: {choice.name} ({choice.weights})")
    except ModelUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    files = generate(demo_playlists_dir())
    print(f"demo playlists: {len(files)} tracks in {demo_playlists_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
