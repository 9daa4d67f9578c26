"""The samples a calibration learns from: (label, uncalibrated scores, features) of every
labelled frame of a video (with its timing script) or of a folder of labelled pictures,
read by the app's analyzer. ``moodplayer calibrate`` and the calibration study use it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from moodplayer.core.calibration.script import NO_LABEL, Segment, label_at, segment_at
from moodplayer.vision.datasets import Dataset, DatasetError, load_dataset
from moodplayer.vision.sources import SourceError, VideoFileSource, parse_source


class SamplesError(ValueError):
    """The input cannot give calibration samples: one line says why."""


@dataclass
class Samples:
    samples: list[tuple] = field(default_factory=list)  # (label, scores, features)
    missed: int = 0  # labelled frames or pictures without a face found
    unit: str = "frames"  # what one sample is called: frames or pictures
    takes: dict[str, int] | None = None  # per label, the video segments that gave a face
    seconds: float = 0.0  # how long the video is (0 for pictures)
    # the script's labelled segments the video could not give whole: said by calibrate
    beyond: list[Segment] = field(default_factory=list)  # start at or after the video's end
    cut: list[Segment] = field(default_factory=list)  # run past the end: only the start used
    faceless: list[tuple[Segment, int]] = field(default_factory=list)  # (segment, its frames): no face


def open_video(clip: str) -> VideoFileSource:
    try:
        spec = parse_source(clip)
        if spec.kind != "file" or spec.path is None:
            raise SamplesError(f"--video takes a video file, not {clip!r}")
        return VideoFileSource(spec.path, loop=False)
    except SourceError as err:
        raise SamplesError(str(err)) from err


def read_video(analyzer, source: VideoFileSource, script: list[Segment], clip: str) -> Samples:
    """Every labelled frame with a face; a segment's frames are one example (a take)."""
    out = Samples(unit="frames")
    segments_seen: set[Segment] = set()
    frames_in: Counter[Segment] = Counter()
    frames = labelled = 0
    try:
        while (image := source.read()) is not None:
            t = frames / source.fps  # media time, as analyze counts it
            frames += 1
            label = label_at(script, t)
            if label is None:
                continue
            labelled += 1
            segment = segment_at(script, t)
            if segment is not None:
                frames_in[segment] += 1
            analyzer.analyze(image, t)
            if analyzer.last_raw is None:
                out.missed += 1
            else:
                scores, features = analyzer.last_raw
                out.samples.append((label, scores, features))
                segment = segment_at(script, t)
                if segment is not None:  # always: the frame has a label
                    segments_seen.add(segment)
    finally:
        source.close()
    if frames == 0:
        raise SamplesError(f"{clip} holds no frames")
    out.seconds = frames / source.fps
    if labelled == 0:
        raise SamplesError(f"the script's segments lie beyond the end of {clip} "
                           f"({out.seconds:.1f} s)")
    out.takes = dict(Counter(segment.label for segment in segments_seen))
    for segment in script:
        if segment.label == NO_LABEL:
            continue
        if segment.start >= out.seconds:
            out.beyond.append(segment)
        elif segment.end > out.seconds:
            out.cut.append(segment)
        if frames_in[segment] and segment not in segments_seen:
            out.faceless.append((segment, frames_in[segment]))
    return out


def load_pictures(folder: str, labels_csv: str | None) -> Dataset:
    try:
        data = load_dataset(folder, labels_csv)
    except DatasetError as err:
        raise SamplesError(str(err)) from err
    if not data.samples:
        raise SamplesError(f"{folder} holds no labelled pictures ({dict(data.skipped)})")
    if not any(sample.label == "neutral" for sample in data.samples):
        raise SamplesError(f"{folder} has no neutral pictures: a calibration starts "
                           "from the relaxed face")
    return data


def read_pictures(analyzer, data: Dataset) -> Samples:
    import cv2

    out = Samples(unit="pictures")
    for sample in data.samples:
        image = cv2.imread(str(sample.path), cv2.IMREAD_COLOR)
        if image is not None:
            analyzer.analyze_still(image)
        if image is None or analyzer.last_raw is None:  # unreadable, or no face found
            out.missed += 1
        else:
            scores, features = analyzer.last_raw
            out.samples.append((sample.label, scores, features))
    return out
