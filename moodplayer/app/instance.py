"""One MoodPlayer per user: a second ``moodplayer run`` hands its request to the running
one and leaves.

``claim(name)`` returns an ``Instance`` (this process is the one: it holds the lock and
listens) or a ``Running`` (another process is: ``hand_over(request)`` gives it the
request and returns its answer).

- The lock is an ``flock`` on ``<runtime dir>/<name>.lock``, held for the life of the
  process: the kernel lets go of it when the process ends, however it ends, so a crashed
  instance never blocks the next one.
- The channel is a Unix-domain socket, ``<runtime dir>/<name>.sock`` (a plain socket,
  not QtNetwork, which the bundle leaves out; the network guard blocks internet sockets
  only). The folder is private to the user (0700) and the peer's uid is checked. A socket
  file left by a crashed instance is taken over by whoever gets the lock next.
- The request is one line of JSON, ``{"argv": [...], "paths": [...]}``; the answer one
  line of JSON, ``{"ok": true, "said": "..."}`` or ``{"ok": false, "error": "..."}``.
- The running app reads requests on the Qt thread, from a ``QSocketNotifier`` (no
  thread of its own), and hands each to its callback, ``app.handle_request(request)``.

Where there are no Unix sockets or ``fcntl`` (Windows), there is no guard: ``claim``
returns an Instance that listens to nothing.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import stat
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QSocketNotifier

from moodplayer.core.files.locations import runtime_dir

log = logging.getLogger("moodplayer")

NAME = "moodplayer"
MAX_REQUEST = 1 << 20  # bytes: a request longer than this is not a request
WAIT_FOR_OWNER_S = 5.0  # the owner is starting (not listening yet) or closing (lock still held)
ANSWER_TIMEOUT_S = 20.0  # the owner may still be starting: its Qt loop answers
READ_TIMEOUT_MS = 5000  # a client that connects and says nothing is let go after this

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]  # no such module there: None says so


class InstanceError(RuntimeError):
    """The running instance cannot be reached or said no; the message is one line."""


def _private_dir(folder: Path) -> Path | None:
    """``folder``, made if needed, owned by this user and closed to others; None if not."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError as err:
        log.warning("one instance per user is off: %s cannot be made (%s)", folder, err)
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        log.warning("one instance per user is off: %s is not this user's folder", folder)
        return None
    if info.st_mode & 0o077:
        try:
            os.chmod(folder, 0o700)
        except OSError:
            log.warning("one instance per user is off: %s is open to other users", folder)
            return None
    return folder


def _peer_uid(conn: socket.socket) -> int | None:
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


def _owner_pid(lock_path: Path) -> str:
    try:
        return lock_path.read_text().strip() or "?"
    except OSError:
        return "?"


