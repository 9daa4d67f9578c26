"""One contract, every backend: the null backend and the real libvlc one behave alike."""

from __future__ import annotations

import pytest
from helpers import wav_rms, write_tone

from moodplayer.core.music.playlist import load_playlist
from moodplayer.playback.backend import PAUSED, PLAYING, REPEAT_ONE, STOPPED
from moodplayer.playback.null_backend import NullBackend
from moodplayer.playback.vlc_backend import VlcBackend, audio_out_args


@pytest.fixture(params=["null", "vlc"])
def backend(request, qtbot, tmp_path):
    if request.param == "null":
        b = NullBackend(default_track_s=0.6)
    else:
        b = VlcBackend(audio_out=f"afile:{tmp_path / 'out.wav'}")
    yield b
    b.close()


def tracks(tmp_path, n=3, seconds=0.6, name="music", freq=300):
    folder = tmp_path / name
    for i in range(n):
        write_tone(folder / f"{i}.wav", seconds, freq + 100 * i)
    return folder


def test_load_plays_first_track(backend, qtbot, tmp_path):
    with qtbot.waitSignal(backend.track_changed, timeout=5000) as sig:
        backend.load(load_playlist("happy", tracks(tmp_path)))
    assert sig.args == [0]
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)


def test_next_previous_and_wrap(backend, qtbot, tmp_path):
    backend.load(load_playlist("happy", tracks(tmp_path, seconds=5)))
    qtbot.waitUntil(lambda: backend.current_index == 0, timeout=5000)
    backend.next()
    qtbot.waitUntil(lambda: backend.current_index == 1, timeout=5000)
    backend.previous()
    qtbot.waitUntil(lambda: backend.current_index == 0, timeout=5000)
    backend.previous()  # wraps to the last track
    qtbot.waitUntil(lambda: backend.current_index == 2, timeout=5000)


def test_loops_continuously_and_reports_track_ends(backend, qtbot, tmp_path):
    backend.load(load_playlist("happy", tracks(tmp_path, n=2, seconds=0.5)))
    seen = []
    backend.track_changed.connect(seen.append)
    finished = []
    backend.track_finished.connect(lambda: finished.append(1))
    qtbot.waitUntil(lambda: len(finished) >= 3, timeout=15000)
    assert 0 in seen and 1 in seen  # went round the playlist and back to the start
    assert backend.state == PLAYING


def test_a_playlist_loaded_when_a_track_finishes_plays_from_the_index_asked(backend, qtbot, tmp_path):
    """The session switches playlists (after_track, end of a lift) from a track_finished
    handler; the backend must then play the new list from the index asked, not move on."""
    first = load_playlist("first", tracks(tmp_path, n=2, seconds=0.5))
    second = load_playlist("second", tracks(tmp_path, 3, 5.0, "second", 500))
    backend.track_finished.connect(lambda: backend.playlist is first and backend.load(second, 2))
    backend.load(first)
    qtbot.waitUntil(lambda: backend.playlist is second and backend.state == PLAYING, timeout=10000)
    qtbot.wait(300)  # any late event of the old list would move the index now
    assert backend.current_index == 2


def test_a_playlist_loaded_while_paused_waits_for_play(backend, qtbot, tmp_path):
    """The session loads a mood's new music without playing it while the user has paused."""
    backend.load(load_playlist("happy", tracks(tmp_path, seconds=5)))
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
    backend.pause()
    qtbot.waitUntil(lambda: backend.state == PAUSED, timeout=5000)
    backend.load(load_playlist("second", tracks(tmp_path, 2, 5.0, "second", 500)), 1, autoplay=False)
    qtbot.wait(300)
    assert backend.state == STOPPED and backend.current_index == 1 and backend.playlist.name == "second"
    backend.play()
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
    assert backend.current_index == 1


def test_pause_and_resume(backend, qtbot, tmp_path):
    backend.load(load_playlist("happy", tracks(tmp_path, seconds=5)))
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
    backend.toggle()
    qtbot.waitUntil(lambda: backend.state == PAUSED, timeout=5000)
    backend.toggle()
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
    backend.stop()
    assert backend.state == STOPPED


def test_volume_is_clamped(backend):
    backend.set_volume(150)
    assert backend.volume == 100
    backend.set_volume(-3)
    assert backend.volume == 0


def test_mute_keeps_the_volume(backend, qtbot):
    backend.set_volume(40)
    with qtbot.waitSignal(backend.muted_changed) as sig:
        backend.set_muted(True)
    assert sig.args == [True] and backend.muted and backend.volume == 40
    backend.set_muted(False)
    assert not backend.muted and backend.volume == 40


