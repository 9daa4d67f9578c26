"""Which open-set rule and which descriptor variant recognise listeners best, measured on
two sets of people (development only; the figures in docs/accuracy.md, "Who is listening").

    python -m moodplayer.dev.identify_rules persons-dev faces-dev [--cache /tmp/rules.npz]

Each picture is read once: the app's detector finds the largest face, face-api's landmarks
align its chip (vision/listeners.py), and two descriptors are made, of the chip and of the
chip mirrored. A set's ``group`` is its labels' group column when it has one, else the
person's name in the file name (LFW's ``First_Last_0003.jpg``: faces-dev). People seen once
are strangers only. Then, for K=1 (one random picture enrols each person, 5 draws):

* accuracy: the other pictures of the enrolled identified against everyone enrolled;
* strangers accepted: each person left out once (and every person seen once), matched
  against all the others enrolled.

for each variant (plain / mirrored-chip averaged with the original, at enrolment and query)
and each rule:

* ``distance < t`` (today's rule, 0.4), t from 0.30 to 0.64 by 0.0125;
* ``margin``: nearest < t AND the second-nearest profile at least m farther;
* ``ratio``: nearest < t AND nearest / second < r;

and with ``--frames F`` each query is the mean of F descriptors of the person's pictures
(several frames averaged per decision; pictures of other expressions, so an upper bound
for a camera's consecutive seconds). Ways are compared at their operating points: the best
accuracy with at most 5 % (10 %) of strangers accepted, whatever threshold each needs.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

NAME_IN_FILE = re.compile(r"^(.*?)_\d+$")


def group_of(sample, by_name: bool) -> str | None:
    """The labels' group, or (``by_name``: faces-dev, whose third column is the pictures'
    origin) the person's name in the file name."""
    if not by_name:
        return sample.group
    found = NAME_IN_FILE.match(Path(sample.path).stem)
    return found.group(1) if found else None


def groups_by_name(root: str) -> bool:
    with (Path(root) / "labels.csv").open(encoding="utf-8") as fh:
        return "group" not in fh.readline().strip().split(",")


def describe_set(root: str) -> dict:
    """{"group": [...], "plain": (n,128), "mirror": (n,128), "found": (n,) bool}."""
    from moodplayer.vision.datasets import load_dataset
    from moodplayer.vision.detect import FaceDetector
    from moodplayer.vision.listeners import ListenerRecogniser

    cv2.setNumThreads(1)
    detector, recogniser = FaceDetector(), ListenerRecogniser.load()
    data = load_dataset(root)
    groups, plain, mirror, found = [], [], [], []
    by_name = groups_by_name(root)
    for n, sample in enumerate(data.samples):
        if n % 100 == 0:
            print(f"  {n}/{len(data.samples)}", flush=True)
        group = group_of(sample, by_name)
        if group is None:
            continue
        image = cv2.imread(str(sample.path))
        faces = detector.detect(image) if image is not None else []
        chip = None
        if faces:
            try:
                chip = recogniser.chip(image, faces[0].box)
            except ValueError:
                chip = None
        groups.append(group)
        found.append(chip is not None)
        if chip is None:
            plain.append(np.zeros(128))
            mirror.append(np.zeros(128))
        else:
            plain.append(recogniser.descriptor.describe(chip))
            mirror.append(recogniser.descriptor.describe(np.ascontiguousarray(chip[:, ::-1])))
    return {"group": np.array(groups), "plain": np.array(plain), "mirror": np.array(mirror),
            "found": np.array(found)}


def write_names_csv(root: str, out: str) -> int:
    """A ``path,label,group`` CSV of ``root`` with the person's name in the file as the group
    (for ``moodplayer eval ROOT --labels OUT --identify K`` on faces-dev); rows written."""
    import csv

    from moodplayer.vision.datasets import load_dataset

    rows = [(str(Path(s.path).resolve()), s.label, group_of(s, True) or Path(s.path).stem)
            for s in load_dataset(root).samples]
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "label", "group"])
        writer.writerows(rows)
    return len(rows)


def variant(d: dict, name: str) -> np.ndarray:
    if name == "plain":
        return d["plain"]
    if name == "mirror-avg":
        return (d["plain"] + d["mirror"]) / 2
    raise ValueError(name)


def decide(dist: np.ndarray, rule: tuple) -> int:
    """The index of the accepted profile, or -1 (dist: per enrolled profile)."""
    order = np.argsort(dist)
    nearest = dist[order[0]]
    second = dist[order[1]] if len(order) > 1 else np.inf
    kind, t, extra = rule
    if nearest >= t:
        return -1
    if kind == "margin" and second - nearest < extra:
        return -1
    if kind == "ratio" and nearest / second >= extra:
        return -1
    return int(order[0])


def profile_distances(face: np.ndarray, enrolled: list[np.ndarray]) -> np.ndarray:
    rows = np.vstack(enrolled)
    starts = np.cumsum([0] + [len(e) for e in enrolled[:-1]])
    return np.minimum.reduceat(np.linalg.norm(rows - face, axis=1), starts)


