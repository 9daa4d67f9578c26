"""One MoodPlayer per user (app/instance.py): a second `moodplayer run` hands its request
to the running one and leaves with one line; `sessions` keeps working beside it; a crashed
instance's socket is taken over. Real processes, offscreen, on the null backend."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading

import pytest
from app_process import AppProcess
from helpers import moodplayer

from moodplayer.app import instance as instance_module
from moodplayer.core.files.locations import runtime_dir

ALREADY = "MoodPlayer is already running: asked it to show its window"


def test_a_second_run_hands_over_and_exits_0_with_one_line(tmp_path):
    first = AppProcess(config=tmp_path / "s.toml")
    try:
        first.wait_for("MPRIS is off")  # built; its Qt loop is about to answer
        second = moodplayer("run", "--backend", "null", "--source", "demo", "--config",
                            str(tmp_path / "other.toml"), timeout=120)
        assert second.returncode == 0, second.stderr
        assert second.stdout.splitlines() == [ALREADY]
        assert "error" not in second.stderr.lower()
        first.wait_for("another `moodplayer run` asked for the window: it is raised")
        beside = moodplayer("sessions", timeout=120)  # the read-only commands run beside it
        assert beside.returncode == 0 and "no recorded sessions" in beside.stdout.lower(), beside.stderr
        assert first.proc.poll() is None  # the first one runs on
        first.proc.terminate()
        assert first.proc.wait(timeout=60) == 128 + 15
    finally:
        first.stop()
    assert not (tmp_path / "other.toml").exists()  # the second one started nothing of its own


def test_a_crashed_instance_s_socket_is_taken_over(tmp_path):
    first = AppProcess(config=tmp_path / "s.toml")
    try:
        first.wait_for("MPRIS is off")
        first.proc.kill()  # a crash: the socket file stays behind
        first.proc.wait(30)
    finally:
        first.stop()
    assert (runtime_dir() / "moodplayer.sock").exists()
    again = moodplayer("run", "--backend", "null", "--source", "demo", "--config", str(tmp_path / "s.toml"),
                       "--quit-after", "2", timeout=180)
    assert again.returncode == 0, again.stderr
    assert "already running" not in again.stdout + again.stderr


# --- the channel itself, in this process (a second claim opens the lock file anew, so
# it conflicts with the first as another process would) -------------------------------------------


@pytest.fixture
def owner(qtbot):
    claimed = instance_module.claim("test-instance")
    assert isinstance(claimed, instance_module.Instance) and claimed.guarded
    yield claimed
    claimed.close()
    claimed.lock_file.close()


def hand_over_in_a_thread(qtbot, request):
    result: list = []

    def run():
        try:
            other = instance_module.claim("test-instance")
            result.append(other.hand_over(request) if isinstance(other, instance_module.Running) else other)
        except Exception as err:  # handed to the test
            result.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=30000)
    thread.join()
    return result[0]


def test_the_request_reaches_the_callback_on_the_qt_thread(qtbot, owner):
    seen = []
    owner.listen(lambda request: seen.append((request, threading.current_thread())) or "did it")
    said = hand_over_in_a_thread(qtbot, {"argv": ["run", "x.mp3"], "paths": ["/music/x.mp3"]})
    assert said == "did it"
    assert seen == [({"argv": ["run", "x.mp3"], "paths": ["/music/x.mp3"]}, threading.main_thread())]


@pytest.mark.parametrize("payload", [b"not json\n", b'{"argv": "run"}\n', b"[1, 2]\n", b"\xff\xfe\n",
                                     b"x" * (instance_module.MAX_REQUEST + 10)])
def test_a_request_that_is_not_one_is_refused_and_the_owner_listens_on(qtbot, owner, payload):
    seen = []
    owner.listen(lambda request: seen.append(request) or "")
    answer: list = []

    def send():
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(20)
            conn.connect(str(owner.socket_path))
            try:
                conn.sendall(payload)
                conn.shutdown(socket.SHUT_WR)
            except OSError:  # the owner stopped reading a request that long
                pass
            answer.append(conn.makefile("rb").readline())

    thread = threading.Thread(target=send)
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=30000)
    reply = json.loads(answer[0])
    assert reply["ok"] is False and reply["error"] and seen == []
    assert hand_over_in_a_thread(qtbot, {"argv": [], "paths": []}) == ""  # still answering
    assert len(seen) == 1


def test_an_owner_that_holds_the_lock_but_does_not_listen_is_said(qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(instance_module, "WAIT_FOR_OWNER_S", 0.5)
    folder = runtime_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(folder / "test-hung.lock", "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        with pytest.raises(instance_module.InstanceError, match=f"process {os.getpid()}.*does not answer"):
            instance_module.claim("test-hung")


def test_the_app_raises_its_window_and_opens_the_files_it_is_handed(make_app, qtbot):
    app = make_app()
    app.start()
    app.window.showMinimized()
    assert app.handle_request({"argv": [], "paths": []}) == ""
    assert not app.window.isMinimized()
    # the running app opens what a second invocation hands it (issue 23's open_paths)
    assert app.handle_request({"argv": ["a.mp3"], "paths": ["/m/a.mp3"]}) == "cannot open /m/a.mp3: not found"
    opened = []
    app.open_paths = lambda paths: opened.append(paths) or "playing 1 file"
    assert app.handle_request({"argv": ["a.mp3"], "paths": ["/m/a.mp3"]}) == "playing 1 file"
    assert opened == [["/m/a.mp3"]]
