"""``moodplayer analyze``: the app's analyzer and mood window over a video file, no Qt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from moodplayer.core.mood_window import MoodWindow, WindowConfig
from moodplayer.vision.sources import SourceError, VideoFileSource, parse_source

if TYPE_CHECKING:
    from moodplayer.core.calibration import Calibration
    from moodplayer.vision.analyzer import AnalyzerConfig


def analyze_video(path: str, config: "AnalyzerConfig | None" = None, stride: int = 1,
                  window_s: float = 5.0, calibration: "Calibration | None" = None) -> dict:
    spec = parse_source(path)
    if spec.kind != "file":
        raise SourceError(f"analyze takes a video file, not {path!r}")
    source = VideoFileSource(spec.path, loop=False)

    from moodplayer.vision.analyzer import Analyzer, AnalyzerConfig

    analyzer = Analyzer.create(config or AnalyzerConfig())
    analyzer.set_calibration(calibration)
    window = MoodWindow(WindowConfig(window_s=window_s))
    readings, moods = [], []
    frames = analysed = 0
    try:
        while (image := source.read()) is not None:
            frames += 1
            if (frames - 1) % stride:
                continue
            t = round((frames - 1) / source.fps, 3)  # media time, not wall time
            reading = analyzer.analyze(image, t)
            analysed += 1
            readings.append({
                "t": t,
                "face": list(reading.box) if reading.box else None,
                "emotion": reading.emotion,
                "scores": {k: round(v, 4) for k, v in reading.score_dict().items()},
            })
            state = window.push(reading)
            if state.changed:
                moods.append({"t": t, "mood": state.mood})
    finally:
        source.close()
    return {
        "engine": analyzer.engine.name,
        "detector": analyzer.detector.backend,
        "frames": frames,
        "analyzed": analysed,
        "readings": readings,
        "moods": moods,
        "calibration": None if calibration is None else {
            "profile": calibration.profile, "labels": calibration.labels},
    }
