"""The adaptive analysis rate (issue 15): fewer readings of a still face, the same moods.
Functional only: the CPU figures come from ``moodplayer bench`` (docs/performance.md)."""

from __future__ import annotations

import numpy as np
import pytest
from media import HAPPY_STILL, SURPRISE_STILL, expression_video

from moodplayer.core.emotions import EMOTIONS, Reading
from moodplayer.core.session.mood_window import MoodWindow, WindowConfig
from moodplayer.core.settings.effective import effective_config
from moodplayer.core.settings.schema import Settings
from moodplayer.vision.analyze_video import analyze_video
from moodplayer.vision.rate import AnalysisRate, RateConfig


def face(t, mood, noise=0.0):
    scores = np.array([1.0 if e == mood else 0.0 for e in EMOTIONS]) + noise
    return Reading(t=t, box=(0, 0, 10, 10), face_confidence=1.0,
                   scores=tuple(scores / scores.sum()), faces=1)


def grey(level):
    return np.full((48, 64, 3), level, np.uint8)


def run(rate, frames, window):
    """(analysed times, mood changes) of frames [(t, mood, image)] at the camera's rate."""
    analysed, moods = [], []
    for t, mood, image in frames:
        if not rate.wants(t, image):
            continue
        reading = face(t, mood)
        rate.analysed(t, image, reading)
        state = window.push(reading)
        rate.follow(state)
        analysed.append(t)
        if state.changed:
            moods.append((round(t, 2), state.mood))
    return analysed, moods


def test_a_still_face_is_read_a_few_times_a_second_and_a_change_at_once():
    camera = [(k / 30, "happy", grey(100)) for k in range(300)]  # 10 s, nothing moves
    camera += [(10 + k / 30, "surprise", grey(140)) for k in range(300)]  # the face changes
    rate, window = AnalysisRate(RateConfig()), MoodWindow(WindowConfig())
    analysed, moods = run(rate, camera, window)
    steady = [t for t in analysed if 5 < t < 10]
    assert 15 <= len(steady) <= 25  # about 4 a second, not 30
    assert 10.0 in [round(t, 3) for t in analysed]  # the changed frame is read at once ...
    around_switch = [t for t in analysed if 10 <= t <= moods[-1][0]]
    assert len(around_switch) >= 0.9 * 30 * (moods[-1][0] - 10)  # ... and all of them until the switch
    assert [m for _, m in moods] == ["happy", "surprise"]


def test_the_switch_comes_as_fast_as_at_the_full_rate():
    camera = [(k / 30, "happy", grey(100)) for k in range(300)]
    camera += [(10 + k / 30, "surprise", grey(100)) for k in range(300)]  # the thumbnail cannot tell
    _, adaptive = run(AnalysisRate(), camera, MoodWindow(WindowConfig()))
    window, full = MoodWindow(WindowConfig()), []
    for t, mood, _ in camera:  # every frame read, as without the adaptive rate
        if window.push(face(t, mood)).changed:
            full.append((round(t, 2), window.mood))
    assert [m for _, m in adaptive] == [m for _, m in full] == ["happy", "surprise"]
    assert abs(adaptive[-1][0] - full[-1][0]) <= RateConfig().steady_interval_s + 0.05


def test_sparse_readings_vote_as_much_as_dense_ones():
    """The mood window weighs each reading by the time it stands for."""
    def shares(hz):
        window = MoodWindow(WindowConfig())
        state = None
        for k in range(int(5 * hz)):
            t = k / hz
            state = window.push(face(t, "happy" if t < 3 else "sad"))
        return state.shares

    dense, sparse = shares(30), shares(4)
    for emotion in ("happy", "sad"):
        assert sparse[emotion] == pytest.approx(dense[emotion], abs=0.05)



def test_analyze_finds_the_same_moods_with_and_without_the_adaptive_rate(tmp_path):
    video = expression_video(tmp_path / "faces.mp4", [(HAPPY_STILL, 8), (SURPRISE_STILL, 8)], fps=30)
    runs = {}
    for adaptive in (True, False):
        effective = effective_config(Settings(engine="fer"), None, {"adaptive_rate": adaptive})
        runs[adaptive] = analyze_video(str(video), effective)
    on, off = runs[True], runs[False]
    assert [m["mood"] for m in on["moods"]] == [m["mood"] for m in off["moods"]] == ["happy", "surprise"]
    assert abs(on["moods"][1]["t"] - off["moods"][1]["t"]) <= 0.5
    assert on["moods"][1]["t"] - 8.0 <= 0.6 * 5.0  # switch latency within 0.6 x the window
    assert on["analyzed"] < 0.7 * off["analyzed"] == 0.7 * on["frames"]
    assert on["settings"]["adaptive_rate"] is True and off["settings"]["adaptive_rate"] is False
