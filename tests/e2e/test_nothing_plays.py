"""A mood folder where nothing plays (5,000 empty .mp3, through the real libvlc): the player
stops after a bounded number of tries and says so, the window keeps answering, and the mood
coming back to it later is told, not sent through the 5,000 files again."""

from __future__ import annotations

from helpers import feel

from moodplayer.core.settings.schema import Profile, Settings, save_settings
from moodplayer.playback.backend import MAX_FAILURES_IN_A_ROW, STOPPED

N = 5000


def test_five_thousand_empty_mp3_stop_with_words(make_app, qtbot, tmp_path):
    folder = tmp_path / "happy"
    folder.mkdir()
    for k in range(N):
        (folder / f"{k:04d}.mp3").write_bytes(b"")
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(playlists={"happy": str(folder)})}))
    app = make_app(config=str(config), backend="vlc", audio_out="dummy")
    attempts = []
    app.backend.track_failed.connect(lambda i, why: attempts.append(i))
    ticks = []
    from PySide6.QtCore import QTimer

    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: ticks.append(1))
    heartbeat.start(50)
    try:
        feel(app.session, "happy")
        said = f"nothing in the happy playlist plays ({MAX_FAILURES_IN_A_ROW} files tried of {N}); stopped"
        # a generous bound, not a timing: the 20 skips take under a second (17 ms a file,
        # `moodplayer bench --player`); when each skip re-queued all 5,000 files for the
        # loudness service and re-listed the folder they took 400 s
        qtbot.waitUntil(lambda: said in app.window.messages, timeout=20_000)
        qtbot.wait(1000)
        assert len(attempts) == MAX_FAILURES_IN_A_ROW and app.backend.state == STOPPED
        assert ticks  # the Qt loop ran all along (the UI answers)
        feel(app.session, "sad")  # another mood plays ...
        qtbot.waitUntil(lambda: app.backend.playlist is not None and app.backend.playlist.name == "sad",
                        timeout=10000)
        feel(app.session, "happy")  # ... and back: told, not tried again
        assert app.window.messages[-1].startswith(
            "Cannot play the happy playlist: nothing in the happy playlist plays")
        assert app.backend.playlist.name == "sad" and len(attempts) == MAX_FAILURES_IN_A_ROW
    finally:
        heartbeat.stop()
