"""Video reading: the one place in gaitlab that decodes video.

Frames are streamed (never the whole video in memory), turned upright when a phone
recorded them with a rotation flag, and stamped with the container's own
presentation time, so variable-frame-rate phone videos keep their true timing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from gaitlab.errors import CancelledError, VideoError
from gaitlab.progress import CancelToken
from gaitlab.types import VideoInfo

log = logging.getLogger(__name__)

_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class Frame:
    """One decoded, upright frame.

    Attributes
    ----------
    index : int
        Position of the frame in the decoded stream (0-based).
    time_s : float
        Presentation time in seconds from the start of the stream.
    image : (H, W, 3) uint8
        RGB pixels, row-major, C-contiguous.
    """

    index: int
    time_s: float
    image: np.ndarray


#: Recently hashed files: (path, size, modification time) -> SHA-256.  A video is
#: hashed once per process even when several steps ask (a long one takes seconds).
_RECENT_HASHES: dict[tuple[str, int, int], str] = {}
_RECENT_HASHES_MAX = 32


def file_sha256(path: str | os.PathLike, on_chunk: Callable[[], None] | None = None) -> str:
    """SHA-256 of a file's bytes, hex encoded (read in 1 MiB chunks).

    Remembered for the process while the file keeps its size and modification time.
    ``on_chunk``, when given, is called after each chunk is read (a caller's
    cancellation check raises from it; nothing is remembered then).
    """
    st = os.stat(path)
    key = (os.path.realpath(path), st.st_size, st.st_mtime_ns)
    known = _RECENT_HASHES.get(key)
    if known is not None:
        return known
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
            if on_chunk is not None:
                on_chunk()
    if len(_RECENT_HASHES) >= _RECENT_HASHES_MAX:
        _RECENT_HASHES.pop(next(iter(_RECENT_HASHES)))
    _RECENT_HASHES[key] = digest.hexdigest()
    return _RECENT_HASHES[key]


def _check_path(path: str | os.PathLike) -> Path:
    p = Path(path)
    if not p.exists():
        raise VideoError(f"The video file {p} does not exist.")
    if p.is_dir():
        raise VideoError(f"{p} is a folder, not a video file.")
    if p.stat().st_size == 0:
        raise VideoError(f"The video file {p} is empty.")
    return p


def _open(p: Path):
    try:
        container = av.open(str(p), mode="r")
    except av.error.InvalidDataError as exc:
        raise VideoError(f"{p.name} is not a video file gaitlab can read.") from exc
    except av.error.FFmpegError as exc:
        raise VideoError(f"{p.name} could not be opened as a video ({exc.strerror}).") from exc
    if not container.streams.video:
        container.close()
        raise VideoError(f"{p.name} contains no video stream.")
    return container


def _clockwise_rotation(frame) -> int:
    """Clockwise rotation in degrees (0, 90, 180, 270) that makes the frame upright.

    The container's display matrix gives the counter-clockwise angle; phones
    filming in portrait usually store -90 (i.e. turn 90 degrees clockwise).
    """
    try:
        ccw = float(frame.rotation or 0.0)
    except (AttributeError, TypeError, ValueError):
        ccw = 0.0
    return int(round(-ccw / 90.0)) % 4 * 90


def _upright(rgb: np.ndarray, rotation_cw_deg: int) -> np.ndarray:
    if rotation_cw_deg == 0:
        return rgb
    # np.rot90 turns counter-clockwise for positive k.
    return np.ascontiguousarray(np.rot90(rgb, k=-(rotation_cw_deg // 90)))


def _upright_rgb(frame) -> np.ndarray:
    """A decoded frame as upright RGB pixels (the container's rotation applied)."""
    return _upright(frame.to_ndarray(format="rgb24"), _clockwise_rotation(frame))


def _frame_period_s(stream) -> float:
    """Seconds between frames from the stream's average rate (30 fps when it does not say)."""
    rate = stream.average_rate or stream.guessed_rate
    return 1.0 / float(rate) if rate else 1.0 / 30.0


def probe_video(path: str | os.PathLike, *, with_sha256: bool = True) -> VideoInfo:
    """Read a video's metadata and check that its first frame decodes.

    Parameters
    ----------
    path : path-like
        The video file.
    with_sha256 : bool
        Also hash the file (needed for the landmark cache and the library).

    Returns
    -------
    VideoInfo
        Width and height of the **upright** frames, average frame rate (frames per
        second), frame count (from the container, or counted when it does not say),
        duration in seconds and the clockwise rotation applied, in degrees.

    Raises
    ------
    VideoError
        Missing file, not a video, unreadable codec, or no frames.
    """
    p = _check_path(path)
    container = _open(p)
    try:
        stream = container.streams.video[0]
        codec = stream.codec_context.name if stream.codec_context else ""
        try:
            first = next(container.decode(stream), None)
        except av.error.FFmpegError as exc:
            raise VideoError(
                f"The video codec of {p.name} ({codec or 'unknown'}) cannot be decoded."
            ) from exc
        if first is None:
            raise VideoError(f"{p.name} contains no video frames.")
        rotation = _clockwise_rotation(first)
        width, height = int(first.width), int(first.height)
        if rotation in (90, 270):
            width, height = height, width
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        frame_count = int(stream.frames or 0)
        if stream.duration is not None and stream.time_base is not None:
            duration_s = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration_s = float(container.duration) / 1_000_000.0
        else:
            duration_s = 0.0
    finally:
        container.close()
    if frame_count <= 0 or fps <= 0 or duration_s <= 0:
        # Some containers do not say; count by decoding (streaming, cheap on memory).
        times = [f.time_s for f in iter_frames(p, decode_images=False)]
        frame_count = len(times)
        if frame_count > 1:
            span = times[-1] - times[0]
            fps = fps if fps > 0 else (frame_count - 1) / span if span > 0 else 30.0
            duration_s = duration_s if duration_s > 0 else span + 1.0 / fps
        else:
            fps = fps if fps > 0 else 30.0
            duration_s = duration_s if duration_s > 0 else 1.0 / fps
    return VideoInfo(
        path=str(p),
        width=width,
        height=height,
        fps=fps,
        frame_count=frame_count,
        duration_s=duration_s,
        rotation_deg=rotation,
        codec=codec,
        sha256=file_sha256(p) if with_sha256 else "",
    )


def iter_frames(
    path: str | os.PathLike,
    *,
    start_s: float = 0.0,
    end_s: float | None = None,
    decode_images: bool = True,
    only_indices: set[int] | None = None,
    cancel: CancelToken | None = None,
) -> Iterator[Frame]:
    """Stream the upright RGB frames of a video with their presentation times.

    Parameters
    ----------
    path : path-like
        The video file.
    start_s, end_s : float
        Only frames with ``start_s <= time_s < end_s`` are yielded (seconds).
        Frame indices still count from the start of the stream.
    decode_images : bool
        When False, ``Frame.image`` is an empty array (fast timestamp scan).
    only_indices : set of int, optional
        Yield only these frames (the others are decoded but never converted).
    cancel : CancelToken, optional
        Checked between frames.

    Yields
    ------
    Frame
        Frames in display order; ``time_s`` strictly increasing.
    """
    p = _check_path(path)
    container = _open(p)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if start_s > 0:
            # Seek to the key frame before start_s; frames before it are skipped below.
            target = int(start_s / float(stream.time_base)) if stream.time_base else 0
            container.seek(target, stream=stream, backward=True, any_frame=False)
        time_base = float(stream.time_base) if stream.time_base else None
        frame_period = _frame_period_s(stream)
        start_pts = stream.start_time if stream.start_time is not None else None
        last_t = -np.inf
        index = -1
        empty = np.zeros((0, 0, 3), np.uint8)
        try:
            frames = container.decode(stream)
            for frame in frames:
                if cancel is not None and cancel.cancelled:
                    raise CancelledError("The analysis was cancelled.")
                if frame.pts is not None and time_base is not None:
                    t = (frame.pts - (start_pts or 0)) * time_base
                else:
                    t = (index + 1) * frame_period
                if index < 0 and start_s > 0:
                    # After a seek, the stream position of the first frame is its time.
                    index = int(round(t / frame_period)) - 1
                index += 1
                if t <= last_t:  # broken or duplicated timestamps: keep order, nudge forward
                    t = last_t + 1e-6
                last_t = t
                if t < start_s - 1e-9:
                    continue
                if end_s is not None and t >= end_s:
                    break
                if only_indices is not None and index not in only_indices:
                    continue
                image = _upright_rgb(frame) if decode_images else empty
                yield Frame(index=index, time_s=float(t), image=image)
        except av.error.FFmpegError as exc:
            raise VideoError(f"{p.name} could not be decoded past frame {index + 1}.") from exc
    finally:
        container.close()


def iter_frames_prefetched(
    path: str | os.PathLike,
    *,
    buffer_frames: int = 8,
    cancel: CancelToken | None = None,
    **kwargs,
) -> Iterator[Frame]:
    """Like :func:`iter_frames`, but decodes on a background thread.

    Decoding then overlaps with whatever the caller does with each frame (pose
    estimation).  At most ``buffer_frames`` frames wait in memory.  Errors raised
    while decoding are re-raised in the caller's thread.
    """
    q: queue.Queue = queue.Queue(maxsize=max(1, buffer_frames))
    stop = threading.Event()
    done = object()

    def worker() -> None:
        try:
            for frame in iter_frames(path, cancel=cancel, **kwargs):
                while not stop.is_set():
                    try:
                        q.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # handed to the consumer thread, re-raised there
            q.put(exc)

    thread = threading.Thread(target=worker, name="gaitlab-decode", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        # Drain so the worker can notice the stop flag and exit.
        while thread.is_alive():
            try:
                q.get(timeout=0.05)
            except queue.Empty:
                pass
        thread.join()


def key_frame_times(path: str | os.PathLike) -> np.ndarray:
    """Presentation times (seconds, as :func:`iter_frames` gives them) of the key frames.

    Read from the container's packets alone, without decoding a picture, so it
    costs a fraction of a second even for a long video.
    """
    p = _check_path(path)
    container = _open(p)
    try:
        stream = container.streams.video[0]
        if stream.time_base is None:
            return np.zeros(0)
        start = stream.start_time or 0
        times = [
            float((packet.pts - start) * stream.time_base)
            for packet in container.demux(stream)
            if packet.is_keyframe and packet.pts is not None
        ]
    except av.error.FFmpegError as exc:
        raise VideoError(f"{p.name} could not be read.") from exc
    finally:
        container.close()
    return np.unique(np.asarray(times, dtype=np.float64))


def read_key_frames(path: str | os.PathLike, times_s) -> list[Frame]:
    """Decode the key frames at ``times_s`` (values from :func:`key_frame_times`).

    Each costs one seek and one decoded picture, however far into the video it
    lies; use it for quick looks at a few frames spread over a long video.
    """
    p = _check_path(path)
    container = _open(p)
    frames: list[Frame] = []
    try:
        stream = container.streams.video[0]
        if stream.time_base is None:
            return frames
        time_base = float(stream.time_base)
        start = stream.start_time or 0
        period = _frame_period_s(stream)
        for t in sorted(float(x) for x in times_s):
            container.seek(int(round(t / time_base)) + start, stream=stream, backward=True, any_frame=False)
            frame = next(container.decode(stream), None)
            if frame is None or frame.pts is None:
                continue
            time_s = float((frame.pts - start) * time_base)
            frames.append(Frame(index=int(round(time_s / period)), time_s=time_s, image=_upright_rgb(frame)))
    except av.error.FFmpegError as exc:
        raise VideoError(f"{p.name} could not be decoded.") from exc
    finally:
        container.close()
    return frames


def read_frames_at(path: str | os.PathLike, indices) -> dict[int, np.ndarray]:
    """Decode the upright RGB frames at the given stream indices (one pass, streaming)."""
    wanted = sorted({int(i) for i in indices})
    found: dict[int, np.ndarray] = {}
    if not wanted:
        return found
    for frame in iter_frames(path, only_indices=set(wanted)):
        found[frame.index] = frame.image
        if len(found) == len(wanted):
            break
    return found
