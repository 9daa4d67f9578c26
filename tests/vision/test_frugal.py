"""The bounded analysis rate (issue 21): readings a second set by what the mood window
needs, never by pixels, so a noisy, flickering, jittery camera costs what a still one
does, and the moods, their switch times and their explanations stay the full rate's.
Functional only: the CPU figures come from ``moodplayer bench`` (docs/performance.md)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from moodplayer.core.emotions import EMOTIONS, Reading
from moodplayer.core.session.mood_window import MoodWindow, WindowConfig
from moodplayer.core.settings.effective import effective_config
from moodplayer.core.settings.schema import Settings
from moodplayer.dev.camera_clips import PRESETS, change_times, write_camera_clip
from moodplayer.dev.rate_study import rate_check
from moodplayer.vision.rate import PREVIEW_HZ, AnalysisRate, PreviewPace, RateConfig

FPS = 30


def face(t, mood, wobble=0.0, rng=None):
    """A reading of ``mood``; ``wobble``: how much the other scores jump frame to frame
    (a jittery camera's readings differ by far more than 0.15 L1 from one to the next)."""
    scores = np.array([1.0 if e == mood else 0.0 for e in EMOTIONS])
    if wobble:
        scores = scores + wobble * rng.random(len(EMOTIONS))
    return Reading(t=t, box=(0, 0, 10, 10), face_confidence=1.0,
                   scores=tuple(scores / scores.sum()), faces=1)


def run(rate, moods, seconds, wobble=0.0):
    """A 30 fps camera showing ``moods(t)`` through ``rate`` and a mood window:
    (analysed times, mood changes [(t, mood)])."""
    rng = np.random.default_rng(0)
    window, analysed, changes = MoodWindow(WindowConfig()), [], []
    for k in range(int(seconds * FPS)):
        t = k / FPS
        if rate is not None and not rate.wants(t):
            continue
        reading = face(t, moods(t), wobble, rng)
        state = window.push(reading)
        if rate is not None:
            rate.analysed(t, reading)
            rate.follow(state)
        analysed.append(t)
        if state.changed:
            changes.append((round(t, 3), state.mood))
    return analysed, changes


def between(times, a, b):
    return [t for t in times if a <= t < b]


@pytest.mark.parametrize("wobble", [0.0, 0.3])
def test_a_settled_mood_is_read_per_s_times_a_second_however_the_readings_wobble(wobble):
    analysed, changes = run(AnalysisRate(), lambda t: "happy", 12, wobble)
    assert changes[0][1] == "happy"
    per_s = RateConfig().per_s
    assert len(between(analysed, 6, 12)) == pytest.approx(6 * per_s, abs=1)  # 5 a second of 30
    gaps = np.diff(between(analysed, 6, 12))
    assert gaps.min() > 0.9 / per_s  # evenly spread, not bunched


def test_before_the_first_mood_every_frame_is_read():
    analysed, changes = run(AnalysisRate(), lambda t: "happy", 1)
    first = changes[0][0]
    assert between(analysed, 0, first + 1e-9) == [k / FPS for k in range(int(first * FPS) + 1)]


def test_while_a_challenger_waits_its_dwell_the_rate_rises_and_the_switch_is_the_full_rates():
    def moods(t):
        return "happy" if t < 10 else "surprise"

    analysed, bounded = run(AnalysisRate(), moods, 16)
    _, full = run(None, moods, 16)
    assert [m for _, m in bounded] == [m for _, m in full] == ["happy", "surprise"]
    assert abs(bounded[1][0] - full[1][0]) <= 1.5 / RateConfig().unsettled_per_s + 0.05
    dwell = between(analysed, bounded[1][0] - 1.0, bounded[1][0])  # the challenger's dwell
    assert len(dwell) >= 0.9 * RateConfig().unsettled_per_s
    assert len(between(analysed, 14, 16)) <= 2 * RateConfig().per_s + 1  # settled again


def test_due_needs_no_pixels_and_only_asks():
    rate = AnalysisRate(RateConfig(per_s=5))
    rate.follow(MoodWindow(WindowConfig()).push(face(0.0, "happy")))  # no mood yet
    assert rate.due(0.0)
    rate.analysed(0.0, face(0.0, "happy"))
    for t in (0.0, 0.04):
        assert rate.due(t)  # before the first mood: every frame
    window = MoodWindow(WindowConfig())
    for k in range(4):
        state = window.push(face(k / 30, "happy"))
    rate.follow(state)
    rate.analysed(1.0, face(1.0, "happy"))
    assert not rate.due(1.1) and not rate.due(1.1)  # asking twice changes nothing
    assert rate.due(1.2) and rate.due(0.5)  # on time; a clip that looped back


def test_sparse_readings_vote_as_much_as_dense_ones():
    """The mood window weighs each reading by the time it stands for."""
    def shares(hz):
        window = MoodWindow(WindowConfig())
        state = None
        for k in range(int(5 * hz)):
            t = k / hz
            state = window.push(face(t, "happy" if t < 3 else "sad"))
        return state.shares

    dense, sparse = shares(30), shares(5)
    for emotion in ("happy", "sad"):
        assert sparse[emotion] == pytest.approx(dense[emotion], abs=0.05)


# --- the real analyzer on camera-like clips made from package faces ----------------------
SCRIPT = [("smile", 4.0), ("surprise", 5.0)]  # an expression change at 4 s
CHANGE_AT = 4.0


@pytest.fixture(scope="module", params=["steady", "jittery"])
def camera_run(request, tmp_path_factory):
    """``analyze`` at the full and at the bounded rate on a 9 s camera-like clip (320x240
    to keep the test short: the rate never looks at pixels, and the camera's shifts are
    then twice as large for the face)."""
    preset = request.param
    video = write_camera_clip(tmp_path_factory.mktemp(preset) / f"{preset}.avi", SCRIPT,
                              replace(PRESETS[preset], seed=3), size=(320, 240), face_side=160)
    effective = effective_config(Settings(engine="fer"), None, {})
    return preset, rate_check(str(video), effective, change_times(SCRIPT))


def test_the_bounded_rate_keeps_the_full_rates_moods_switch_times_and_explanations(camera_run):
    preset, check = camera_run
    assert check["same_moods"], (preset, check["moods"], check["full_rate_moods"])
    assert [m for _, m in check["moods"]] == ["happy", "surprise"]
    assert check["max_switch_shift_s"] <= 0.25, (preset, check)
    assert check["why_same_moods"] and check["why_max_share_gap_pct"] <= 5, (preset, check)
    assert check["analysed_per_s"] < 0.5 * check["full_rate_analysed_per_s"], check


def test_a_change_of_expression_is_followed_within_one_window(camera_run):
    preset, check = camera_run
    window_s = WindowConfig().window_s
    (switch_t, mood), = check["moods"][1:]
    assert mood == "surprise" and CHANGE_AT < switch_t <= CHANGE_AT + window_s, check
    assert check["max_latency_vs_window"] <= 0.6, check  # within 0.6 x the window


def test_a_camera_is_asked_for_640x480_mjpeg_and_the_smallest_buffer():
    import cv2

    from moodplayer.vision.sources import configure_camera

    class Driver:  # what cv2.VideoCapture hears (no camera on the test machine)
        def __init__(self):
            self.props: dict[int, float] = {}

        def set(self, prop, value):
            self.props[prop] = value
            return prop != cv2.CAP_PROP_BUFFERSIZE  # a driver that refuses one: no failure

    driver = Driver()
    configure_camera(driver)
    assert driver.props[cv2.CAP_PROP_FOURCC] == cv2.VideoWriter_fourcc(*"MJPG")
    assert (driver.props[cv2.CAP_PROP_FRAME_WIDTH], driver.props[cv2.CAP_PROP_FRAME_HEIGHT]) == (640, 480)
    assert driver.props[cv2.CAP_PROP_BUFFERSIZE] == 1
    assert list(driver.props)[0] == cv2.CAP_PROP_FOURCC  # before the size: V4L2 picks the mode by it


# The preview's share of the decoded frames (vision.rate.PreviewPace): it paints every
# decoded frame, and asks for as few more as keep it at PREVIEW_HZ.

def paced(times, analysis=lambda k: False):
    """The frames (indexes) decoded when a camera delivers at ``times``: the analysis's
    (``analysis(k)``) and the preview's."""
    pace, decoded = PreviewPace(), []
    for k, t in enumerate(times):
        pace.grabbed(t)
        if analysis(k) or pace.due(t):
            pace.decoded(t)
            decoded.append(k)
    return decoded


def gaps(times, decoded):
    return np.diff([times[k] for k in decoded])


@pytest.mark.parametrize("fps,every", [(30, 2), (60, 4), (25, 1), (15, 1), (20, 1)])
def test_the_preview_is_painted_at_least_15_times_a_second_on_any_camera(fps, every):
    times = [k / fps for k in range(10 * fps)]
    decoded = paced(times)
    assert np.all(np.diff(decoded)[2:] == every)  # after the period is known: evenly
    assert len(decoded) / 10 >= PREVIEW_HZ
    assert gaps(times, decoded)[2:].max() <= 1 / PREVIEW_HZ + 1e-9


def test_a_cameras_timing_jitter_never_leaves_the_preview_short():
    rng = np.random.default_rng(1)
    times = np.cumsum(1 / 30 + rng.normal(0, 0.004, 600))  # ±4 ms from frame to frame
    decoded = paced(list(times))
    assert len(decoded) <= 600 / 2 * 1.1  # still about every other frame ...
    assert gaps(times, decoded).max() <= 1 / PREVIEW_HZ + 1 / 30  # ... and never a frame short


def test_a_camera_that_slows_down_in_low_light_is_painted_frame_by_frame():
    times = [k / 30 for k in range(150)] + [5 + k / 12 for k in range(1, 60)]
    decoded = paced(times)
    assert all(k in decoded for k in range(160, 209))  # at 12 fps, every frame


def test_the_analysis_frames_are_the_previews_too_and_the_previews_fall_in_step():
    times = [k / 30 for k in range(300)]
    every_6th = paced(times, analysis=lambda k: k % 6 == 3)  # 5 readings a second
    assert len(every_6th) <= 151  # every other frame: the readings' frames among them
    assert all(k in every_6th for k in range(3, 300, 6))
    every_3rd = paced(times, analysis=lambda k: k % 3 == 0)  # 10 a second, as when unsettled
    assert len(every_3rd) <= 201 and gaps(times, every_3rd).max() <= 1 / PREVIEW_HZ + 1e-9


def test_an_enrolment_makes_the_tracker_count_every_face():
    """The tracker counts only faces of about the largest one's size and its periodic
    search skips the much smaller ones (vision/tracking.py); an enrolment refuses frames
    with two faces, however small the other: while it runs, the analysis thread has every
    face counted, frame by frame (a calibration does not look at the count)."""
    from types import SimpleNamespace

    from moodplayer.pipeline import AnalysisThread, FrameSlot

    slot = FrameSlot()
    thread = AnalysisThread(slot, make_analyzer=None, adaptive=True)
    thread.analyzer = SimpleNamespace(keep_raw=False, tracker=SimpleNamespace(count_every_face=False))
    frames = thread._newest_frames()
    seen = []
    for enrolling, collecting in ((False, False), (True, False), (False, True), (False, False)):
        thread.enrolling, thread.collecting = enrolling, collecting
        slot.put(np.zeros((4, 4, 3), np.uint8), float(len(seen)))
        next(frames)
        seen.append(thread.analyzer.tracker.count_every_face)
    assert seen == [False, True, False, False]
