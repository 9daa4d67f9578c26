"""The analyzer with and without a calibration, on the real emotion model."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from helpers import feat_file
from media import ANGRY_STILL, HAPPY_STILL

from moodplayer.core.calibration.model import fit
from moodplayer.vision.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer.create()


def test_features_come_with_the_same_probabilities(analyzer):
    face = analyzer.detector.detect(cv2.imread(str(feat_file(HAPPY_STILL))))[0].crop
    crops = [face, face[:, ::-1]]
    probs, features = analyzer.engine.predict_with_features(crops)
    assert np.array_equal(probs, analyzer.engine.predict(crops))
    assert features.shape == (2, 128) and np.all(np.isfinite(features)) and features.any()
    empty, none = analyzer.engine.predict_with_features([])
    assert empty.shape == (0, 7) and none is None


def test_uncalibrated_is_unchanged_and_calibrated_applies_to_every_reading(analyzer):
    happy = cv2.imread(str(feat_file(HAPPY_STILL)))
    angry = cv2.imread(str(feat_file(ANGRY_STILL)))
    plain = analyzer.analyze_still(happy)
    analyzer.keep_raw = True
    try:
        kept = analyzer.analyze_still(happy)  # keeping the raw reading changes nothing
        assert kept.scores == plain.scores
        raw_scores, raw_features = analyzer.last_raw
        assert np.allclose(raw_scores, plain.scores)
        calibration = fit([("neutral", raw_scores, raw_features)])  # this smile is their resting face
        analyzer.set_calibration(calibration)
        calibrated = analyzer.analyze_still(happy)
        assert calibrated.emotion == "neutral" and plain.emotion == "happy"
        assert np.allclose(calibrated.scores, calibration.apply(raw_scores, raw_features))
        # another expression (of another face) keeps the network's top label
        analyzer.set_calibration(None)
        other = analyzer.analyze_still(angry)
        analyzer.set_calibration(calibration)
        assert analyzer.analyze_still(angry).emotion == other.emotion
    finally:
        analyzer.keep_raw = False
        analyzer.set_calibration(None)
    assert analyzer.analyze_still(happy).scores == plain.scores
