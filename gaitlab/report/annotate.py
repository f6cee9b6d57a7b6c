"""The annotated video and the report's key frames.

Each video frame gets the analysed person's skeleton, the angles of the frame and
the gait events around it; the face is blurred by default (see
:mod:`gaitlab.report.overlay`).  The MP4 is written to a temporary file beside the
target and renamed only when complete, so a failure never leaves half a video.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from gaitlab.errors import InputError, VideoError
from gaitlab.io.files import check_writable_output
from gaitlab.io.video import iter_frames, probe_video, read_frames_at
from gaitlab.progress import CancelToken, NullProgress, Progress
from gaitlab.report.overlay import Box, blur_face, draw_labels, draw_skeleton, face_boxes_px
from gaitlab.types import PoseSequence

log = logging.getLogger(__name__)

#: Angles shown on the frames of each view: (series, label).
FRAME_ANGLES: dict[str, tuple[tuple[str, str], ...]] = {
    "sagittal": (
        ("hip_flexion_left", "hip flex L (2-D proxy)"),
        ("hip_flexion_right", "hip flex R (2-D proxy)"),
        ("knee_flexion_left", "knee flex L"),
        ("knee_flexion_right", "knee flex R"),
        ("trunk_lean_sagittal", "trunk lean fwd"),
    ),
    "frontal": (
        ("pelvic_obliquity", "pelvic obliquity (video, not X-ray)"),
        ("trunk_lean_lateral", "trunk lean lateral"),
        ("hip_adduction_left", "hip add L (2-D proxy)"),
        ("hip_adduction_right", "hip add R (2-D proxy)"),
    ),
}
#: How long an event marker stays on screen after the event, seconds.
EVENT_HOLD_S = 0.2
_EVENT_WORDS = {"heel_strike": "heel strike", "toe_off": "toe off"}


def doc_frame_at(doc: Mapping[str, Any], time_s: float) -> int | None:
    """Index into the document's ``time_s`` of the analysed frame at ``time_s`` (or None)."""
    times = np.asarray(doc.get("time_s") or [], dtype=float)
    if times.size == 0:
        return None
    k = int(np.argmin(np.abs(times - time_s)))
    fps = float((doc.get("video") or {}).get("fps") or 30.0)
    return k if abs(times[k] - time_s) <= 0.5 / fps + 1e-6 else None


def frame_angles(doc: Mapping[str, Any], k: int | None) -> dict[str, float | None]:
    """Label → angle (degrees, contract signs) of the document's frame ``k``."""
    series = doc.get("series") or {}
    out: dict[str, float | None] = {}
    for name, label in FRAME_ANGLES.get(str(doc.get("view")), ()):
        values = series.get(name) or []
        if not values:
            continue
        v = values[k] if k is not None and k < len(values) else None
        out[label] = None if v is None else float(v)
    return out


def events_near(doc: Mapping[str, Any], time_s: float, hold_s: float = EVENT_HOLD_S) -> list[str]:
    """Gait events that happened within ``hold_s`` seconds before ``time_s`` ("L heel strike")."""
    found = []
    events = doc.get("events") or {}
    for kind in ("heel_strike", "toe_off"):
        for side in ("left", "right"):
            for t in (events.get(kind) or {}).get(side) or []:
                if 0.0 <= time_s - float(t) < hold_s:
                    found.append(f"{side[0].upper()} {_EVENT_WORDS[kind]}")
    return found


def _pose_frame_at(pose: PoseSequence, time_s: float) -> int:
    return int(np.argmin(np.abs(pose.time_s - time_s))) if pose.n_frames else -1


def annotate_frame(
    image: np.ndarray,
    time_s: float,
    doc: Mapping[str, Any],
    pose: PoseSequence,
    *,
    blur: bool = True,
    face_box: Box | None = None,
) -> np.ndarray:
    """One video frame with the face blurred (by default), the skeleton, angles and events.

    Parameters
    ----------
    image : (H, W, 3) uint8
        The upright RGB frame.
    time_s : float
        Its video time, seconds.
    doc : dict
        The analysis document the angles and events are read from.
    pose : PoseSequence
        The analysed person's landmarks (``gaitlab.analysis.pose_for_result``).
    blur : bool
        Blur the face (default).  With ``face_box`` None the box comes from the
        pose frame nearest in time.
    """
    j = _pose_frame_at(pose, time_s)
    on_frame = j >= 0 and abs(float(pose.time_s[j]) - time_s) <= 0.5 / pose.fps + 1e-6
    lm = pose.image_px[j] if on_frame else None
    out = image
    if blur:
        if face_box is None and j >= 0:
            face_box = face_boxes_px(pose.image_px[[j]], pose.image_size_px)[0]
        out = blur_face(out, box=face_box) if face_box is not None else np.array(out, copy=True)
    if lm is not None:
        out = draw_skeleton(out, lm)
    k = doc_frame_at(doc, time_s)
    corner = "left"
    if j >= 0 and np.isfinite(pose.image_px[j, :, 0]).any():
        # Labels go to the top corner away from the person, so they never hide the walker.
        corner = "right" if np.nanmean(pose.image_px[j, :, 0]) < 0.5 * image.shape[1] else "left"
    return draw_labels(
        out, frame_angles(doc, k), events=events_near(doc, time_s),
        caption=f"t = {time_s:.2f} s", corner=corner,
    )


