"""The mood window on scripted readings: latency, hysteresis, no-face hold."""

import pytest

from moodplayer.core.emotions import EMOTIONS, Reading
from moodplayer.core.session.mood_window import MoodWindow, WindowConfig


def face(t, emotion, p=0.8, conf=0.9):
    rest = (1 - p) / (len(EMOTIONS) - 1)
    scores = tuple(p if e == emotion else rest for e in EMOTIONS)
    return Reading(t=t, box=(0, 0, 10, 10), face_confidence=conf, scores=scores)


def feed(window, readings):
    changes = []
    for r in readings:
        state = window.push(r)
        if state.changed:
            changes.append((r.t, state.mood))
    return changes, state


def script(start, end, emotion, fps=10, **kw):
    n = int(round((end - start) * fps))
    return [face(start + i / fps, emotion, **kw) for i in range(n)]


def test_first_mood_needs_a_few_readings():
    w = MoodWindow(WindowConfig(min_readings=3))
    assert not w.push(face(0.0, "happy")).changed
    assert not w.push(face(0.1, "happy")).changed
    state = w.push(face(0.2, "happy"))
    assert state.changed and state.mood == "happy"
    assert state.confidence > 0.7


def test_switch_latency_is_well_under_the_window():
    cfg = WindowConfig(window_s=5.0, margin=0.15, min_dwell_s=1.0)
    changes, _ = feed(MoodWindow(cfg), script(0, 10, "sad") + script(10, 20, "happy"))
    assert [m for _, m in changes] == ["sad", "happy"]
    latency = changes[1][0] - 10
    assert cfg.min_dwell_s <= latency <= 0.6 * cfg.window_s


def test_single_frame_outliers_never_switch():
    readings = script(0, 10, "neutral")
    for i in range(0, len(readings), 7):  # one angry frame in seven
        readings[i] = face(readings[i].t, "angry", p=0.99)
    changes, state = feed(MoodWindow(), readings)
    assert [m for _, m in changes] == ["neutral"]
    assert state.mood == "neutral"


def test_hysteresis_no_flicker_between_close_moods():
    # Two moods alternating almost evenly: the first one holds.
    readings = []
    for i in range(200):
        readings.append(face(i / 10, "happy" if (i // 3) % 2 == 0 else "surprise", p=0.5))
    changes, _ = feed(MoodWindow(WindowConfig(margin=0.15)), readings)
    assert len(changes) == 1


def test_challenger_must_dwell():
    cfg = WindowConfig(window_s=5.0, margin=0.1, min_dwell_s=2.0)
    w = MoodWindow(cfg)
    feed(w, script(0, 10, "sad"))
    # A 1.5 s burst of happy is not enough to switch, even though it leads for a while.
    changes, state = feed(w, script(10, 11.5, "happy", p=0.99) + script(11.5, 20, "sad"))
    assert changes == [] and state.mood == "sad"


def test_no_face_does_not_vote_and_mood_holds():
    cfg = WindowConfig(window_s=5.0, no_face_timeout_s=3.0)
    w = MoodWindow(cfg)
    feed(w, script(0, 5, "happy"))
    states = [w.push(Reading(t=5 + i / 10)) for i in range(1, 60)]
    assert all(s.mood == "happy" for s in states)
    assert not states[10].face_lost  # 1 s without a face
    assert states[-1].face_lost  # ~6 s without a face
    assert states[-1].votes == 0
    state = w.push(face(12.0, "happy"))
    assert not state.face_lost


def test_low_confidence_faces_weigh_less():
    w = MoodWindow(WindowConfig(min_readings=1, min_dwell_s=0.0))
    for i in range(10):
        w.push(face(i / 10, "sad", conf=0.05))
        state = w.push(face(i / 10 + 0.05, "happy", conf=1.0))
    assert state.mood == "happy"
    assert state.shares["happy"] > 2 * state.shares["sad"]


def test_old_readings_expire():
    w = MoodWindow(WindowConfig(window_s=2.0))
    feed(w, script(0, 2, "happy"))
    state = w.push(face(10.0, "sad"))
    assert state.votes == 1


@pytest.mark.parametrize("bad", [dict(window_s=0), dict(margin=1.0), dict(min_readings=0)])
def test_config_is_validated(bad):
    with pytest.raises(ValueError):
        WindowConfig(**bad)