def test_missing_and_empty_tracks_are_skipped_with_a_message(backend, qtbot, tmp_path):
    folder = tracks(tmp_path, n=2, seconds=5)
    (folder / "0b_empty.wav").write_bytes(b"")
    playlist = load_playlist("sad", folder)
    (folder / "1.wav").unlink()  # vanished after the folder was scanned
    failures = []
    backend.track_failed.connect(lambda i, why: failures.append((i, why)))
    backend.load(playlist)
    qtbot.waitUntil(lambda: backend.current_index == 0 and backend.state == PLAYING, timeout=5000)
    backend.next()
    qtbot.waitUntil(lambda: len(failures) == 2, timeout=5000)
    names = " ".join(why for _, why in failures)
    assert "0b_empty.wav" in names and "1.wav" in names
    qtbot.waitUntil(lambda: backend.current_index == 0 and backend.state == PLAYING, timeout=5000)


def test_a_playlist_of_broken_tracks_stops_and_says_so(backend, qtbot, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    for name in ("a.wav", "b.mp3"):
        (folder / name).write_bytes(b"")
    attempts = []
    backend.track_failed.connect(lambda i, why: attempts.append(i))
    with qtbot.waitSignal(backend.playlist_failed, timeout=5000) as sig:
        backend.load(load_playlist("angry", folder))
    assert sig.args[0] == "nothing in the angry playlist plays (2 files tried); stopped"
    qtbot.wait(500)  # no busy loop: nothing more is tried
    assert sorted(attempts) == [0, 1]
    assert backend.state == STOPPED


def test_position_is_reported(backend, qtbot, tmp_path):
    backend.load(load_playlist("happy", tracks(tmp_path, n=1, seconds=5)))
    qtbot.waitUntil(lambda: backend.position()[1] > 0, timeout=5000)
    elapsed, length = backend.position()
    assert 0 <= elapsed <= length


def test_seek_moves_the_position(backend, qtbot, tmp_path):
    backend.load(load_playlist("happy", tracks(tmp_path, n=1, seconds=30)))
    qtbot.waitUntil(lambda: backend.state == PLAYING and backend.position()[1] > 0, timeout=5000)
    assert backend.position()[0] < 10_000
    with qtbot.waitSignal(backend.seeked, timeout=2000) as sig:
        backend.seek(20_000)
    assert sig.args == [20_000]
    # 20 s in, long before the track itself would get there
    qtbot.waitUntil(lambda: backend.position()[0] >= 20_000, timeout=5000)
    assert backend.state == PLAYING and backend.current_index == 0
    backend.set_position(1_000)  # back again (MPRIS's name for it)
    qtbot.waitUntil(lambda: backend.position()[0] < 10_000, timeout=5000)


def test_seek_while_paused_resumes_from_there(backend, qtbot, tmp_path):
    backend.load(load_playlist("happy", tracks(tmp_path, n=1, seconds=30)))
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
    backend.pause()
    qtbot.waitUntil(lambda: backend.state == PAUSED, timeout=5000)
    backend.seek(15_000)
    backend.play()
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
    qtbot.waitUntil(lambda: backend.position()[0] >= 15_000, timeout=5000)


def test_seek_when_stopped_does_nothing(backend, qtbot, tmp_path):
    backend.load(load_playlist("happy", tracks(tmp_path, n=1, seconds=5)), autoplay=False)
    seeks = []
    backend.seeked.connect(seeks.append)
    backend.seek(2_000)
    assert seeks == [] and backend.state == STOPPED


def test_repeat_one_replays_the_same_track(backend, qtbot, tmp_path):
    changed = []
    backend.track_changed.connect(changed.append)
    with qtbot.waitSignal(backend.repeat_changed) as sig:
        backend.set_repeat(REPEAT_ONE)
    assert sig.args == [REPEAT_ONE] and backend.repeat == REPEAT_ONE
    backend.load(load_playlist("happy", tracks(tmp_path, n=3, seconds=0.5)), index=1)
    finished = []
    backend.track_finished.connect(lambda: finished.append(backend.current_index))
    qtbot.waitUntil(lambda: len(finished) >= 3, timeout=15000)
    assert changed == [1] and set(finished) == {1}
    assert backend.state == PLAYING
    backend.next()  # the user may still move on
    assert backend.current_index == 2


def test_shuffle_visits_every_track_once_per_round(backend, qtbot, tmp_path):
    n = 4
    with qtbot.waitSignal(backend.shuffle_changed) as sig:
        backend.set_shuffle(True)
    assert sig.args == [True] and backend.shuffle
    played = []
    backend.track_changed.connect(played.append)
    backend.load(load_playlist("happy", tracks(tmp_path, n=n, seconds=0.4)))
    qtbot.waitUntil(lambda: len(played) >= 3 * n, timeout=30000)
    rounds = [played[k:k + n] for k in range(0, 3 * n, n)]
    for r in rounds:
        assert sorted(r) == list(range(n)), played
    for a, b in zip(rounds, rounds[1:]):
        assert a[-1] != b[0], played  # never the same track twice in a row
    assert played[:3 * n] != list(range(n)) * 3  # shuffled (chance of a false alarm: 1/24³)


def test_shuffle_next_and_previous_walk_the_history(backend, qtbot, tmp_path):
    n = 5
    backend.set_shuffle(True)
    backend.load(load_playlist("happy", tracks(tmp_path, n=n, seconds=20)))
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
    visited = [backend.current_index]
    for _ in range(n - 1):
        backend.next()
        visited.append(backend.current_index)
    assert sorted(visited) == list(range(n))
    for expected in reversed(visited[:-1]):
        backend.previous()
        assert backend.current_index == expected
    for expected in visited[1:]:  # and forward again the same way
        backend.next()
        assert backend.current_index == expected
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)


