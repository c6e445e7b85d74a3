"""Loaded by every Python process of a test run (PYTHONPATH): only loopback connections allowed.

Any attempt to reach another address is written to $NEWSCLEAN_NET_LOG and refused, so a test can
assert that a real run (its Prefect server subprocess included) never touched the network.
"""

import os
import socket

_LOG = os.environ.get("NEWSCLEAN_NET_LOG")
_LOOPBACK = ("127.", "::1", "localhost", "0.0.0.0")
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _check(host) -> None:
    host = str(host)
    if host.startswith(_LOOPBACK) or socket.AF_UNIX == 1 and host.startswith("/"):
        return
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {host}\n")
    raise OSError(f"network blocked in tests: {host}")


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address[0])
    return _connect(self, address)


def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address[0])
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if host is not None:
        _check(host)
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = getaddrinfo
