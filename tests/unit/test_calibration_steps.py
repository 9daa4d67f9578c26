"""The wizard's steps without Qt: which frames a step keeps, retry, skip, the takes that
``fit`` gets, and the steadiness meter."""

from __future__ import annotations

import numpy as np
import pytest

from moodplayer.core.calibration.model import agreement
from moodplayer.core.calibration.steps import (
    DONE,
    NO_FACE,
    PROMPTS,
    SKIPPED,
    CalibrationSteps,
    Timing,
    steadiness,
)
from moodplayer.core.emotions import EMOTIONS

TIMING = Timing(neutral_s=5.0, expression_s=4.0, settle_s=0.7)


def sample(t, label="neutral", box=(100, 100, 200, 200), rng=np.random.default_rng(0)):
    scores = np.full(len(EMOTIONS), 0.05)
    scores[EMOTIONS.index(label)] = 0.7
    features = 0.1 * rng.random(8)
    features[EMOTIONS.index(label)] += 1.0  # each expression has its own direction
    return (t, tuple(scores / scores.sum()), tuple(features), box)


def test_a_step_keeps_only_the_frames_captured_after_settling_and_before_its_end():
    steps = CalibrationSteps(TIMING)
    steps.begin(100.0)
    kept = steps.add([sample(t) for t in (100.2, 100.69, 100.7, 103.0, 104.99, 105.0, 106.0)])
    assert kept == 3 and [s[0] for s in steps.current.samples] == [100.7, 103.0, 104.99]
    assert steps.finish().status == DONE


def test_retry_starts_the_take_again_and_a_step_without_a_face_says_so():
    steps = CalibrationSteps(TIMING)
    steps.begin(0.0)
    steps.add([sample(1.0)])
    steps.begin(10.0)  # retry
    assert steps.current.samples == []
    assert steps.finish().status == NO_FACE
    with pytest.raises(ValueError, match="needs a face"):
        steps.next()  # the relaxed face is required
    with pytest.raises(ValueError, match="cannot be skipped"):
        steps.skip()


def test_takes_count_steps_not_frames_and_skipped_steps_give_nothing():
    steps = CalibrationSteps(TIMING)
    t = 0.0
    for prompt in PROMPTS:
        steps.begin(t)
        if prompt.label == "sad":
            steps.skip()
        else:
            steps.add([sample(t + 1 + k / 10, prompt.label) for k in range(20)])
            steps.finish()
            steps.next()
        t += 10
    assert steps.over and steps.steps[2].status == SKIPPED
    samples, takes = steps.labelled()
    assert takes["neutral"] == 2 and takes["happy"] == 1 and "sad" not in takes
    assert len(samples) == 20 * (len(PROMPTS) - 1)
    calibration = steps.fit()
    assert calibration.stats["neutral"].count == 2 and "sad" not in calibration.labels
    assert agreement(samples, calibration) >= agreement(samples, None) > 0.9


def test_finish_early_needs_the_neutral_and_skips_the_rest():
    steps = CalibrationSteps(TIMING)
    with pytest.raises(ValueError, match="relaxed face"):
        steps.finish_early()
    steps.begin(0.0)
    steps.add([sample(1.0)])
    steps.finish()
    steps.next()
    steps.begin(10.0)
    steps.finish_early()
    assert steps.over and all(s.status == SKIPPED for s in steps.steps[1:])
    assert steps.fit().labels == ["neutral"]


def test_steadiness_falls_when_the_face_moves_or_its_reading_changes():
    still = [sample(t / 10) for t in range(10)]
    moving = [sample(t / 10, box=(100 + 30 * (t % 2), 100, 200, 200)) for t in range(10)]
    changing = [sample(t / 10, label=EMOTIONS[t % 7]) for t in range(10)]
    assert steadiness(still[:2]) is None
    assert steadiness(still) > 0.9
    assert steadiness(moving) < 0.1 and steadiness(changing) < 0.5
