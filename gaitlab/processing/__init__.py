"""Cleaning of pose landmarks before they are measured.

:func:`clean_pose` runs the steps in order: visibility/presence gating (heel and toe
points hidden by walking itself are kept, see
:func:`gaitlab.processing.gating.keep_hidden_feet`), left/right
side correction, trimming to the frames that can be measured, interpolation of
short gaps, and a zero-lag low-pass filter that respects the remaining gaps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaitlab.errors import ValidationError
from gaitlab.processing.filtering import lowpass_filter, max_cutoff_hz
from gaitlab.processing.gaps import fill_short_gaps
from gaitlab.processing.gating import gate_landmarks, keep_hidden_feet
from gaitlab.processing.swaps import (
    apply_leg_labels,
    find_leg_labels,
    find_mirrored_frames,
    mirror_sides,
)
from gaitlab.processing.trimming import find_walking_frames
from gaitlab.types import PoseSequence

__all__ = ["CleanedPose", "clean_pose"]


@dataclass(frozen=True)
class CleanedPose:
    """Landmarks ready to be measured, and what cleaning did to them.

    Attributes
    ----------
    pose : PoseSequence
        Side-corrected, gap-filled, low-pass filtered landmarks; NaN in frames
        that cannot be measured (body outside the picture, turning, long gaps).
    measurable : (T,) bool
        Frames whose body was inside the picture and not turning.
    walking : (T,) bool
        Measurable frames in stretches of walking in the walking direction.
    sides_corrected : (T,) bool
        Frames whose left/right labels were exchanged.
    lowpass_hz : float
        Cut-off of the low-pass filter actually used, Hz.
    warnings : tuple of str
        Plain-language notes about the cleaning.
    """

    pose: PoseSequence
    measurable: np.ndarray
    walking: np.ndarray
    sides_corrected: np.ndarray
    lowpass_hz: float
    warnings: tuple[str, ...]

    @property
    def side_swaps_corrected(self) -> int:
        """Number of frames whose left/right labels were corrected."""
        return int(self.sides_corrected.sum())


def correct_sides(
    pose: PoseSequence, view: str, direction: str, reference_px: np.ndarray | None = None
) -> tuple[PoseSequence, np.ndarray]:
    """Put every landmark on the patient's anatomical side.

    Sagittal: knee and foot label swaps found by
    :func:`gaitlab.processing.swaps.find_leg_labels` are undone and points off
    their leg's track are blanked (missing).  Frontal: frames mirrored against the walking direction (see
    :func:`gaitlab.processing.swaps.find_mirrored_frames`) are mirrored back.

    ``reference_px`` (T, 33, 2), if given, are the landmarks the legs are read
    from (sagittal): the pose model's points before gating, so that a leg hidden
    behind the other, whose points the model places with a low visibility score,
    still carries its track through the frames where it is hidden.  By default
    the legs are read from ``pose.image_px``.

    Returns the corrected pose and the (T,) mask of corrected frames.
    """
    if view == "sagittal":
        source = pose.image_px if reference_px is None else np.asarray(reference_px, dtype=np.float64)
        if source.shape != pose.image_px.shape:
            raise ValidationError("The landmarks the legs are read from must match the pose's shape.")
        labels = find_leg_labels(source, pose.fps, direction)
        frames = labels.frames
        if not frames.any() and not labels.outliers.any():
            return pose, frames
        return pose.replace(
            image_px=apply_leg_labels(pose.image_px, labels),
            world_m=apply_leg_labels(pose.world_m, labels),
            visibility=apply_leg_labels(pose.visibility[..., None], labels)[..., 0],
            presence=apply_leg_labels(pose.presence[..., None], labels)[..., 0],
        ), frames
    if view == "frontal":
        frames = find_mirrored_frames(pose.image_px, direction)
        if not frames.any():
            return pose, frames
        return pose.replace(
            image_px=mirror_sides(pose.image_px, frames),
            world_m=mirror_sides(pose.world_m, frames),
            visibility=mirror_sides(pose.visibility, frames),
            presence=mirror_sides(pose.presence, frames),
        ), frames
    raise ValidationError(f"The view must be 'sagittal' or 'frontal'; got {view!r}.")


def clean_pose(
    pose: PoseSequence,
    *,
    view: str,
    direction: str,
    min_visibility: float = 0.5,
    min_presence: float = 0.5,
    max_gap_s: float = 0.15,
    lowpass_hz: float = 6.0,
) -> CleanedPose:
    """Gate, side-correct, trim, gap-fill and filter one person's landmarks.

    Parameters
    ----------
    pose : PoseSequence
        Landmarks as the pose model gave them.
    view, direction : str
        Camera view ("sagittal"/"frontal") and walking direction
        ("left"/"right" or "toward"/"away").
    min_visibility, min_presence : float
        Landmarks with lower scores (0..1) are treated as missing.
    max_gap_s : float
        Longest gap that is interpolated, seconds; longer gaps stay missing.
    lowpass_hz : float
        Cut-off of the zero-lag Butterworth filter, Hz.  When the frame rate is
        too low for it, the highest usable cut-off is taken and a warning says so.

    Raises
    ------
    ValidationError
        For a view or direction gaitlab does not know, or thresholds out of range.
    """
    warnings: list[str] = []
    gated = gate_landmarks(pose, min_visibility, min_presence)
    gated = keep_hidden_feet(gated, pose, view=view, min_presence=min_presence, max_gap_s=max_gap_s)
    corrected, sides = correct_sides(gated, view, direction, reference_px=pose.image_px)
    measurable, walking = find_walking_frames(
        corrected.image_px,
        corrected.time_s,
        fps=corrected.fps,
        image_size_px=corrected.image_size_px,
        view=view,
        direction=direction,
    )
    image = np.where(measurable[:, None, None], corrected.image_px, np.nan)
    world = np.where(measurable[:, None, None], corrected.world_m, np.nan)
    image = fill_short_gaps(image, corrected.time_s, max_gap_s)
    world = fill_short_gaps(world, corrected.time_s, max_gap_s)
    cutoff = float(lowpass_hz)
    if cutoff > max_cutoff_hz(corrected.fps):
        cutoff = max_cutoff_hz(corrected.fps)
        warnings.append(
            f"The frame rate ({corrected.fps:g} fps) is too low for a {lowpass_hz:g} Hz filter; "
            f"{cutoff:.1f} Hz was used."
        )
    image = lowpass_filter(image, corrected.fps, cutoff)
    world = lowpass_filter(world, corrected.fps, cutoff)
    cleaned = corrected.replace(image_px=image, world_m=world)
    return CleanedPose(
        pose=cleaned,
        measurable=measurable,
        walking=walking,
        sides_corrected=sides,
        lowpass_hz=cutoff,
        warnings=tuple(warnings),
    )