# --- what only the real player can show ---------------------------------------------------


def test_vlc_writes_real_audio(qtbot, tmp_path):
    # afile rewrites its WAV at every track start, so one long track keeps the evidence.
    out = tmp_path / "out.wav"
    b = VlcBackend(audio_out=f"afile:{out}")
    b.load(load_playlist("happy", tracks(tmp_path, n=1, seconds=30)))
    qtbot.waitUntil(lambda: b.state == PLAYING, timeout=5000)
    qtbot.wait(1500)
    b.close()
    seconds, rms = wav_rms(out)
    assert seconds >= 0.5 and rms > 0.05


def test_vlc_skips_corrupt_and_non_audio_files(qtbot, tmp_path):
    folder = tracks(tmp_path, n=1, seconds=5)
    (folder / "1_corrupt.mp3").write_bytes(bytes(range(256)) * 40)
    (folder / "2_text.wav").write_text("this is not audio")
    b = VlcBackend(audio_out="dummy")
    failed = []
    b.track_failed.connect(lambda i, why: failed.append(why))
    b.load(load_playlist("fear", folder), index=1)
    qtbot.waitUntil(lambda: len(failed) == 2, timeout=10000)
    qtbot.waitUntil(lambda: b.current_index == 0 and b.state == PLAYING, timeout=5000)
    assert any("1_corrupt.mp3" in w for w in failed) and any("2_text.wav" in w for w in failed)
    b.close()


def test_audio_out_option_is_validated():
    assert audio_out_args("dummy") == ["--aout=dummy"]
    assert audio_out_args("afile:/x.wav")[1] == "--audiofile-file=/x.wav"
    with pytest.raises(ValueError):
        audio_out_args("speakers")


def test_a_long_playlist_where_nothing_plays_stops_after_a_bounded_number_of_tries(backend, qtbot, tmp_path):
    from moodplayer.playback.backend import MAX_FAILURES_IN_A_ROW

    folder = tmp_path / "silent"
    folder.mkdir()
    for k in range(3 * MAX_FAILURES_IN_A_ROW):
        (folder / f"{k:03d}.mp3").write_bytes(b"")
    attempts = []
    backend.track_failed.connect(lambda i, why: attempts.append(i))
    with qtbot.waitSignal(backend.playlist_failed, timeout=30000) as sig:
        backend.load(load_playlist("happy", folder))
    assert sig.args[0] == (f"nothing in the happy playlist plays ({MAX_FAILURES_IN_A_ROW} files tried "
                           f"of {3 * MAX_FAILURES_IN_A_ROW}); stopped")
    qtbot.wait(500)  # nothing more is tried
    assert len(attempts) == MAX_FAILURES_IN_A_ROW and backend.state == STOPPED


# --- cross-fades: the same rules in both backends (core/session/fade.py) ------------------


def _fading_in(backend, qtbot, tmp_path, fade_ms=3000):
    """The first playlist plays; the second is loaded with a cross-fade."""
    backend.load(load_playlist("happy", tracks(tmp_path, n=2, seconds=20)))
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
    second = load_playlist("second", tracks(tmp_path, 2, 20.0, "second", 500))
    backend.load(second, fade_ms=fade_ms)
    return second


def test_a_faded_load_reports_the_new_music_while_the_old_fades(backend, qtbot, tmp_path):
    second = _fading_in(backend, qtbot, tmp_path, fade_ms=800)
    assert backend.fading
    assert backend.playlist is second and backend.current_index == 0 and backend.state == PLAYING
    qtbot.waitUntil(lambda: not backend.fading, timeout=5000)
    assert backend.playlist is second and backend.state == PLAYING


