"""A tiny progress hook: the CLI registers a callback, the flow reports bytes of input processed.

Kept out of the flow's parameters because a callback is not something Prefect can serialize.
"""

from __future__ import annotations

from collections.abc import Callable

_listeners: list[Callable[[int, int], None]] = []


def subscribe(callback: Callable[[int, int], None]) -> None:
    _listeners.append(callback)


def unsubscribe(callback: Callable[[int, int], None]) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


def report(done_records: int, done_bytes: int) -> None:
    for callback in list(_listeners):
        callback(done_records, done_bytes)
