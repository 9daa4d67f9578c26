"""``eval --identify K``: how well enrolled listeners are recognised on labelled pictures
with a ``group`` per person (development only).

For each group, K of its pictures enrol it (core/listeners: the same enrolment and
matching the app uses) and its other pictures are identified against every enrolment:
right when the nearest enrolment within the threshold is the person's own (nobody, or
someone else, is wrong). Each group is also left out once, the others enrolled, and its
pictures count as strangers: a stranger matched to anyone is a stranger accepted.
The K pictures are drawn at random (``rounds`` reproducible draws, averaged), so a
figure does not hang on which expression happened to enrol a person.

    {"k", "n", "accuracy", "strangers_accepted", "threshold", "rounds", "no_face"}

``n`` is the pictures identified per draw (with a face found, not used to enrol);
``no_face`` the pictures where the detector found none (left out of both figures).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from moodplayer.core.listeners.enrolment import Enrolment, enrol
from moodplayer.core.listeners.matching import DEFAULT_THRESHOLD, identify

Faces = Sequence[tuple[str, "np.ndarray | None"]]  # (group, descriptor or None: no face)


def identify_eval(faces: Faces, k: int = 1, threshold: float = DEFAULT_THRESHOLD,
                  rounds: int = 5, seed: int = 0) -> dict:
    if k < 1:
        raise ValueError("--identify needs K ≥ 1 enrolment pictures per person")
    by_group: dict[str, list[np.ndarray]] = defaultdict(list)
    no_face = 0
    for group, descriptor in faces:
        if descriptor is None:
            no_face += 1
        else:
            by_group[group].append(np.asarray(descriptor, np.float64))
    groups = sorted(g for g, items in by_group.items() if len(items) > k)
    if len(groups) < 2:
        raise ValueError(f"--identify {k} needs two groups (people) with more than {k} faces found")
    right = identified = accepted = strangers = 0
    for r in range(rounds):
        rng = random.Random(f"{seed}:{r}")
        enrolments: dict[str, Enrolment] = {}
        probes: dict[str, list[np.ndarray]] = {}
        for group in groups:
            order = list(range(len(by_group[group])))
            rng.shuffle(order)
            enrolments[group] = enrol(group, [by_group[group][i] for i in order[:k]])
            probes[group] = [by_group[group][i] for i in order[k:]]
        everyone = list(enrolments.values())
        for group in groups:
            others = [e for e in everyone if e.profile != group]
            for face in probes[group]:
                match = identify(face, everyone, threshold)
                identified += 1
                right += match is not None and match.profile == group
            for face in by_group[group]:  # left out: all of its pictures are a stranger's
                strangers += 1
                accepted += identify(face, others, threshold) is not None
    return {"k": k, "n": identified // rounds, "accuracy": round(right / identified, 4),
            "strangers_accepted": round(accepted / strangers, 4), "threshold": threshold,
            "rounds": rounds, "no_face": no_face}


def describe_samples(samples: Iterable, describe: Callable[[np.ndarray], np.ndarray | None],
                     read: Callable[[str], np.ndarray | None] | None = None) -> list[tuple[str, np.ndarray | None]]:
    """(group, descriptor) for each dataset sample (vision/datasets.Sample with a group):
    ``describe`` turns a BGR picture into the largest face's descriptor, or None."""
    import cv2

    read = read or (lambda path: cv2.imread(path))
    out = []
    for sample in samples:
        if sample.group is None:
            raise ValueError(f"{sample.path} has no group: --identify needs a path,label,group CSV")
        image = read(str(sample.path))
        out.append((sample.group, None if image is None else describe(image)))
    return out


def run_identify(root: str, labels_csv: str | None = None, k: int = 1,
                 threshold: float = DEFAULT_THRESHOLD, rounds: int = 5) -> dict:
    """The whole measurement on a labelled folder or CSV with groups: the app's detector
    finds the largest face of each picture, vision/listeners.py makes its descriptor
    (what ``eval --identify K`` reports under ``identify``)."""
    from moodplayer.vision.datasets import load_dataset
    from moodplayer.vision.detect import FaceDetector
    from moodplayer.vision.listeners import ListenerRecogniser, largest_face_descriptor

    detector, recogniser = FaceDetector(), ListenerRecogniser.load()
    data = load_dataset(root, labels_csv)
    faces = describe_samples(data.samples,
                             lambda image: largest_face_descriptor(image, detector, recogniser))
    return identify_eval(faces, k, threshold, rounds)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(
        prog="python -m moodplayer.dev.identify",
        description="eval --identify K: enrol K pictures per person, identify the rest, "
                    "count strangers accepted")
    parser.add_argument("root")
    parser.add_argument("--labels", help="path,label,group CSV (default: ROOT/labels.csv)")
    parser.add_argument("--identify", "-k", dest="k", type=int, default=1, metavar="K")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    print(json.dumps({"identify": run_identify(args.root, args.labels, args.k, args.threshold,
                                               args.rounds)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
