"""No network at run time: MoodPlayer analyses faces locally and downloads nothing
unless the user opts in (``--allow-download``). This guard makes that a fact, not a
promise: any attempt to open an internet connection from Python, or to look up a host
name (which already tells a DNS server what the app is about to fetch), raises at once
with one line. Unix-domain sockets (the single-instance channel, D-Bus) are not the
network and stay allowed.
"""

from __future__ import annotations

import socket

_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex
# name resolution: what urllib, requests and gdown call before they connect
_RESOLVERS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo")
_original_resolvers = {name: getattr(socket, name) for name in _RESOLVERS}

HOW_TO_ALLOW = "run with --allow-download to let DeepFace fetch model weights"


class NetworkBlocked(ConnectionError):
    pass


def _message(what: str) -> str:
    return f"MoodPlayer does not use the network (blocked {what}); {HOW_TO_ALLOW}"


def _is_internet(sock: socket.socket) -> bool:
    return sock.family in (socket.AF_INET, socket.AF_INET6)


def _guarded_connect(self, address):
    if _is_internet(self):
        raise NetworkBlocked(_message(f"a connection to {address}"))
    return _original_connect(self, address)


def _guarded_connect_ex(self, address):
    if _is_internet(self):
        raise NetworkBlocked(_message(f"a connection to {address}"))
    return _original_connect_ex(self, address)


def _host_of(name: str, args: tuple) -> object:
    if not args:
        return "?"
    if name == "getnameinfo":  # getnameinfo((host, port), flags)
        sockaddr = args[0]
        return sockaddr[0] if isinstance(sockaddr, tuple) and sockaddr else sockaddr
    return args[0]


def _guarded_resolver(name: str):
    original = _original_resolvers[name]

    def guarded(*args, **kwargs):
        host = kwargs.get("host", _host_of(name, args))
        if name == "getaddrinfo" and host is None:
            return original(*args, **kwargs)  # no host: the local wildcard address, no lookup
        raise NetworkBlocked(_message(f"looking up the host {host!r}"))

    guarded.__name__ = name
    guarded.__doc__ = original.__doc__
    return guarded


def block_network() -> None:
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    for name in _RESOLVERS:
        setattr(socket, name, _guarded_resolver(name))


def allow_network() -> None:
    socket.socket.connect = _original_connect
    socket.socket.connect_ex = _original_connect_ex
    for name, original in _original_resolvers.items():
        setattr(socket, name, original)


def blocked() -> bool:
    return socket.socket.connect is _guarded_connect
