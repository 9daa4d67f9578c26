"""Desktop notifications on a mood switch, over a private D-Bus session bus, received by a
small fake notification server (tests/fake_notifications.py) that, like a real one, takes
only calls of the specification's signature."""

from __future__ import annotations

import json
import select
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import feel

from moodplayer.desktop.notify import Notifier

FAKE = Path(__file__).resolve().parents[1] / "fake_notifications.py"




@pytest.fixture
def server(session_bus):
    proc = subprocess.Popen([sys.executable, str(FAKE)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)


def received(proc, timeout=5.0) -> dict:
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "the notification server got nothing"
    return json.loads(proc.stdout.readline())


def test_a_mood_switch_is_notified_with_its_reason(make_app, server):
    app = make_app(notifications=True)
    app.start()
    feel(app.session, "happy")
    note = received(server)
    assert note["app"] == "MoodPlayer" and note["summary"] == "Mood: happy"
    assert note["body"] == app.session.mood_reason and note["body"].startswith("happy: ")
    feel(app.session, "sad")
    second = received(server)
    assert second["summary"] == "Mood: sad" and second["replaces"] == 1  # replaces the last one
    assert app.notifier.sent == 2


def test_no_notifications_when_off(make_app, server):
    app = make_app(notifications=False)
    app.start()
    feel(app.session, "happy")
    assert app.notifier is None
    assert not select.select([server.stdout], [], [], 0.5)[0]


def test_without_a_bus_or_a_server_there_are_none_and_it_says_why(session_bus, monkeypatch, qtbot):
    notifier = Notifier()
    assert not notifier.notify("Mood: happy", "x") and notifier.off_why == "no notification server on the session bus"
    notifier.close()
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    alone = Notifier()
    assert not alone.notify("Mood: happy", "x") and alone.off_why == "no D-Bus session bus"
