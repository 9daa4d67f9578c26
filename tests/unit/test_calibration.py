"""The per-person calibration method on synthetic readings (pure numpy, no model)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from moodplayer.core.calibration.model import Calibration, CalibrationError, fit
from moodplayer.core.emotions import EMOTIONS

INDEX = {label: i for i, label in enumerate(EMOTIONS)}


def probs(**kw) -> np.ndarray:
    """Probabilities with the given labels' values and the rest shared equally."""
    p = np.zeros(len(EMOTIONS))
    for label, v in kw.items():
        p[INDEX[label]] = v
    rest = [i for i in range(len(EMOTIONS)) if p[i] == 0]
    p[rest] = (1 - p.sum()) / len(rest)
    return p


def direction(seed: int, dim: int = 32) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=dim)
    return v / np.linalg.norm(v)


def top(p) -> str:
    return EMOTIONS[int(np.argmax(p))]


def test_resting_face_read_as_sad_reads_neutral_and_never_collapses_on_disgust():
    # A resting face the network reads as sad, with disgust at almost nothing: a plain
    # log-ratio (scores / the neutral's scores) would turn every later sad reading into disgust.
    resting = probs(sad=0.55, neutral=0.4, disgust=1e-6)
    cal = fit([("neutral", resting)])
    assert top(resting) == "sad" and top(cal.apply(resting)) == "neutral"
    sad = probs(sad=0.9, neutral=0.05, disgust=1e-5)
    log_ratio = np.log(sad) - np.log(resting)
    assert top(log_ratio) == "disgust"  # the failure the method must avoid
    assert top(cal.apply(sad)) == "sad"
    for label in EMOTIONS:  # a clear reading of any expression stays that expression
        if label != "neutral":
            assert top(cal.apply(probs(**{label: 0.8, "disgust": 1e-6} if label != "disgust"
                                       else {label: 0.8}))) == label


def axis(*weights: float, dim: int = 32) -> np.ndarray:
    v = np.zeros(dim)
    v[:len(weights)] = weights
    return v / np.linalg.norm(v)


def test_neutral_gate_uses_features_when_the_engine_gives_them():
    neutral_f = axis(1)
    smile_f = axis(1, 1)  # 0.77 from the neutral: outside the gate, still this person
    resting = probs(angry=0.6, neutral=0.3)
    cal = fit([("neutral", resting, neutral_f)])
    assert cal.uses_features and cal.feature_dim == 32
    # the same angry-looking scores: near their neutral features it is their resting face
    assert top(cal.apply(resting, axis(1, 0.1))) == "neutral"
    # away from it, it is not neutral, whatever the network's neutral score
    assert top(cal.apply(probs(neutral=0.5, happy=0.4), smile_f)) == "happy"
    # scores alone (features missing or of another length): still a valid probability vector
    for feats in (None, np.ones(5)):
        out = cal.apply(resting, feats)
        assert out.shape == (7,) and out.sum() == pytest.approx(1) and np.all(out >= 0)


def test_a_face_unlike_anything_calibrated_gets_the_networks_reading():
    # someone else in front of the camera: far from every prototype of this person
    cal = fit([("neutral", probs(neutral=0.9), axis(1)), ("happy", probs(happy=0.9), axis(1, 1))])
    stranger = axis(0, 0, 0, 1)
    for reading in (probs(neutral=0.6, sad=0.3), probs(angry=0.5)):
        assert np.allclose(cal.apply(reading, stranger), reading)
    # 1.1 from the nearest prototype, halfway out: half the network's reading, half the
    # calibrated one (the gate alone would leave neutral at about 0.12)
    halfway = axis(0.395, 0, np.sqrt(1 - 0.395**2))
    assert np.linalg.norm(halfway - axis(1)) == pytest.approx(1.1, abs=0.01)
    assert 0.3 < cal.apply(probs(neutral=0.6, sad=0.3), halfway)[INDEX["neutral"]] < 0.45


