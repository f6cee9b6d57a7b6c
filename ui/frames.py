"""Frames for the players: decoded once in the background, kept at display size.

A :class:`FrameStore` decodes a video with gaitlab's reader (``iter_frames``: upright,
container timestamps) on a helper thread and keeps every frame shrunk to the
display width, so play, step, scrub and the phase-locked compare grid pick any
frame instantly.  Frame times are the container's presentation times, the same
clock as the analysis document's ``time_s`` and its events.

Also here, free of Qt: the time ↔ frame and gait-phase ↔ time arithmetic the
players share.  Nothing here analyses gait; it reads the document's events.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from gaitlab.errors import CancelledError, GaitlabError
from gaitlab.io.video import iter_frames, probe_video
from gaitlab.progress import CancelToken

#: Widest frame kept for display, in pixels (the analysis works on the full frames).
DISPLAY_WIDTH_PX = 640


class FrameStore:
    """All frames of one video, shrunk to at most ``max_width_px`` and decoded in the background.

    Attributes
    ----------
    info : VideoInfo
        The probed video (full-resolution size, fps, frame count).
    scale : float
        Display pixels per video pixel (≤ 1).
    """

    def __init__(self, path: str | Path, *, max_width_px: int = DISPLAY_WIDTH_PX) -> None:
        self.path = Path(path)
        self.info = probe_video(self.path, with_sha256=False)
        self.scale = min(1.0, max_width_px / max(1, self.info.width))
        self.size_px = (
            max(1, int(round(self.info.width * self.scale))),
            max(1, int(round(self.info.height * self.scale))),
        )
        capacity = max(1, int(self.info.frame_count) + 2)
        self._frames: list[np.ndarray | None] = [None] * capacity
        self._times_s = np.full(capacity, np.nan)
        self._count = 0
        self._lock = threading.Lock()
        self._cancel = CancelToken()
        self._done = threading.Event()
        self.error = ""
        self._thread = threading.Thread(target=self._decode, name="gaitlab-frames", daemon=True)
        self._thread.start()

    # -- decoding (helper thread) ---------------------------------------------------
    def _decode(self) -> None:
        try:
            for frame in iter_frames(self.path, cancel=self._cancel):
                image = frame.image
                if self.scale < 1.0:
                    image = cv2.resize(image, self.size_px, interpolation=cv2.INTER_AREA)
                image = np.ascontiguousarray(image)
                with self._lock:
                    i = frame.index
                    if i >= len(self._frames):
                        grow = i + 1 - len(self._frames) + 32
                        self._frames.extend([None] * grow)
                        self._times_s = np.concatenate([self._times_s, np.full(grow, np.nan)])
                    self._frames[i] = image
                    self._times_s[i] = frame.time_s
                    self._count = max(self._count, i + 1)
        except CancelledError:
            pass
        except GaitlabError as exc:
            self.error = str(exc)
        finally:
            self._done.set()

    # -- reading (any thread) -------------------------------------------------------
    @property
    def complete(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until every frame is decoded (tests, screenshots)."""
        return self._done.wait(timeout_s)

    def close(self) -> None:
        """Stop decoding (frames already decoded stay readable)."""
        self._cancel.cancel()
        self._thread.join(timeout=5)

    @property
    def n_frames(self) -> int:
        """Frames decoded so far (all of them once :attr:`complete`)."""
        return self._count

    @property
    def duration_s(self) -> float:
        return float(self.info.duration_s)

    def times_s(self) -> np.ndarray:
        """Presentation time of each decoded frame, in seconds."""
        with self._lock:
            return self._times_s[: self._count].copy()

    def frame(self, index: int) -> np.ndarray | None:
        """The display-size RGB frame ``index`` (or the nearest decoded one before it)."""
        with self._lock:
            i = min(max(0, int(index)), max(0, self._count - 1))
            while i >= 0:
                image = self._frames[i] if i < len(self._frames) else None
                if image is not None:
                    return image
                i -= 1
        return None

    def index_at(self, time_s: float) -> int:
        """The frame shown at ``time_s`` (the last frame that starts at or before it)."""
        times = self.times_s()
        if times.size == 0:
            return max(0, int(round(time_s * self.info.fps)))
        return frame_index_at(times, time_s)


def frame_index_at(times_s: np.ndarray, time_s: float) -> int:
    """Index of the frame on screen at ``time_s``: the last with ``times_s[i] <= time_s``.

    ``times_s`` is increasing (seconds); times before the first frame give 0.
    """
    i = int(np.searchsorted(times_s, float(time_s) + 1e-9, side="right")) - 1
    return int(min(max(i, 0), len(times_s) - 1))


def nearest_sample(times_s: Sequence[float] | np.ndarray, time_s: float) -> int | None:
    """Index of the document sample closest to ``time_s``; None for an empty time axis."""
    t = np.asarray(times_s, dtype=float)
    if t.size == 0:
        return None
    i = int(np.searchsorted(t, time_s))
    if i <= 0:
        return 0
    if i >= t.size:
        return int(t.size - 1)
    return i if (t[i] - time_s) < (time_s - t[i - 1]) else i - 1


def stride_windows(heel_strikes_s: Sequence[float]) -> list[tuple[float, float]]:
    """Consecutive heel strikes of one side as (start, end) strides, in seconds."""
    hs = sorted(float(t) for t in heel_strikes_s)
    return [(a, b) for a, b in zip(hs[:-1], hs[1:]) if b > a]


def time_at_phase(strides: Sequence[tuple[float, float]], cycle: int, phase_pct: float) -> float:
    """Video time at ``phase_pct`` % (0–100) of stride number ``cycle`` (wraps over the strides).

    The gait cycle runs from one heel strike (0 %) to the next heel strike of the
    same side (100 %); time within a stride is linear in the phase.
    """
    if not strides:
        raise ValueError("no strides")
    start, end = strides[int(cycle) % len(strides)]
    p = min(max(float(phase_pct), 0.0), 100.0) / 100.0
    return start + p * (end - start)


def mean_stride_s(strides: Sequence[tuple[float, float]]) -> float | None:
    """Mean stride duration in seconds; None without strides."""
    if not strides:
        return None
    return float(np.mean([b - a for a, b in strides]))
