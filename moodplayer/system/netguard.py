"""No network at run time: MoodPlayer analyses faces locally and downloads nothing
unless the user opts in (``--allow-download``). This guard makes that a fact, not a
promise: any attempt to open an internet connection from Python raises at once.
"""

from __future__ import annotations

import socket

_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


class NetworkBlocked(ConnectionError):
    pass


def _is_internet(sock: socket.socket) -> bool:
    return sock.family in (socket.AF_INET, socket.AF_INET6)


def _guarded_connect(self, address):
    if _is_internet(self):
        raise NetworkBlocked(
            f"MoodPlayer does not use the network (blocked a connection to {address}); "
            "run with --allow-download to let DeepFace fetch model weights"
        )
    return _original_connect(self, address)


def _guarded_connect_ex(self, address):
    if _is_internet(self):
        raise NetworkBlocked(f"MoodPlayer does not use the network (blocked {address})")
    return _original_connect_ex(self, address)


def block_network() -> None:
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex


def allow_network() -> None:
    socket.socket.connect = _original_connect
    socket.socket.connect_ex = _original_connect_ex