def test_one_example_per_expression_blends_with_the_network():
    neutral_f = direction(10)
    shown = {label: direction(20 + i) for i, label in enumerate(EMOTIONS) if label != "neutral"}
    # This person's disgust reads as anger, and the network keeps saying so
    samples = [("neutral", probs(neutral=0.9), neutral_f)]
    samples += [(label, probs(angry=0.7) if label == "disgust" else probs(**{label: 0.7}), f)
                for label, f in shown.items()]
    cal = fit(samples)
    their_disgust = cal.apply(probs(angry=0.6), shown["disgust"] + 0.1 * direction(99))
    assert top(their_disgust) == "disgust"
    # one example does not overrule a network that is sure: it keeps part of the vote
    sure = cal.apply(probs(happy=0.97), shown["surprise"])
    assert sure[INDEX["happy"]] > 0.3
    # a label the person did not show is left to the network
    partial = fit([s for s in samples if s[0] in ("neutral", "happy")])
    assert partial.labels == ["happy", "neutral"]
    assert top(partial.apply(probs(fear=0.7), shown["fear"])) == "fear"


def test_frames_of_one_take_count_as_one_example():
    neutral_f, disgust_f, angry_f = axis(1), axis(1, 1), axis(1, 0, 1)
    frames = ([("neutral", probs(neutral=0.9), neutral_f)] * 20
              + [("disgust", probs(disgust=0.5, angry=0.3), disgust_f)] * 20
              + [("angry", probs(angry=0.7), angry_f)] * 20)
    per_frame = fit(frames)
    per_take = fit(frames, {"neutral": 1, "disgust": 1, "angry": 1})
    assert per_frame.stats["disgust"].count == 20 and per_take.stats["disgust"].count == 1
    reading = probs(angry=0.5, disgust=0.3)
    # twenty frames of one take do not outvote the network as twenty pictures would
    taken, framed = per_take.apply(reading, disgust_f), per_frame.apply(reading, disgust_f)
    assert top(taken) == top(framed) == "disgust"
    assert taken[INDEX["angry"]] > framed[INDEX["angry"]] + 0.1
    assert fit(frames, {"disgust": 50}).stats["disgust"].count == 20  # never more than the frames
    with pytest.raises(CalibrationError, match="examples must be a whole number"):
        fit(frames, {"disgust": 0})


def test_round_trip_is_numbers_only_and_gives_the_same_readings():
    samples = [("neutral", probs(neutral=0.8), direction(1)), ("happy", probs(happy=0.8), direction(2)),
               ("happy", probs(happy=0.6), direction(3))]
    cal = fit(samples)
    data = cal.to_dict()
    text = json.dumps(data)
    back = Calibration.from_dict(json.loads(text))
    assert back.labels == ["happy", "neutral"] and back.stats["happy"].count == 2
    reading, feats = probs(sad=0.5), direction(4)
    assert np.allclose(back.apply(reading, feats), cal.apply(reading, feats), atol=1e-5)

    def numbers(x):
        if isinstance(x, dict):
            return all(isinstance(k, str) and numbers(v) for k, v in x.items())
        if isinstance(x, list):
            return all(numbers(v) for v in x)
        return isinstance(x, (int, float))
    assert numbers(data)


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.update(version=7), "version"),
    (lambda d: d.update(labels={}), "no labels"),
    (lambda d: d["labels"].pop("neutral"), "no neutral"),
    (lambda d: d["labels"].update(contempt=d["labels"]["happy"]), "unknown label 'contempt'"),
    (lambda d: d["labels"]["happy"].update(count=0), "count"),
    (lambda d: d["labels"]["happy"].update(count="3"), "count"),
    (lambda d: d["labels"]["happy"]["scores"].pop(), "expected 7 numbers"),
    (lambda d: d["labels"]["happy"]["scores"].__setitem__(0, "x"), "finite number"),
    (lambda d: d["labels"]["happy"]["scores"].__setitem__(0, 5.0), "unit vector"),
    (lambda d: d["labels"]["happy"]["features"].pop(), "unit vector|differ in length"),
    (lambda d: d["labels"]["happy"].pop("features"), "features differ"),
    (lambda d: d["labels"].update(happy=[1, 2]), "expected an object"),
])
def test_damaged_dict_raises_a_clear_error(damage, message):
    data = fit([("neutral", probs(neutral=0.8), direction(1)),
                ("happy", probs(happy=0.8), direction(2))]).to_dict()
    damage(data)
    with pytest.raises(CalibrationError, match=message):
        Calibration.from_dict(data)
    with pytest.raises(CalibrationError, match="JSON object"):
        Calibration.from_dict([1, 2])


