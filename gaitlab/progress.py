"""Progress reporting and cancellation shared by the command line and the app.

Long work (decoding, pose estimation, imports) calls ``progress.update(done, total)``
and ``cancel.raise_if_cancelled()``; the terminal bar and the GUI bar both plug in
here, so both show the same numbers.
"""

from __future__ import annotations

import threading
from typing import Protocol

from gaitlab.errors import CancelledError


class Progress(Protocol):
    """Receives progress of one stage of long work."""

    def start(self, stage: str, total: int | None) -> None:
        """A stage begins; ``total`` units are expected (None if unknown)."""

    def update(self, done: int) -> None:
        """``done`` units of the current stage are finished (absolute, not a delta)."""

    def finish(self) -> None:
        """The current stage ended."""


class NullProgress:
    """Progress sink that ignores everything (the default)."""

    def start(self, stage: str, total: int | None) -> None:
        return None

    def update(self, done: int) -> None:
        return None

    def finish(self) -> None:
        return None


class CancelToken:
    """Thread-safe flag that long work checks between units of work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise :class:`CancelledError` when cancellation was asked for."""
        if self._event.is_set():
            raise CancelledError("The analysis was cancelled.")


