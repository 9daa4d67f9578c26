"""The network guard (system/netguard.py): no connection and no name lookup leave the
process, each refused with the same one line; Unix-domain sockets stay allowed."""

from __future__ import annotations

import socket

import pytest

from moodplayer.system import netguard


@pytest.mark.parametrize("lookup", [
    lambda: socket.getaddrinfo("github.com", 443),
    lambda: socket.getaddrinfo(host="github.com", port=443),
    lambda: socket.gethostbyname("github.com"),
    lambda: socket.gethostbyname_ex("github.com"),
    lambda: socket.gethostbyaddr("140.82.121.4"),
    lambda: socket.getnameinfo(("140.82.121.4", 443), 0),
], ids=["getaddrinfo", "getaddrinfo-kw", "gethostbyname", "gethostbyname_ex", "gethostbyaddr",
        "getnameinfo"])
def test_name_resolution_is_blocked_with_the_one_line(lookup):
    assert netguard.blocked()  # tests/conftest.py blocks the network, as the app does
    with pytest.raises(netguard.NetworkBlocked) as caught:
        lookup()
    message = str(caught.value)
    assert message.startswith("MoodPlayer does not use the network (blocked looking up the host")
    assert "--allow-download" in message and "\n" not in message


def test_connections_are_blocked_with_the_same_line():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, \
            pytest.raises(netguard.NetworkBlocked, match="does not use the network.*--allow-download"):
        s.connect(("140.82.121.4", 443))


def test_unix_sockets_and_the_wildcard_address_are_not_the_network(tmp_path):
    assert socket.getaddrinfo(None, 0, socket.AF_INET, socket.SOCK_STREAM)  # no host: no lookup
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)


def test_allow_network_puts_every_function_back():
    netguard.allow_network()
    try:
        assert not netguard.blocked()
        assert socket.getaddrinfo is netguard._original_resolvers["getaddrinfo"]
    finally:
        netguard.block_network()
    assert netguard.blocked()