def check_request(request: object) -> dict:
    """The request as the running app receives it; raises ValueError when it is not one."""
    if not isinstance(request, dict):
        raise ValueError("a request must be a JSON object")
    argv, paths = request.get("argv", []), request.get("paths", [])
    for key, value in (("argv", argv), ("paths", paths)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{key} must be a list of strings")
    return {"argv": argv, "paths": paths}


class Running:
    """Another process holds the instance: ``hand_over`` gives it a request."""

    def __init__(self, conn: socket.socket, pid: str) -> None:
        self.conn = conn
        self.pid = pid

    def hand_over(self, request: dict) -> str:
        """Send ``request``; the running app's answer (what it said, may be ""). Raises
        InstanceError when it does not answer or refuses."""
        line = json.dumps(check_request(request)).encode("utf-8") + b"\n"
        conn = self.conn
        try:
            conn.settimeout(ANSWER_TIMEOUT_S)
            conn.sendall(line)
            conn.shutdown(socket.SHUT_WR)
            answer = b""
            while len(answer) < MAX_REQUEST and not answer.endswith(b"\n"):
                chunk = conn.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except OSError as err:  # a timeout too
            raise InstanceError(f"MoodPlayer is already running (process {self.pid}) but does not "
                                f"answer ({err}); close it, or end that process") from None
        finally:
            conn.close()
        try:
            reply = json.loads(answer.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise InstanceError(f"MoodPlayer is already running (process {self.pid}) but its answer "
                                "could not be read; close it, or end that process") from None
        if not isinstance(reply, dict) or not reply.get("ok"):
            error = reply.get("error") if isinstance(reply, dict) else None
            raise InstanceError(f"MoodPlayer is already running and refused the request: {error}")
        said = reply.get("said", "")
        return said if isinstance(said, str) else ""


class Instance:
    """This process is the one. ``listen(callback)`` (on the Qt thread, once Qt runs)
    answers the requests of later ``moodplayer run``; ``close()`` stops listening (the
    lock stays until the process ends, so a newcomer waits for the settings to be saved)."""

    def __init__(self, lock_file=None, server: socket.socket | None = None,
                 socket_path: Path | None = None) -> None:
        self.lock_file = lock_file
        self.server = server
        self.socket_path = socket_path
        self.callback: Callable[[dict], str] | None = None
        self._notifier: QSocketNotifier | None = None
        self._clients: dict[int, _Client] = {}
        self.requests = 0  # requests answered

    @property
    def guarded(self) -> bool:
        return self.server is not None

    def listen(self, callback: Callable[[dict], str]) -> None:
        """Deliver each request to ``callback`` on the Qt thread (the caller's)."""
        from PySide6.QtCore import QSocketNotifier

        self.callback = callback
        if self.server is None:
            return
        self._notifier = QSocketNotifier(self.server.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._accept)

    def _accept(self, *_args) -> None:
        if self.server is None:
            return
        while True:
            try:
                conn, _ = self.server.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as err:
                log.warning("single instance: a request could not be accepted: %s", err)
                return
            uid = _peer_uid(conn)
            if uid is not None and uid != os.getuid():
                log.warning("single instance: a request from user %d was refused", uid)
                conn.close()
                continue
            client = _Client(conn, self)
            self._clients[conn.fileno()] = client

    def _answer(self, client: _Client, data: bytes) -> None:
        self._clients.pop(client.fileno, None)
        try:
            request = check_request(json.loads(data.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as err:
            reply = {"ok": False, "error": f"not a MoodPlayer request ({err})"}
        else:
            try:
                said = self.callback(request) if self.callback else ""
                reply = {"ok": True, "said": said or ""}
                self.requests += 1
            except Exception as err:  # the app's fault must not leave the newcomer waiting
                log.exception("single instance: the request failed")
                reply = {"ok": False, "error": str(err) or type(err).__name__}
        client.reply(json.dumps(reply).encode("utf-8") + b"\n")

    def close(self) -> None:
        """Stop listening and remove the socket (the lock is kept until the process ends)."""
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        for client in list(self._clients.values()):
            client.drop()
        self._clients.clear()
        if self.server is not None:
            self.server.close()
            self.server = None
            try:
                if self.socket_path is not None:
                    self.socket_path.unlink()
            except OSError:
                pass


class _Client:
    """One connection being read, without blocking the Qt thread."""

    def __init__(self, conn: socket.socket, instance: Instance) -> None:
        from PySide6.QtCore import QSocketNotifier, QTimer

        conn.setblocking(False)
        self.conn, self.instance, self.fileno = conn, instance, conn.fileno()
        self.data = b""
        self.notifier = QSocketNotifier(self.fileno, QSocketNotifier.Type.Read)
        self.notifier.activated.connect(self._read)
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._too_slow)
        self.timer.start(READ_TIMEOUT_MS)

    def _read(self, *_args) -> None:
        try:
            chunk = self.conn.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        self.data += chunk
        if len(self.data) > MAX_REQUEST:
            self.instance._clients.pop(self.fileno, None)
            self.reply(b'{"ok": false, "error": "the request is too long"}\n')
        elif not chunk or self.data.endswith(b"\n"):
            self.notifier.setEnabled(False)
            self.instance._answer(self, self.data)

    def _too_slow(self) -> None:
        self.instance._clients.pop(self.fileno, None)
        self.drop()

    def reply(self, answer: bytes) -> None:
        try:
            self.conn.setblocking(True)
            self.conn.settimeout(1.0)
            self.conn.sendall(answer)
        except OSError as err:
            log.info("single instance: the answer could not be sent: %s", err)
        self.drop()

    def drop(self) -> None:
        self.timer.stop()
        self.notifier.setEnabled(False)
        self.notifier.deleteLater()
        self.conn.close()


def _connect(path: Path) -> socket.socket | None:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(ANSWER_TIMEOUT_S)
        conn.connect(str(path))
        return conn
    except OSError:
        conn.close()
        return None


def claim(name: str = NAME) -> Instance | Running:
    """Become the instance called ``name`` for this user, or find the one that is.
    Raises InstanceError when another holds it but neither listens nor lets go within
    a few seconds (hung)."""
    if fcntl is None or not hasattr(socket, "AF_UNIX"):
        return Instance()
    folder = _private_dir(runtime_dir())
    if folder is None:
        return Instance()
    lock_path, socket_path = folder / f"{name}.lock", folder / f"{name}.sock"
    if len(os.fsencode(socket_path)) >= 104:  # sockaddr_un's sun_path (104 on macOS, 108 on Linux)
        log.warning("one instance per user is off: %s is too long a path for a socket", socket_path)
        return Instance()
    lock_file = open(lock_path, "a+")  # held open for the life of the process
    deadline = time.monotonic() + WAIT_FOR_OWNER_S
    while True:
        try:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                lock_file.close()
                log.warning("one instance per user is off: %s cannot be locked (%s)", lock_path, err)
                return Instance()
        else:
            return _become(lock_file, socket_path)
        conn = _connect(socket_path)
        if conn is not None:
            lock_file.close()
            return Running(conn, _owner_pid(lock_path))
        if time.monotonic() > deadline:  # locked, yet nobody listens: starting up, or hung
            pid = _owner_pid(lock_path)
            lock_file.close()
            raise InstanceError(f"MoodPlayer is already running (process {pid}) but does not answer; "
                                "close it, or end that process")
        time.sleep(0.1)


def _become(lock_file, socket_path: Path) -> Instance:
    lock_file.seek(0)
    lock_file.truncate()
    lock_file.write(f"{os.getpid()}\n")
    lock_file.flush()
    try:
        socket_path.unlink()  # a crashed instance's socket: we hold the lock, it is ours now
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(socket_path))
        server.listen(8)
        server.setblocking(False)
    except OSError as err:
        server.close()
        log.warning("one instance per user is off: cannot listen on %s (%s)", socket_path, err)
        return Instance(lock_file)
    return Instance(lock_file, server, socket_path)