def _even(n: int) -> int:
    return n - (n % 2)


def write_annotated_video(
    doc: Mapping[str, Any],
    pose: PoseSequence,
    video_path: str | os.PathLike,
    out_path: str | os.PathLike,
    *,
    blur: bool = True,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """Write the annotated MP4 (H.264) of a recording.

    Every frame of the video is written; frames outside the analysed ones keep the
    nearest face blur but get no skeleton.  Faces are blurred unless ``blur`` is False.

    Raises
    ------
    InputError
        When ``out_path`` cannot be written.
    VideoError
        When the video cannot be read or encoded.
    """
    out = check_writable_output(out_path)
    if out.suffix.lower() not in (".mp4", ".m4v"):
        raise InputError(f"The annotated video must be an .mp4 file; got {out.name}.")
    progress = progress or NullProgress()
    info = probe_video(video_path, with_sha256=False)
    boxes = face_boxes_px(pose.image_px, pose.image_size_px) if blur else []
    if blur and not any(b is not None for b in boxes):
        raise InputError(
            "No face landmarks were found to blur the face; the video was not written "
            "(use --no-blur only when the video may show the face)."
        )
    width, height = _even(info.width), _even(info.height)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".mp4", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    progress.start("Writing the annotated video", info.frame_count or None)
    try:
        container = av.open(str(tmp), mode="w", format="mp4")
        try:
            rate = Fraction(info.fps).limit_denominator(1001) if info.fps > 0 else Fraction(30)
            stream = container.add_stream("libx264", rate=rate)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            time_base = Fraction(1, 90000)
            stream.time_base = time_base
            stream.codec_context.time_base = time_base
            stream.codec_context.options = {"crf": "20", "preset": "veryfast", "bf": "0"}
            last_pts = -1
            for n, frame in enumerate(iter_frames(video_path, cancel=cancel)):
                box = None
                if blur and boxes:
                    box = boxes[_pose_frame_at(pose, frame.time_s)]
                img = annotate_frame(frame.image, frame.time_s, doc, pose, blur=blur, face_box=box)
                vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(img[:height, :width]), format="rgb24")
                pts = max(last_pts + 1, int(round(frame.time_s / time_base)))
                vf.pts, vf.time_base, last_pts = pts, time_base, pts
                for packet in stream.encode(vf):
                    container.mux(packet)
                progress.update(n + 1)
            for packet in stream.encode():
                container.mux(packet)
        finally:
            container.close()
        os.replace(tmp, out)
    except av.error.FFmpegError as exc:
        raise VideoError(f"The annotated video could not be encoded ({exc}).") from exc
    finally:
        tmp.unlink(missing_ok=True)
        progress.finish()
    return out


@dataclass(frozen=True)
class KeyFrame:
    """A still of one gait event with the skeleton drawn (face blurred by default).

    Attributes
    ----------
    side : {"left", "right"}
        The patient's side whose event it shows.
    event : str
        "heel_strike".
    time_s : float
        Video time of the frame, seconds.
    image : (H, W, 3) uint8
        RGB pixels.
    blurred : bool
        Whether the face was blurred.
    """

    side: str
    event: str
    time_s: float
    image: np.ndarray
    blurred: bool


def pick_key_events(doc: Mapping[str, Any]) -> list[tuple[str, float]]:
    """(side, time) of the heel strike of each side nearest the middle of the walk."""
    strikes = (doc.get("events") or {}).get("heel_strike") or {}
    times = doc.get("time_s") or []
    if not times:
        return []
    middle = 0.5 * (float(times[0]) + float(times[-1]))
    out = []
    for side in ("left", "right"):
        ts = [float(t) for t in strikes.get(side) or []]
        if ts:
            out.append((side, min(ts, key=lambda t: abs(t - middle))))
    return out


def key_frames(
    doc: Mapping[str, Any],
    pose: PoseSequence,
    video_path: str | os.PathLike,
    *,
    blur: bool = True,
) -> list[KeyFrame]:
    """Heel-strike key frames of each side with the skeleton overlay (faces blurred by default)."""
    wanted = []
    for side, t in pick_key_events(doc):
        j = _pose_frame_at(pose, t)
        if j >= 0:
            wanted.append((side, int(pose.frame_index[j]), float(pose.time_s[j])))
    if not wanted:
        return []
    frames = read_frames_at(video_path, [w[1] for w in wanted])
    boxes = face_boxes_px(pose.image_px, pose.image_size_px) if blur else []
    out = []
    for side, index, t in wanted:
        image = frames.get(index)
        if image is None:
            log.warning("Frame %d of the video could not be read for a key frame.", index)
            continue
        box = boxes[_pose_frame_at(pose, t)] if boxes else None
        if blur and box is None:
            log.warning("No face landmarks to blur at %.2f s; the key frame is left out.", t)
            continue
        img = annotate_frame(image, t, doc, pose, blur=blur, face_box=box)
        out.append(KeyFrame(side=side, event="heel_strike", time_s=t, image=img, blurred=blur))
    return out
