"""Video → pelvic angles from skin stickers (one streaming pass near the hips).

:func:`measure_pelvic_markers` is called after the pose is known.  It decodes the
analysed frames once, looks for the stickers only in a window around the pose
model's hips, follows them, and returns the marker-based pelvic series aligned
with the pose's frame times: ``pelvic_tilt`` in the sagittal view and
``pelvic_obliquity`` in the frontal view.  A marker-based series takes
precedence over the landmark-based one; ``series_source`` says where each
series came from.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from gaitlab.errors import ValidationError
from gaitlab.io.video import iter_frames, key_frame_times, read_frames_at, read_key_frames
from gaitlab.markers.detect import (
    DEFAULT_MARKER_COLOUR,
    MarkerCandidate,
    MarkerColour,
    detect_marker_candidates,
    parse_marker_colour,
    search_windows_px,
    sticker_radius_limits_px,
)
from gaitlab.markers.pelvis import pelvic_obliquity_deg, pelvic_tilt_deg, pelvic_tilt_metrics
from gaitlab.markers.track import MarkerTrack, track_marker_pair, tracked_marker_names
from gaitlab.processing.filtering import lowpass_filter, max_cutoff_hz
from gaitlab.progress import CancelToken, NullProgress, Progress
from gaitlab.types import FloatArray, GaitCycle, PoseSequence

log = logging.getLogger(__name__)

#: Both stickers must be measured in at least this share of the frames in which
#: the pose model found the hips, and in at least ``MIN_MEASURED_FRAMES`` frames,
#: for a marker-based result.
MIN_MEASURED_SHARE = 0.25
MIN_MEASURED_FRAMES = 10
#: Below this radius (pixels) the sticker centre is less certain; a warning says so.
SMALL_STICKER_RADIUS_PX = 2.5
#: A sticker hidden in more than this share of the frames earns a warning.
HIDDEN_WARNING_SHARE = 0.2

SOURCE_MARKERS = "markers"

#: Cut-off of the zero-lag low-pass filter applied to the marker-based angles,
#: Hz: the same as the landmark series' default, so both kinds of series are
#: equally smooth.  It filters each unbroken stretch on its own and leaves gaps.
DEFAULT_LOWPASS_HZ = 6.0


@dataclass(frozen=True)
class PelvicMarkerResult:
    """Marker-based pelvic angles of one video, aligned with the pose's frames.

    Attributes
    ----------
    view : {"sagittal", "frontal"}
    direction : {"left", "right", "toward", "away"}
    colour : MarkerColour
        The sticker colour searched for.
    time_s : (T,) float
        Frame times, identical to ``pose.time_s``.
    markers : dict of str to MarkerTrack
        The two followed stickers by anatomical name (e.g. ``"right_asis"``).
    series : dict of str to (T,) float
        ``{"pelvic_tilt": …}`` (sagittal) or ``{"pelvic_obliquity": …}``
        (frontal), degrees, signs as in the analysis contract; NaN where a
        sticker was not seen.
    series_source : dict of str to str
        ``"markers"`` for every series here.
    interpolated : dict of str to (T,) bool
        Per series, True where a sticker position was bridged over a short gap.
    frames_with_marker : dict of str to int
        Per sticker, frames in which it was measured (not bridged).
    warnings : tuple of str
        Sentences for the quality section (hidden stickers, small stickers).
    """

    view: str
    direction: str
    colour: MarkerColour
    time_s: FloatArray
    markers: Mapping[str, MarkerTrack]
    series: Mapping[str, FloatArray]
    series_source: Mapping[str, str]
    interpolated: Mapping[str, np.ndarray]
    frames_with_marker: Mapping[str, int]
    warnings: tuple[str, ...] = field(default=())

    def metrics(self, cycles: Iterable[GaitCycle] = ()) -> dict[str, float | None]:
        """Pelvic tilt metrics (sagittal only; an empty dict in the frontal view).

        ``pelvic_tilt_rom_deg`` is the mean over ``cycles`` of the tilt range in
        each cycle (over the clip when no cycle is usable); ``pelvic_tilt_mean_deg``
        the mean tilt, degrees, positive = anterior.
        """
        if "pelvic_tilt" not in self.series:
            return {}
        return pelvic_tilt_metrics(self.series["pelvic_tilt"], self.time_s, cycles)


def _pose_rows_by_time(pose: PoseSequence):
    """Find the pose row of a decoded frame by its time (None if not analysed)."""
    t = pose.time_s
    tol = 0.25 / pose.fps

    def row_of(time_s: float) -> int | None:
        k = int(np.searchsorted(t, time_s))
        best = None
        for j in (k - 1, k):
            if 0 <= j < t.size and abs(t[j] - time_s) <= tol:
                if best is None or abs(t[j] - time_s) < abs(t[best] - time_s):
                    best = j
        return best

    return row_of


def collect_candidates(
    video_path: str | os.PathLike,
    pose: PoseSequence,
    colour: MarkerColour,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> tuple[list[tuple[MarkerCandidate, ...]], np.ndarray, np.ndarray]:
    """Decode the analysed frames once and find sticker candidates near the hips.

    Returns
    -------
    candidates : list of tuples of MarkerCandidate
        One entry per pose frame.
    anchor_px : (T, 2) float
        Hip midpoint from the pose, pixels.
    body_length_px : (T,) float
        Smoothed apparent body length, pixels.
    """
    progress = progress or NullProgress()
    n = pose.n_frames
    anchor, length, windows = search_windows_px(pose)
    candidates: list[tuple[MarkerCandidate, ...]] = [() for _ in range(n)]
    if n == 0:
        return candidates, anchor, length
    searchable = np.isfinite(windows).all(axis=1)
    if not searchable.any():
        return candidates, anchor, length
    row_of = _pose_rows_by_time(pose)
    half = 0.5 / pose.fps
    progress.start("Finding the pelvic stickers", n)
    done = 0
    for frame in iter_frames(
        video_path,
        start_s=max(0.0, float(pose.time_s[0]) - half),
        end_s=float(pose.time_s[-1]) + half,
        cancel=cancel,
    ):
        if cancel is not None:
            cancel.raise_if_cancelled()
        row = row_of(frame.time_s)
        if row is None:
            continue
        done += 1
        progress.update(done)
        if not searchable[row]:
            continue
        r_min, r_max = sticker_radius_limits_px(float(length[row]))
        candidates[row] = detect_marker_candidates(
            frame.image, windows[row], colour, min_radius_px=r_min, max_radius_px=r_max
        )
    progress.finish()
    return candidates, anchor, length


def smooth_angle_deg(angle_deg: np.ndarray, fps: float, cutoff_hz: float) -> np.ndarray:
    """Zero-lag low-pass of a marker-based angle series, gaps kept, degrees.

    Each unbroken stretch of measured values is filtered on its own (a
    Butterworth filter run forward and backward, as for the landmark series), so
    no value is smeared across a gap and gaps stay NaN.  When ``cutoff_hz`` is at
    or above the highest cut-off the frame rate allows, the series is returned
    unchanged: it is then sampled too coarsely to carry noise above the cut-off.

    Raises
    ------
    ValidationError
        For a cut-off that is not a positive frequency.
    """
    if not (cutoff_hz > 0 and np.isfinite(cutoff_hz)):
        raise ValidationError(f"The sticker low-pass cut-off must be a positive frequency; got {cutoff_hz!r} Hz.")
    values = np.asarray(angle_deg, dtype=np.float64)
    if cutoff_hz >= max_cutoff_hz(fps):
        return values.copy()
    return lowpass_filter(values, fps, cutoff_hz)


def pelvic_result_from_candidates(
    candidates: list[tuple[MarkerCandidate, ...]] | tuple,
    pose: PoseSequence,
    anchor_px: np.ndarray,
    body_length_px: np.ndarray,
    *,
    view: str,
    direction: str,
    colour: MarkerColour,
    lowpass_hz: float | None = DEFAULT_LOWPASS_HZ,
) -> PelvicMarkerResult | None:
    """Follow the stickers and compute the marker-based pelvic series.

    The angle series is smoothed by :func:`smooth_angle_deg` with
    ``lowpass_hz`` (None: raw).  Returns None when both stickers were measured
    together in too few frames (fewer than ``MIN_MEASURED_SHARE`` of the frames
    with hips, or fewer than ``MIN_MEASURED_FRAMES``).
    """
    names, axis_sign = tracked_marker_names(view, direction)
    lead, trail = track_marker_pair(
        candidates, pose.time_s, anchor_px, body_length_px, names=names, axis_sign=axis_sign
    )
    both_seen = (
        np.isfinite(lead.position_px[:, 0])
        & ~lead.interpolated
        & np.isfinite(trail.position_px[:, 0])
        & ~trail.interpolated
    )
    with_hips = int(np.isfinite(anchor_px).all(axis=1).sum())
    if with_hips == 0 or both_seen.sum() < max(MIN_MEASURED_FRAMES, MIN_MEASURED_SHARE * with_hips):
        log.debug("pelvic stickers measured together in %d of %d frames", both_seen.sum(), with_hips)
        return None
    if view == "sagittal":
        name = "pelvic_tilt"
        values = pelvic_tilt_deg(lead.position_px, trail.position_px, direction)
    else:
        name = "pelvic_obliquity"
        values = pelvic_obliquity_deg(lead.position_px, trail.position_px, direction)
    if lowpass_hz is not None:
        values = smooth_angle_deg(values, pose.fps, lowpass_hz)
    values.flags.writeable = False
    bridged = (lead.interpolated | trail.interpolated) & np.isfinite(values)
    bridged.flags.writeable = False
    warnings = []
    for track in (lead, trail):
        hidden = 1.0 - track.n_seen / with_hips
        label = track.name.replace("_", " ").replace("asis", "ASIS").replace("psis", "PSIS")
        if hidden > HIDDEN_WARNING_SHARE:
            warnings.append(
                f"The {label} sticker was hidden or unclear in {100 * hidden:.0f} % of the "
                f"frames; {name.replace('_', ' ')} has gaps there."
            )
    radii = np.sqrt(np.concatenate([lead.area_px, trail.area_px]) / np.pi)
    radii = radii[np.isfinite(radii)]
    if radii.size and float(np.median(radii)) < SMALL_STICKER_RADIUS_PX:
        warnings.append(
            f"The pelvic stickers appear only {2 * float(np.median(radii)):.0f} pixels wide; "
            "film closer or use larger stickers for a steadier pelvic angle."
        )
    return PelvicMarkerResult(
        view=view,
        direction=direction,
        colour=colour,
        time_s=pose.time_s,
        markers=MappingProxyType({lead.name: lead, trail.name: trail}),
        series=MappingProxyType({name: values}),
        series_source=MappingProxyType({name: SOURCE_MARKERS}),
        interpolated=MappingProxyType({name: bridged}),
        frames_with_marker=MappingProxyType({lead.name: lead.n_seen, trail.name: trail.n_seen}),
        warnings=tuple(warnings),
    )


def measure_pelvic_markers(
    video_path: str | os.PathLike,
    pose: PoseSequence,
    *,
    view: str,
    direction: str,
    colour: str | tuple[int, int, int] | MarkerColour = DEFAULT_MARKER_COLOUR,
    lowpass_hz: float | None = DEFAULT_LOWPASS_HZ,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> PelvicMarkerResult | None:
    """Pelvic angles from coloured skin stickers in a walking video.

    Parameters
    ----------
    video_path : path-like
        The video the pose was estimated from.
    pose : PoseSequence
        The walker's landmarks (the hips place the search window).
    view : {"sagittal", "frontal"}
        Camera view.  Sagittal: ASIS and PSIS of the side facing the camera give
        ``pelvic_tilt``.  Frontal: both ASIS (walking toward) or both PSIS
        (walking away) give the marker-based ``pelvic_obliquity``.
    direction : {"left", "right", "toward", "away"}
        Image walking direction.
    colour : str, (r, g, b) or MarkerColour
        Sticker colour: a preset (``"green"`` — the default, ``"magenta"``,
        ``"blue"``), ``"#rrggbb"`` or RGB values.
    lowpass_hz : float or None
        Cut-off of the zero-lag low-pass applied to the angle series, Hz
        (default 6 Hz, as for the landmark series); None keeps the raw angles.
    progress, cancel : optional
        Progress sink (one stage, one unit per analysed frame) and cancel token.

    Returns
    -------
    PelvicMarkerResult or None
        None when no stickers were found in enough frames (the analysis then
        has no ``pelvic_tilt`` and keeps the landmark-based obliquity).

    Raises
    ------
    VideoError
        When the video cannot be decoded.
    ValidationError
        For an unknown view or direction.
    InputError
        For an unusable sticker colour.
    CancelledError
        When cancelled.
    """
    tracked_marker_names(view, direction)  # check the view before decoding anything
    spec = parse_marker_colour(colour)
    if lowpass_hz is not None and not (lowpass_hz > 0 and np.isfinite(lowpass_hz)):
        raise ValidationError(f"The sticker low-pass cut-off must be a positive frequency; got {lowpass_hz!r} Hz.")
    if pose.n_frames == 0:
        raise ValidationError("The pose has no frames to look for pelvic stickers in.")
    candidates, anchor, length = collect_candidates(
        video_path, pose, spec, progress=progress, cancel=cancel
    )
    return pelvic_result_from_candidates(
        candidates, pose, anchor, length, view=view, direction=direction, colour=spec,
        lowpass_hz=lowpass_hz,
    )


#: Fewest key frames the quick sticker look settles for before it streams through
#: the video instead (stickers, when worn, show in most frames of the walk).
MIN_KEY_FRAME_LOOKS = 6


def stickers_visible(
    video_path: str | os.PathLike,
    pose: PoseSequence,
    *,
    colour: str | tuple[int, int, int] | MarkerColour = DEFAULT_MARKER_COLOUR,
    n_frames: int = 12,
) -> bool:
    """Quick look for pelvic stickers in a few frames spread over the walk.

    Looks at up to ``n_frames`` frames in which the hips were found, so a video
    filmed without stickers costs almost nothing extra: key frames when the
    video has enough of them (one decoded picture each), otherwise frames read
    in one streaming pass.  True when at least two of them show a sticker-shaped
    blob of ``colour`` near the hips.
    """
    spec = parse_marker_colour(colour)
    anchor, length, windows = search_windows_px(pose)
    searchable = np.flatnonzero(np.isfinite(windows).all(axis=1))
    if searchable.size == 0:
        return False
    n_look = min(n_frames, searchable.size)
    images = _key_frames_at_rows(video_path, pose, searchable, n_look)
    if images is None:
        rows = searchable[np.linspace(0, searchable.size - 1, n_look).astype(int)]
        wanted = {int(pose.frame_index[r]): int(r) for r in rows}
        images = [(wanted[index], image) for index, image in read_frames_at(video_path, wanted).items()]
    hits = 0
    for row, image in images:
        r_min, r_max = sticker_radius_limits_px(float(length[row]))
        if detect_marker_candidates(image, windows[row], spec, min_radius_px=r_min, max_radius_px=r_max):
            hits += 1
            if hits >= 2:
                return True
    return False


def _key_frames_at_rows(
    video_path: str | os.PathLike, pose: PoseSequence, rows: np.ndarray, n_look: int
) -> list[tuple[int, np.ndarray]] | None:
    """(pose row, image) of up to ``n_look`` key frames spread over ``rows``.

    None when fewer than :data:`MIN_KEY_FRAME_LOOKS` (or ``n_look``) of the video's
    key frames fall on those rows (a short video, or one with few key frames): the
    caller then streams through the video.
    """
    need = min(n_look, MIN_KEY_FRAME_LOOKS)
    keys = key_frame_times(video_path)
    if keys.size < need:
        return None
    times = np.asarray(pose.time_s, dtype=np.float64)[rows]
    period = 1.0 / pose.fps if pose.fps > 0 else 1.0 / 30.0
    nearest = np.clip(np.searchsorted(times, keys), 1, max(1, times.size - 1))
    left = np.clip(nearest - 1, 0, times.size - 1)
    right = np.clip(nearest, 0, times.size - 1)
    pick = np.where(np.abs(times[left] - keys) <= np.abs(times[right] - keys), left, right)
    on_rows = np.abs(times[pick] - keys) < 0.5 * period
    key_rows = {float(k): int(rows[i]) for k, i, ok in zip(keys, pick, on_rows) if ok}
    if len(key_rows) < need:
        return None
    chosen = sorted(key_rows)
    chosen = [chosen[i] for i in np.unique(np.linspace(0, len(chosen) - 1, n_look).astype(int))]
    out = []
    for frame in read_key_frames(video_path, chosen):
        k = min(chosen, key=lambda t: abs(t - frame.time_s))
        if abs(k - frame.time_s) < 0.5 * period:
            out.append((key_rows[k], frame.image))
    return out
