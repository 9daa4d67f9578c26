"""``moodplayer analyze``: the app's analyzer and mood window over a video file, no Qt."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from moodplayer.core.session.explain import mood_why, playlist_why
from moodplayer.core.session.mood_window import MoodWindow
from moodplayer.core.settings.effective import Effective
from moodplayer.vision.sources import SourceError, VideoFileSource, parse_source

if TYPE_CHECKING:
    from moodplayer.core.calibration.model import Calibration


def analyze_video(path: str, effective: Effective, stride: int = 1, allow_download: bool = False,
                  calibration: Calibration | None = None) -> dict:
    """Readings and mood changes of a video, decided as the app would with ``effective``
    (core/config.py: the settings file, the profile and the command line's overrides) and
    the profile's ``calibration`` (core/calibration.py), if any."""
    spec = parse_source(path)
    if spec.kind != "file" or spec.path is None:
        raise SourceError(f"analyze takes a video file, not {path!r}")
    source = VideoFileSource(spec.path, loop=False)

    from moodplayer.vision.analyzer import Analyzer, AnalyzerConfig
    from moodplayer.vision.rate import AnalysisRate
    from moodplayer.vision.timeline import MediaFrames, mood_timeline

    analyzer = Analyzer.create(AnalyzerConfig.from_settings(effective.settings, allow_download))
    analyzer.set_calibration(calibration)
    rate = AnalysisRate() if effective.settings.adaptive_rate else None
    frames = MediaFrames(source, stride, rate)  # frames the rate leaves out are not decoded
    readings: list[dict[str, Any]] = []
    moods: list[dict[str, Any]] = []
    try:
        for step in mood_timeline(frames, analyzer, MoodWindow(effective.window), rate):
            r = step.reading
            readings.append({
                "t": r.t,
                "face": list(r.box) if r.box else None,
                "emotion": r.emotion,
                "scores": {k: round(v, 4) for k, v in r.score_dict().items()},
            })
            st = step.state
            if st.changed and st.mood is not None:  # a change is always to a mood
                previous = moods[-1]["mood"] if moods else None
                why = mood_why(st.mood, st.shares, effective.window, previous)
                moods.append({"t": r.t, "mood": st.mood, "why": music_why(why, st.mood, effective)})
    finally:
        source.close()
    if frames.read == 0:
        raise SourceError(f"{spec.path} gives no picture (an empty or unreadable video)")
    return {
        "engine": analyzer.engine.name,
        "engine_notice": analyzer.engine.notice,  # not the engine asked for: why (said on stderr too)
        "detector": analyzer.detector.backend,
        "settings": effective.summary(),
        "frames": frames.read,
        "analyzed": len(readings),
        "readings": readings,
        "moods": moods,
        "calibration": None if calibration is None else {
            "profile": calibration.profile, "labels": calibration.labels},
    }


def recognise_listeners(path: str, active: str, profiles: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """``analyze --recognise``: who is listening in the video, as the app would decide it
    (vision/listeners.py reads the largest face about once a second, core/listeners/
    tracker.py turns the identifications into a listener): one ``{t, profile, why}`` per
    change, ``profile`` None for a face nobody enrolled. Also the problems of damaged
    enrolment files (said, never fatal). Raises ModelUnavailable without face-api's nets."""
    from moodplayer.core.listeners import store
    from moodplayer.core.listeners.matching import identify
    from moodplayer.core.listeners.tracker import ListenerTracker
    from moodplayer.vision.detect import FaceDetector
    from moodplayer.vision.listeners import ListenerRecogniser, video_descriptors

    spec = parse_source(path)
    if spec.kind != "file" or spec.path is None:
        raise SourceError(f"analyze takes a video file, not {path!r}")
    enrolments, problems = store.load_all(profiles)
    recogniser = ListenerRecogniser.load()
    tracker = ListenerTracker(active, [e.profile for e in enrolments])
    changes: list[dict[str, Any]] = []
    for t, descriptor in video_descriptors(spec.path, FaceDetector(), recogniser):
        if descriptor is None:
            tracker.push(t, None, face=False)
            continue
        match = identify(descriptor, enrolments, model=recogniser.model)
        change = tracker.push(t, match.profile if match else None)
        if change is not None:
            changes.append({"t": change.t, "profile": change.profile, "why": change.why})
    return changes, problems


def music_why(reason: str, mood: str, effective: Effective) -> str:
    """The mood's why and the playlist the profile gives that mood, as the app would say it
    (no playlist is loaded here: its name is the folder's or the file's)."""
    profile = effective.profile
    where = profile.playlists.get(mood)
    name = f"{mood} ({Path(where).name})" if where else mood
    lift = profile.lift.get(mood)
    return playlist_why(reason, name, lift.target if lift else None, lift.tracks if lift else None)