def test_fit_refuses_bad_readings_clearly():
    with pytest.raises(CalibrationError, match="neutral"):
        fit([("happy", probs(happy=0.9))])
    with pytest.raises(CalibrationError, match="unknown label 'contempt'"):
        fit([("neutral", probs(neutral=0.9)), ("contempt", probs(happy=0.9))])
    with pytest.raises(CalibrationError, match="7 probabilities"):
        fit([("neutral", [0.5, 0.5])])
    with pytest.raises(CalibrationError, match="finite"):
        fit([("neutral", [np.nan] * 7)])
    # features on some readings only: the calibration falls back to the scores
    cal = fit([("neutral", probs(neutral=0.9), direction(1)), ("happy", probs(happy=0.9), None)])
    assert not cal.uses_features
    with pytest.raises(CalibrationError, match="neutral"):
        fit([])


# --- on top of the blend (core/calibration/blend.py) -----------------------------------------

def blended(label_seed: int, p_fer, p_fa, person: int = 0):
    """A blended reading's vector: each net's features near its own direction for this
    (person, label), and each net's probabilities."""
    from moodplayer.core.calibration.blend import FACEAPI_FEATURES, FER_FEATURES, pack

    rng = np.random.default_rng([person, label_seed, 7])
    f_fer = direction(1000 * person + label_seed, FER_FEATURES) + 0.05 * rng.normal(size=FER_FEATURES)
    f_fa = direction(5000 + 1000 * person + label_seed, FACEAPI_FEATURES) + 0.05 * rng.normal(size=FACEAPI_FEATURES)
    return pack(f_fer, f_fa, p_fer, p_fa), f_fer


def test_a_blend_calibration_corrects_each_net_and_keeps_the_blend_for_a_stranger():
    from moodplayer.core.calibration.blend import BLEND_WEIGHT, log_blend

    resting_fer, resting_fa = probs(sad=0.6, neutral=0.3), probs(angry=0.5, neutral=0.4)
    angry_fer, angry_fa = probs(angry=0.5, neutral=0.3), probs(neutral=0.7, angry=0.2)
    samples = []
    for label, seed, pf, pa in (("neutral", 1, resting_fer, resting_fa), ("angry", 2, angry_fer, angry_fa)):
        v, _ = blended(seed, pf, pa)
        samples.append((label, log_blend(pf, pa, BLEND_WEIGHT), v))
    cal = fit(samples)
    assert cal.partner is not None and cal.labels == cal.partner.labels == ["angry", "neutral"]
    assert cal.feature_dim == 128 and cal.partner.feature_dim == 256
    # the person's resting face and anger, read again: both nets corrected, then blended
    for label, seed, pf, pa in (("neutral", 1, resting_fer, resting_fa), ("angry", 2, angry_fer, angry_fa)):
        v, f_fer = blended(seed, pf, pa)
        uncalibrated = log_blend(pf, pa, BLEND_WEIGHT)
        assert top(cal.apply(uncalibrated, v)) == label
    # the numbers survive the store's round trip, face-api's half too
    again = Calibration.from_dict(json.loads(json.dumps(cal.to_dict())))
    assert again.partner is not None
    v, f_fer = blended(2, angry_fer, angry_fa)
    assert np.allclose(again.apply(log_blend(angry_fer, angry_fa, BLEND_WEIGHT), v),
                       cal.apply(log_blend(angry_fer, angry_fa, BLEND_WEIGHT), v))
    # someone else (features unlike every prototype): the blend exactly as it reads
    v, _ = blended(3, angry_fer, angry_fa, person=9)
    assert np.allclose(cal.apply(log_blend(angry_fer, angry_fa, BLEND_WEIGHT), v),
                       log_blend(angry_fer, angry_fa, BLEND_WEIGHT))
    # read by the mini-Xception alone (face-api's net gone): the mini-Xception's calibration
    fer_only = fit([("neutral", resting_fer, blended(1, resting_fer, resting_fa)[1]),
                    ("angry", angry_fer, blended(2, angry_fer, angry_fa)[1])])
    _, f_fer = blended(2, angry_fer, angry_fa)
    assert np.allclose(cal.apply(angry_fer, f_fer), fer_only.apply(angry_fer, f_fer))


def test_a_damaged_face_api_half_is_a_clear_error():
    from moodplayer.core.calibration.blend import BLEND_WEIGHT, log_blend

    p = probs(neutral=0.6)
    v, _ = blended(1, p, p)
    data = fit([("neutral", log_blend(p, p, BLEND_WEIGHT), v)]).to_dict()
    data["faceapi"]["neutral"]["features"][0] += 0.5
    with pytest.raises(CalibrationError, match="face-api's part: neutral features: not a unit vector"):
        Calibration.from_dict(data)
