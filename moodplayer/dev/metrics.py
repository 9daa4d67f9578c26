"""Classification scores for ``moodplayer eval``: pure functions over label lists."""

from __future__ import annotations

from collections import defaultdict

from moodplayer.core.emotions import EMOTIONS

NO_FACE = "no_face"


def score(truth: list[str], predicted: list[str | None], groups: list[str | None] | None = None,
          labels: tuple[str, ...] = EMOTIONS) -> dict:
    """``predicted[i]`` is None when no face was found: that counts as wrong.

    ``confusion`` has a row per true label (``labels`` order) and a column per predicted
    label plus a last ``no_face`` column, so that it sums to ``n``."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    index = {label: i for i, label in enumerate(labels)}
    confusion = [[0] * (len(labels) + 1) for _ in labels]
    for t, p in zip(truth, predicted):
        confusion[index[t]][index[p] if p is not None else len(labels)] += 1
    n = len(truth)
    no_face = sum(p is None for p in predicted)
    correct = sum(confusion[i][i] for i in range(len(labels)))
    per_class = {}
    f1s = []
    for i, label in enumerate(labels):
        row_n = sum(confusion[i])
        predicted_as = sum(confusion[r][i] for r in range(len(labels)))
        recall = confusion[i][i] / row_n if row_n else None
        precision = confusion[i][i] / predicted_as if predicted_as else None
        per_class[label] = {"n": row_n, "recall": _round(recall), "precision": _round(precision)}
        if row_n:
            p, r = precision or 0.0, recall or 0.0
            f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    result = {
        "n": n,
        "no_face": no_face,
        "accuracy": _round(correct / n if n else None),
        "accuracy_on_faces": _round(correct / (n - no_face) if n - no_face else None),
        "macro_f1": _round(sum(f1s) / len(f1s) if f1s else None),
        "labels": list(labels),
        "confusion_columns": list(labels) + [NO_FACE],
        "confusion": confusion,
        "per_class": per_class,
    }
    if groups is not None and any(g for g in groups):
        result["groups"] = group_scores(truth, predicted, groups, labels)
    return result


def group_scores(truth, predicted, groups, labels) -> dict:
    """Accuracy per group, and the largest gap in one class's recall between two groups
    (classes with fewer than 5 images in a group are left out of the gap: too noisy)."""
    members: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[g or "(none)"].append(i)
    per_group = {}
    recalls: dict[str, dict[str, float]] = defaultdict(dict)
    for g, idx in sorted(members.items()):
        right = sum(predicted[i] == truth[i] for i in idx)
        per_group[g] = {"n": len(idx), "accuracy": _round(right / len(idx))}
        for label in labels:
            rows = [i for i in idx if truth[i] == label]
            if len(rows) >= 5:
                recalls[label][g] = sum(predicted[i] == label for i in rows) / len(rows)
    gap = None
    for label, by_group in recalls.items():
        if len(by_group) < 2:
            continue
        (lo_g, lo), (hi_g, hi) = min(by_group.items(), key=_value), max(by_group.items(), key=_value)
        if gap is None or hi - lo > gap["gap"]:
            gap = {"label": label, "gap": _round(hi - lo), "best": hi_g, "worst": lo_g}
    return {"accuracy": per_group, "largest_recall_gap": gap}


def _value(item):
    return item[1]


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