def test_nothing_fades_in_while_paused(backend, qtbot, tmp_path):
    backend.load(load_playlist("happy", tracks(tmp_path, seconds=20)))
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
    backend.pause()
    qtbot.waitUntil(lambda: backend.state == PAUSED, timeout=5000)
    backend.load(load_playlist("second", tracks(tmp_path, 2, 20.0, "second", 500)), autoplay=False,
                 fade_ms=2000)
    assert not backend.fading and backend.state == STOPPED


def test_pause_during_a_fade_ends_it_and_play_goes_on_with_the_new_music(backend, qtbot, tmp_path):
    second = _fading_in(backend, qtbot, tmp_path)
    backend.pause()
    assert not backend.fading
    qtbot.waitUntil(lambda: backend.state == PAUSED, timeout=5000)
    backend.play()
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
    assert backend.playlist is second and backend.current_index == 0 and not backend.fading


def test_seek_during_a_fade_ends_it_and_moves_the_new_track(backend, qtbot, tmp_path):
    _fading_in(backend, qtbot, tmp_path)
    qtbot.waitUntil(lambda: backend.position()[1] > 0, timeout=5000)
    backend.seek(12_000)
    assert not backend.fading
    qtbot.waitUntil(lambda: backend.position()[0] >= 12_000, timeout=5000)
    assert backend.current_index == 0 and backend.state == PLAYING


def test_next_and_previous_during_a_fade(backend, qtbot, tmp_path):
    _fading_in(backend, qtbot, tmp_path)
    backend.next()  # no cross-fade for track changes: the fade ends, the next track plays
    assert not backend.fading and backend.current_index == 1
    backend.set_crossfade(2.0)
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
    backend.previous()  # with one: a new fade, from the track that was rising
    assert backend.fading and backend.current_index == 0
    backend.next()
    assert backend.fading and backend.current_index == 1
    qtbot.waitUntil(lambda: not backend.fading, timeout=5000)
    assert backend.state == PLAYING and backend.current_index == 1


def test_stop_and_mute_during_a_fade(backend, qtbot, tmp_path):
    _fading_in(backend, qtbot, tmp_path, fade_ms=1000)
    backend.set_muted(True)  # silences both; the fade runs on
    assert backend.fading and backend.muted
    qtbot.waitUntil(lambda: not backend.fading, timeout=5000)
    assert backend.muted and backend.state == PLAYING
    backend.set_muted(False)
    backend.load(load_playlist("third", tracks(tmp_path, 1, 20.0, "third", 700)), fade_ms=3000)
    assert backend.fading
    backend.stop()
    assert not backend.fading and backend.state == STOPPED


def test_closing_during_a_fade_leaves_nothing_running(backend, qtbot, tmp_path):
    _fading_in(backend, qtbot, tmp_path)
    assert backend.fading
    backend.close()  # the leak check after the test finds no timer, no open player
    assert not backend.fading and backend.state == STOPPED


# libvlc's afile and dummy outputs report a track's end about a second before its audio is
# through (they have no clock of their own): fades that hand over early are longer than that.


def test_with_a_crossfade_a_track_hands_over_before_its_end(backend, qtbot, tmp_path):
    backend.set_crossfade(1.6)
    backend.load(load_playlist("happy", tracks(tmp_path, n=2, seconds=4.0)))
    qtbot.waitUntil(lambda: backend.state == PLAYING, timeout=5000)
    at_finish = []
    backend.track_finished.connect(lambda: at_finish.append(backend.position()))
    changes = []
    backend.track_changed.connect(lambda i: changes.append((i, backend.fading)))
    qtbot.waitUntil(lambda: len(changes) >= 2, timeout=10000)
    assert [i for i, _ in changes[:2]] == [1, 0] and all(f for _, f in changes[:2]), changes
    elapsed, length = at_finish[0]
    assert length - elapsed > 200, at_finish  # announced while the track still sounded


def test_a_playlist_loaded_at_a_crossfaded_track_end_fades_in(backend, qtbot, tmp_path):
    """The switch policy "when the current track ends" still switches there, fading."""
    backend.set_crossfade(1.6)
    first = load_playlist("first", tracks(tmp_path, n=2, seconds=4.0))
    second = load_playlist("second", tracks(tmp_path, 3, 20.0, "second", 500))
    faded = []

    def on_finished():
        if backend.playlist is first:
            backend.load(second, 2)
            faded.append(backend.fading)

    backend.track_finished.connect(on_finished)
    backend.load(first)
    qtbot.waitUntil(lambda: backend.playlist is second and backend.state == PLAYING, timeout=10000)
    assert faded == [True]
    qtbot.waitUntil(lambda: not backend.fading, timeout=5000)
    assert backend.current_index == 2 and backend.playlist is second
