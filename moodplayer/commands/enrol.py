"""``moodplayer enrol PROFILE``: let the app recognise one profile's person (issue 22).

From a video of the person (about one face a second is read) or a folder of their
pictures: the largest face of each is turned into a 128-d descriptor (vision/listeners.py),
and the descriptors into the profile's enrolment (core/listeners/enrolment.py), kept with
the profile (core/listeners/store.py). Numbers only, never a picture. The profile is made
if missing (core/settings/lifecycle.py). Bad input exits 2 with one line and saves nothing.
"""

from __future__ import annotations

import argparse

from moodplayer.commands.common import add_download_option, fail

NAME = "enrol"
HELP = "let the app recognise a profile's person (a face descriptor, numbers only)"
DEV_ONLY = False

PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="PROFILE", help="the profile the face belongs to (made if missing)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--video", metavar="CLIP", help="a video of the person (a face a second is read)")
    source.add_argument("--pictures", metavar="DIR", help="a folder of the person's pictures")
    p.add_argument("--config", metavar="FILE",
                   help="settings file (default: the platform's config folder)")
    add_download_option(p, hidden=True)


def pictures_in(folder: str) -> list:
    from pathlib import Path

    root = Path(folder).expanduser()
    if not root.is_dir():
        raise ValueError(f"--pictures {folder}: no such folder")
    found = sorted(p for p in root.rglob("*") if p.suffix.lower() in PICTURE_SUFFIXES and p.is_file())
    if not found:
        raise ValueError(f"--pictures {folder}: no picture in it ({', '.join(PICTURE_SUFFIXES)})")
    return found


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from moodplayer.core.files.locations import config_file
    from moodplayer.core.listeners import store
    from moodplayer.core.listeners.enrolment import EnrolmentError, enrol
    from moodplayer.core.settings import lifecycle
    from moodplayer.core.settings.profiles import ProfileError

    name = args.name.strip()
    if not name:
        return fail("the profile name is empty")
    try:
        path = config_file(args.config)
    except ValueError as err:
        return fail(str(err))
    try:  # the input is checked before the nets load: a wrong path fails at once
        if args.video:
            clip = Path(args.video).expanduser()
            if not clip.is_file():
                return fail(f"--video {args.video}: no such file")
            pictures = []
        else:
            pictures = pictures_in(args.pictures)
    except ValueError as err:
        return fail(str(err))

    from moodplayer.vision.detect import FaceDetector
    from moodplayer.vision.listeners import (
        ListenerRecogniser,
        picture_descriptors,
        video_descriptors,
    )
    from moodplayer.vision.models import ModelUnavailable

    try:
        recogniser = ListenerRecogniser.load()
    except ModelUnavailable as err:
        return fail(str(err), code=3)
    detector = FaceDetector()
    if args.video:
        try:
            read = list(video_descriptors(clip, detector, recogniser))
        except OSError as err:
            return fail(f"--video {args.video}: {err}")
        if not read:
            return fail(f"--video {args.video}: no frame could be read (not a video?)")
        faces = [d for _, d in read if d is not None]
        used = f"{len(faces)} of {len(read)} frames read (one a second) with a face"
        unit = "frames"
    else:
        read_pictures = picture_descriptors(pictures, detector, recogniser)
        faces = [d for _, d in read_pictures if d is not None]
        used = f"{len(faces)} of {len(read_pictures)} pictures with a face"
        unit = "pictures"
        for picture, d in read_pictures:
            if d is None:
                print(f"  left out: {picture.name} (no face found, or not a picture)")
    if not faces:
        return fail(f"no face found in the {unit} given: nothing enrolled")
    try:
        enrolment = enrol(name, [[float(x) for x in d] for d in faces], model=recogniser.model)
        created = lifecycle.ensure_in_file(path, name)
    except (EnrolmentError, ProfileError, OSError) as err:
        return fail(str(err))
    try:
        saved = store.save(name, enrolment)
    except (OSError, ValueError) as err:
        if not created:
            return fail(f"cannot save the enrolment: {err}")
        try:  # nothing saved: the profile made for this face goes too
            lifecycle.remove_from_file(path, name)
        except (ProfileError, OSError) as undo:
            return fail(f"cannot save the enrolment: {err}; profile {name!r} was made in {path} "
                        f"without a face (and could not be taken out: {undo})")
        return fail(f"cannot save the enrolment: {err}; profile {name!r} was not made")
    if created:
        print(f"profile {name!r} made in {path}")
    print(f"profile {name!r}: enrolled from {used}; {len(enrolment.descriptors)} descriptors kept")
    print(f"saved to {saved} (numbers only, no images; 'Forget face' in the profile menu deletes it)")
    return 0
