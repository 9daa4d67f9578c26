"""The gain arithmetic, ReplayGain tags read by mutagen, and the measurement cache."""

from __future__ import annotations

import json
import os

import pytest
from helpers import write_tone

from moodplayer.core.music.loudness import (
    REFERENCE_LUFS,
    LoudnessCache,
    Measured,
    ReplayGain,
    file_key,
    gain_db,
    read_replaygain,
    replaygain_from_tags,
)


def test_tags_win_over_the_measurement_in_their_mode():
    tags = ReplayGain(track_gain=-7.0, track_peak=0.2, album_gain=-4.0, album_peak=0.2)
    loud = Measured(lufs=-8.0, peak=0.9)
    assert gain_db("track", tags, loud) == -7.0
    assert gain_db("album", tags, loud) == -4.0
    assert gain_db("off", tags, loud) == 0.0
    assert gain_db("album", ReplayGain(track_gain=-3.0), None) == -3.0  # falls back to the other
    assert gain_db("track", ReplayGain(), loud) == pytest.approx(REFERENCE_LUFS + 8.0)  # untagged: measured
    assert gain_db("track", ReplayGain(), None) == 0.0  # not measured yet


def test_a_gain_never_makes_the_peak_clip_and_stays_in_the_players_range():
    assert gain_db("track", ReplayGain(), Measured(-30.0, 0.5)) == pytest.approx(6.0206, abs=1e-3)
    assert gain_db("track", ReplayGain(), Measured(-60.0, 0.0001)) == 8.0  # the gain stage's top
    assert gain_db("track", ReplayGain(), Measured(float("-inf"), 0.0)) == 0.0  # silence: left alone


def test_replaygain_and_r128_tag_names():
    rg = replaygain_from_tags({"replaygain_track_gain": "-6.50 dB", "replaygain_track_peak": "0.988",
                               "replaygain_album_gain": "+1.2 dB"})
    assert rg == ReplayGain(-6.5, 0.988, 1.2, None)
    # Opus: Q7.8 dB relative to -23 LUFS; ReplayGain's reference is 5 dB above
    assert replaygain_from_tags({"r128_track_gain": "-512"}).track_gain == pytest.approx(-2.0 + 5.0)
    assert replaygain_from_tags({"replaygain_track_gain": "loud"}).track_gain is None
    assert not replaygain_from_tags({"title": "x"}).tagged


def test_id3_replaygain_is_read_from_a_real_file(tmp_path):
    from mutagen.id3 import TXXX
    from mutagen.wave import WAVE

    path = write_tone(tmp_path / "tagged.wav", 0.5)
    audio = WAVE(path)
    audio.add_tags()
    audio.tags.add(TXXX(desc="REPLAYGAIN_TRACK_GAIN", text=["-3.25 dB"]))
    audio.tags.add(TXXX(desc="replaygain_album_gain", text=["-1.00 dB"]))
    audio.save()
    assert read_replaygain(path) == ReplayGain(-3.25, None, -1.0, None)
    assert read_replaygain(write_tone(tmp_path / "plain.wav", 0.5)) == ReplayGain()
    (tmp_path / "junk.mp3").write_bytes(b"\x00" * 100)
    assert read_replaygain(tmp_path / "junk.mp3") == ReplayGain()


def test_the_cache_holds_while_the_file_stays_the_same(tmp_path):
    track = write_tone(tmp_path / "a.wav", 0.5)
    cache = LoudnessCache(tmp_path / "cache" / "loudness.json")
    cache.put(track, Measured(-14.0, 0.4), file_key(track))
    cache.save()
    again = LoudnessCache(tmp_path / "cache" / "loudness.json")
    assert again.get(track) == Measured(-14.0, 0.4)
    st = track.stat()
    os.utime(track, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # the file changed
    assert again.get(track) is None
    assert again.get(tmp_path / "missing.wav") is None


@pytest.mark.parametrize("content", ["{not json", json.dumps({"version": 99, "tracks": {}}),
                                     json.dumps({"version": 1, "tracks": []})])
def test_a_damaged_cache_is_ignored(tmp_path, content):
    path = tmp_path / "loudness.json"
    path.write_text(content)
    cache = LoudnessCache(path)
    assert len(cache) == 0
    track = write_tone(tmp_path / "a.wav", 0.5)
    cache.put(track, Measured(-20.0, 0.1), file_key(track))
    cache.save()
    assert LoudnessCache(path).get(track) == Measured(-20.0, 0.1)
