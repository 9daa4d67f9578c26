"""The iso-principle plan (pure)."""

import pytest

from moodplayer.core.session.lift import lift_sources, source_of_track


@pytest.mark.parametrize("n,expected", [
    (1, ["target"]),
    (2, ["mood", "target"]),
    (4, ["mood", "mood", "target", "target"]),
    (6, ["mood", "mood", "target", "mood", "target", "target"]),
])
def test_lift_starts_matching_and_ends_on_the_target(n, expected):
    assert lift_sources(n) == expected


@pytest.mark.parametrize("n", range(2, 30))
def test_the_target_share_only_grows(n):
    plan = lift_sources(n)
    assert plan[0] == "mood" and plan[-1] == "target"
    halves = plan[: n // 2], plan[n // 2:]
    assert halves[0].count("target") <= halves[1].count("target")
    assert abs(plan.count("target") - n / 2) <= 1  # linear ramp: about half and half


def test_after_the_lift_only_the_target_plays():
    assert [source_of_track(k, 3) for k in range(6)] == ["mood", "target", "target",
                                                         "target", "target", "target"]
    with pytest.raises(ValueError):
        lift_sources(0)


def test_lift_order_takes_each_side_in_turn_then_the_whole_target():
    from moodplayer.core.session.lift import lift_order

    sad, happy = ["s1", "s2", "s3"], ["h1", "h2"]
    order, resume_at = lift_order(sad, happy, 4)  # mood, mood, target, target
    assert order == ["s1", "s2", "h1", "h2", "h1", "h2"] and resume_at == 0
    order, resume_at = lift_order(sad, happy, 6)  # mood, mood, target, mood, target, target
    assert order[:6] == ["s1", "s2", "h1", "s3", "h2", "h1"] and order[6:] == ["h2", "h1"]
    assert resume_at == 1  # the target goes on with h2
    with pytest.raises(ValueError):
        lift_order([], happy, 3)