def evaluate(d: dict, vectors: np.ndarray, rules: list[tuple], k: int = 1, frames: int = 1,
             rounds: int = 5) -> dict:
    """{rule: (accuracy, strangers_accepted)} for K enrolment pictures per person; with
    ``frames`` > 1 each query is the mean of that many of the person's other pictures."""
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, (g, ok) in enumerate(zip(d["group"], d["found"])):
        if ok:
            by_group[str(g)].append(i)
    people = sorted(g for g, rows in by_group.items() if len(rows) > k)
    once = [i for g, rows in by_group.items() if len(rows) <= k for i in rows]
    right = {r: 0 for r in rules}
    accepted = {r: 0 for r in rules}
    n_id = n_strangers = 0
    for r in range(rounds):
        rng = random.Random(f"0:{r}")
        enrol_rows, probes = {}, {}
        for g in people:
            rows = list(by_group[g])
            rng.shuffle(rows)
            enrol_rows[g], probes[g] = rows[:k], rows[k:]
        matrices = [np.vstack([vectors[enrol_rows[g]], vectors[enrol_rows[g]].mean(axis=0)])
                    for g in people]

        def query(rows: list[int], rng: random.Random = rng) -> list[np.ndarray]:
            if frames <= 1:
                return [vectors[i] for i in rows]
            out = []
            for i in rows:  # i with frames-1 others of the same person's probe rows
                others = [j for j in rows if j != i]
                pick = [i] + rng.sample(others, min(frames - 1, len(others)))
                out.append(vectors[pick].mean(axis=0))
            return out

        for gi, g in enumerate(people):
            for face in query(probes[g]):
                dist = profile_distances(face, matrices)
                n_id += 1
                for rule in rules:
                    right[rule] += decide(dist, rule) == gi
            # left out: all of the person's pictures are a stranger's, the others enrolled
            others = [m for j, m in enumerate(matrices) if j != gi]
            for face in query(by_group[g]):
                dist = profile_distances(face, others)
                n_strangers += 1
                for rule in rules:
                    accepted[rule] += decide(dist, rule) >= 0
        for face in (vectors[i] for i in once):  # seen once: a stranger to everyone enrolled
            dist = profile_distances(face, matrices)
            n_strangers += 1
            for rule in rules:
                accepted[rule] += decide(dist, rule) >= 0
    return {rule: (right[rule] / n_id, accepted[rule] / n_strangers) for rule in rules} | {
        "people": len(people), "strangers_once": len(once)}


RULES = ([("distance", round(t, 4), 0.0) for t in np.arange(0.30, 0.65, 0.0125)]
         + [("margin", t, m) for t in (0.4, 0.45, 0.5, 0.55, 0.6) for m in (0.02, 0.04, 0.06, 0.08, 0.1, 0.12)]
         + [("ratio", t, q) for t in (0.4, 0.45, 0.5, 0.55, 0.6) for q in (0.75, 0.8, 0.85, 0.9, 0.95)])


def operating_points(figures: dict, caps: tuple[float, ...] = (0.05, 0.10)) -> dict:
    """Per rule kind: the best accuracy with at most ``cap`` of strangers accepted, and the
    rule that gives it (how two ways compare, whatever threshold each needs)."""
    best: dict = {}
    for rule, (accuracy, strangers) in figures.items():
        for cap in caps:
            key = f"{rule[0]} strangers<={cap:g}"
            if strangers <= cap and accuracy > best.get(key, (-1.0,))[0]:
                best[key] = (round(accuracy, 4), round(strangers, 4), f"t={rule[1]} x={rule[2]}")
    return dict(sorted(best.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moodplayer.dev.identify_rules")
    parser.add_argument("roots", nargs="+")
    parser.add_argument("--cache", default=None, metavar="NPZ",
                        help="keep the sets' descriptors in this file between runs (opt-in: they "
                             "describe the people's faces; delete it when done)")
    parser.add_argument("--frames", type=int, nargs="*", default=[1, 3])
    parser.add_argument("--k", type=int, default=1)
    parser.add_argument("--json", help="write all the figures to this file")
    parser.add_argument("--names-csv", metavar="OUT",
                        help="only write ROOT's pictures as path,label,group with the person's name "
                             "in the file as the group (for eval --identify on faces-dev)")
    args = parser.parse_args(argv)
    if args.names_csv:
        print(f"{write_names_csv(args.roots[0], args.names_csv)} rows written to {args.names_csv}")
        return 0
    cache = Path(args.cache).expanduser() if args.cache else None
    stored = dict(np.load(cache, allow_pickle=False)) if cache is not None and cache.is_file() else {}
    sets = {}
    for root in args.roots:
        name = Path(root).name
        if f"{name}/plain" not in stored:
            print(f"describing {root}…", flush=True)
            d = describe_set(root)
            for key, value in d.items():
                stored[f"{name}/{key}"] = value
            if cache is not None:
                np.savez(cache, **stored)
        sets[name] = {key: stored[f"{name}/{key}"] for key in ("group", "plain", "mirror", "found")}
    out = {}
    for name, d in sets.items():
        for var in ("plain", "mirror-avg"):
            for frames in args.frames:
                res = evaluate(d, variant(d, var), RULES, k=args.k, frames=frames)
                key = f"{name} {var} frames={frames}"
                figures = {r: res[r] for r in RULES}
                out[key] = {"people": res["people"], "seen_once": res["strangers_once"],
                            "best": operating_points(figures),
                            "rules": {f"{r[0]} t={r[1]} x={r[2]}": [round(a, 4), round(s, 4)]
                                      for r, (a, s) in figures.items()}}
                print(f"\n{key} (people {res['people']}, seen once {res['strangers_once']})")
                for what, figure in out[key]["best"].items():
                    print(f"  {what:28s} acc {figure[0]:.3f}  strangers {figure[1]:.3f}  ({figure[2]})")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
