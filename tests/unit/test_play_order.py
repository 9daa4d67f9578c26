"""The play order on its own: repeat, shuffle rounds, history, broken tracks."""

from __future__ import annotations

import random

import pytest

from moodplayer.core.music.play_order import REPEAT_ONE, REPEAT_PLAYLIST, PlayOrder


def shuffled(n: int, seed: int = 1) -> PlayOrder:
    order = PlayOrder(random.Random(seed))
    order.set_shuffle(True)
    order.reset(n)
    return order


def play_through(order: PlayOrder, count: int, broken=frozenset()) -> list[int]:
    played = [order.first(broken)]
    while len(played) < count:
        played.append(order.after_finish(played[-1], broken))
    return played


def test_repeat_playlist_loops_in_order_and_skips_broken():
    order = PlayOrder()
    order.reset(4)
    assert order.repeat == REPEAT_PLAYLIST
    assert play_through(order, 9, broken={2}) == [0, 1, 3, 0, 1, 3, 0, 1, 3]
    assert order.step(0, -1, broken={3}) == 2


def test_repeat_one_repeats_unless_the_track_is_broken():
    order = PlayOrder()
    order.reset(3)
    order.set_repeat(REPEAT_ONE)
    assert order.after_finish(1) == 1
    assert order.after_finish(1, broken={1}) == 2
    assert order.step(1, 1) == 2  # the user's next still moves on
    with pytest.raises(ValueError, match="repeat mode"):
        order.set_repeat("twice")


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("n", [2, 3, 7])
def test_shuffle_rounds_visit_every_playable_track_once(seed, n):
    broken = {0} if n > 2 else set()
    playable = sorted(set(range(n)) - broken)
    order = shuffled(n, seed)
    played = play_through(order, 6 * len(playable), broken)
    rounds = [played[k:k + len(playable)] for k in range(0, len(played), len(playable))]
    assert all(sorted(r) == playable for r in rounds), played
    assert all(a[-1] != b[0] for a, b in zip(rounds, rounds[1:])), played


def test_shuffle_rounds_differ():
    order = shuffled(8, seed=3)
    played = play_through(order, 8 * 5)
    assert len({tuple(played[k:k + 8]) for k in range(0, 40, 8)}) > 1


def test_one_track_shuffles_onto_itself():
    order = shuffled(1)
    assert play_through(order, 3) == [0, 0, 0]
    assert order.step(0, -1) == 0


def test_previous_walks_back_through_the_history_then_forward_again():
    order = shuffled(6, seed=5)
    visited = [order.first()]
    for _ in range(9):  # into the second round
        visited.append(order.step(visited[-1], 1))
    back = [visited[-1]]
    for _ in range(9):
        back.append(order.step(back[-1], -1))
    assert back == visited[::-1]
    assert order.step(visited[0], -1) == visited[0]  # nothing before the first: stay
    assert order.step(visited[0], 1) == visited[1]


def test_shuffle_switched_on_mid_play_starts_its_round_at_the_current_track():
    order = PlayOrder(random.Random(2))
    order.reset(5)
    order.set_shuffle(True)
    played = [3]
    for _ in range(4):
        played.append(order.after_finish(played[-1]))
    assert sorted(played) == list(range(5))


def test_nothing_playable_gives_minus_one():
    order = shuffled(3)
    assert order.first({0, 1, 2}) == -1
    assert order.step(0, 1, {0, 1, 2}) == -1
    order.set_shuffle(False)
    assert order.step(0, 1, {0, 1, 2}) == -1
    assert PlayOrder().step(0, 1) == -1  # no playlist
