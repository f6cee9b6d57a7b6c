"""Video → analysis document (``spec/analysis-v1.md``).

:func:`analyze_video` assembles the steps: read the video, run (or load cached)
pose landmarks, follow the people and pick the walker, decide the view and walking
direction, measure the gait, and build the contract document.  It writes nothing
to the patient library; the caller decides where the document goes.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from gaitlab import __version__
from gaitlab.contract import SCHEMA_ID, json_ready, validate_document
from gaitlab.errors import InputError, NoPersonError, TooLittleWalkingError, VideoError
from gaitlab.io.video import probe_video
from gaitlab.kinematics import GaitAnalysis, KinematicsSettings, analyze_gait
from gaitlab.kinematics.cycles import average_cycles_with_gaps
from gaitlab.kinematics.view import detect_view
from gaitlab.markers import DEFAULT_MARKER_COLOUR, PelvicMarkerResult, measure_pelvic_markers
from gaitlab.markers.measure import stickers_visible
from gaitlab.pose.estimator import EstimatorSettings
from gaitlab.pose.extract import extract_raw_poses
from gaitlab.pose.models import resolve_model
from gaitlab.pose.tracking import select_walker, track_people
from gaitlab.progress import CancelToken, Progress
from gaitlab.types import Direction, PoseSequence, VideoInfo, View

log = logging.getLogger(__name__)

VIEWS = ("auto", "sagittal", "frontal")

#: Views (and the walking directions each allows).
_DIRECTIONS = {"sagittal": ("left", "right"), "frontal": ("toward", "away")}


def _parse_person(person: str | int) -> int | None:
    if person in ("auto", None):
        return None
    try:
        index = int(person)
    except (TypeError, ValueError):
        raise InputError(f"--person must be 'auto' or a person number; got {person!r}.") from None
    if index < 0:
        raise InputError("--person must be 0 or a larger number.")
    return index


def _check_height(height_cm: float | None) -> float | None:
    if height_cm is None:
        return None
    if not (50.0 <= float(height_cm) <= 250.0):
        raise InputError(f"The body height must be between 50 and 250 cm; got {height_cm:g}.")
    return float(height_cm)


def choose_person(people: list[PoseSequence], person: str | int, video_name: str) -> PoseSequence:
    """The tracked person to analyse: the walker (``auto``) or the one asked for."""
    if not people:
        raise NoPersonError(f"No person was found in {video_name}.")
    index = _parse_person(person)
    if index is None:
        return people[select_walker(people)]
    if index >= len(people):
        raise NoPersonError(
            f"There is no person {index} in {video_name}: {len(people)} "
            f"{'person was' if len(people) == 1 else 'people were'} seen "
            f"(see 'gaitlab people')."
        )
    return people[index]


def build_document(
    *,
    video: VideoInfo,
    model: dict,
    pose: PoseSequence,
    people_seen: int,
    view: str,
    direction: str,
    gait: GaitAnalysis,
    settings: KinematicsSettings,
    estimator_settings: EstimatorSettings,
    markers: PelvicMarkerResult | None = None,
) -> dict:
    """Assemble the contract document from the parts of an analysis."""
    warnings = list(gait.warnings) + _size_warnings(pose)
    measured = json_ready(gait.to_contract(), ndigits=4)
    sources = {name: "landmarks" for name in measured["series"]}
    if markers is not None:
        _add_marker_series(measured, sources, warnings, markers, gait, pose)
    doc = {
        "schema": SCHEMA_ID,
        "gaitlab_version": __version__,
        "model": model,
        "video": video.to_contract(),
        "view": view,
        "walking_direction": direction,
        "person": {"selected": int(pose.person_index), "people_seen": int(people_seen)},
        "settings": {
            **settings.to_contract(),
            "num_poses": estimator_settings.num_poses,
            "min_detection_confidence": estimator_settings.min_detection_confidence,
        },
        "time_s": [round(float(t), 6) for t in pose.time_s],
        **measured,
        "series_source": sources,
        "quality": {
            "detection_rate": round(pose.detection_rate, 4),
            "side_swaps_corrected": int(gait.side_swaps_corrected),
            "warnings": warnings,
        },
    }
    doc = json_ready(doc)
    validate_document(doc)
    return doc


#: Below this apparent height (pixels, head to heel) the pose model's joint points are
#: too coarse for angles: on gaitlab's synthetic walks the hip angle error grows to
#: about 5 degrees (docs/accuracy.md).
MIN_WALKER_HEIGHT_PX = 300


def _size_warnings(pose: PoseSequence) -> list[str]:
    """A warning when the walker is small in the picture."""
    pts = pose.image_px[pose.detected]
    if not len(pts):
        return []
    heights = np.nanmax(pts[:, :, 1], axis=1) - np.nanmin(pts[:, :, 1], axis=1)
    median = float(np.nanmedian(heights))
    if median >= MIN_WALKER_HEIGHT_PX:
        return []
    return [
        f"The walker is only about {median:.0f} pixels tall in the picture: joint angles are "
        f"less precise (film closer or at a higher resolution, so the person is at least "
        f"{MIN_WALKER_HEIGHT_PX} pixels tall)."
    ]


def _add_marker_series(
    measured: dict,
    sources: dict,
    warnings: list,
    markers: PelvicMarkerResult,
    gait: GaitAnalysis,
    pose: PoseSequence,
) -> None:
    """Put the sticker-based pelvic series, cycles and metrics into the document parts.

    Sagittal: ``pelvic_tilt`` (only measurable with stickers), its cycle curve
    (over the left leg's cycles, like the other whole-pelvis series; points hidden
    in every cycle stay null) and its metrics.  Frontal: the sticker obliquity
    already replaced the landmark one in :func:`~gaitlab.kinematics.analyze_gait`;
    here it is only marked as such.
    """
    for name in markers.series:
        sources[name] = "markers"
    tilt = markers.series.get("pelvic_tilt")
    if tilt is not None:
        measured["series"]["pelvic_tilt"] = json_ready(tilt, ndigits=4)
        left = gait.gait_cycles.get("left", [])
        # The arm hides a sticker at the same moment of every stride: average what was seen.
        curve = (
            average_cycles_with_gaps(np.asarray(tilt, float), pose.time_s, left, 2.5 / pose.fps)
            if left
            else None
        )
        if curve is not None:
            measured["cycles"]["pelvic_tilt"] = json_ready(curve, ndigits=4)
    if gait.enough_walking:
        cycles = [c for side in ("left", "right") for c in gait.gait_cycles.get(side, [])]
        measured["metrics"].update(json_ready(markers.metrics(cycles), ndigits=4))
    warnings.extend(markers.warnings)


def analyze_video(
    video_path: str | os.PathLike,
    *,
    view: str = "auto",
    person: str | int = "auto",
    height_cm: float | None = None,
    model_variant: str = "full",
    model_file: str | os.PathLike | None = None,
    use_cache: bool = True,
    settings: KinematicsSettings | None = None,
    estimator_settings: EstimatorSettings | None = None,
    markers: str = DEFAULT_MARKER_COLOUR,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> dict:
    """Analyse one walking video and return the contract document.

    Parameters
    ----------
    video_path : path-like
        The video.
    view : {"auto", "sagittal", "frontal"}
        Camera view; ``auto`` decides from the motion.
    person : "auto" or int
        ``auto`` picks the person who walks; a number picks by ``gaitlab people`` index.
    height_cm : float, optional
        The patient's height, the scale for step length and speed (metres).
        Without it those metrics are null.
    model_variant : {"lite", "full", "heavy"}
        Pose model variant.
    use_cache : bool
        Reuse cached landmarks for this video, model and settings.
    markers : str
        Colour of the pelvic skin stickers to look for (``"none"`` not to look):
        with stickers, ``pelvic_tilt`` (sagittal) and a marker-based obliquity
        (frontal, taking precedence over the pose model's hip points) are
        measured.  A quick look at a few frames decides whether the full search
        runs.

    Raises
    ------
    VideoError, NoPersonError, InputError, ModelError
        Bad input (exit code 2).
    TooLittleWalkingError
        Fewer than one full gait cycle per side; ``error.document`` holds the
        document with the pose-derived series and a warning (exit code 3).
    """
    if view not in VIEWS:
        raise InputError(f"--view must be one of {', '.join(VIEWS)}; got {view!r}.")
    _parse_person(person)
    height_cm = _check_height(height_cm)
    settings = settings or KinematicsSettings()
    estimator_settings = estimator_settings or EstimatorSettings()

    video = probe_video(video_path)
    model = resolve_model(model_variant, model_file=model_file, progress=progress)
    raw, cached = extract_raw_poses(
        video,
        model.path,
        model.sha256,
        settings=estimator_settings,
        use_cache=use_cache,
        progress=progress,
        cancel=cancel,
    )
    name = Path(video.path).name
    people = track_people(raw)
    pose = choose_person(people, person, name)
    log.info(
        "%s: %d people seen, person %d selected (%s)",
        name,
        len(people),
        pose.person_index,
        "cached landmarks" if cached else "pose model run",
    )
    detected_view, direction = detect_view(pose)
    chosen_view: View = detected_view
    if view != "auto" and view != detected_view:
        # The user knows the camera set-up; keep their view, take a direction that fits it.
        chosen_view = "sagittal" if view == "sagittal" else "frontal"
        direction = _direction_for_view(pose, chosen_view)
    pelvic = None
    if markers != "none" and stickers_visible(video.path, pose, colour=markers):
        pelvic = measure_pelvic_markers(
            video.path, pose, view=chosen_view, direction=direction, colour=markers,
            progress=progress, cancel=cancel,
        )
    gait = analyze_gait(
        pose,
        view=chosen_view,
        direction=direction,
        height_cm=height_cm,
        settings=settings,
        pelvic_obliquity_deg=None if pelvic is None else pelvic.series.get("pelvic_obliquity"),
    )
    model_block = {
        "name": "pose_landmarker",
        "variant": model.variant,
        "sha256": model.sha256,
    }
    doc = build_document(
        video=video,
        model=model_block,
        pose=pose,
        people_seen=len(people),
        view=chosen_view,
        direction=direction,
        gait=gait,
        settings=settings,
        estimator_settings=estimator_settings,
        markers=pelvic,
    )
    if not gait.enough_walking:
        reason = next(
            (w for w in gait.warnings if "walking" in w.lower() or "cycle" in w.lower()),
            "There is too little walking in the video to measure gait.",
        )
        error = TooLittleWalkingError(reason)
        error.document = doc  # type: ignore[attr-defined]
        raise error
    return doc


def find_people(
    video_path: str | os.PathLike,
    *,
    model_variant: str = "full",
    model_file: str | os.PathLike | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> tuple[VideoInfo, list[PoseSequence], int | None]:
    """The people seen in a video, and the index ``--person auto`` would pick.

    Uses the same cached landmarks as :func:`analyze_video`.
    """
    video = probe_video(video_path)
    model = resolve_model(model_variant, model_file=model_file, progress=progress)
    raw, _ = extract_raw_poses(
        video, model.path, model.sha256, use_cache=use_cache, progress=progress, cancel=cancel
    )
    people = track_people(raw)
    walker = select_walker(people) if people else None
    return video, people, walker


def pose_for_result(
    doc: dict,
    *,
    video_path: str | os.PathLike | None = None,
    model_file: str | os.PathLike | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> PoseSequence:
    """The landmarks of the person an analysis document measured (for overlays).

    Reads the landmark cache for the document's video, model and settings; the
    model runs again only when the cache was cleared.  ``video_path`` overrides
    the path recorded in the document (a moved file is recognised by its sha256).

    Raises
    ------
    VideoError
        When the video is missing or is not the one the document was made from.
    """
    path = video_path or doc["video"]["path"]
    video = probe_video(path)
    if doc["video"].get("sha256") and video.sha256 != doc["video"]["sha256"]:
        raise VideoError(f"{Path(path).name} is not the video this analysis was made from.")
    settings = doc.get("settings", {})
    estimator_settings = EstimatorSettings(
        num_poses=int(settings.get("num_poses", EstimatorSettings.num_poses)),
        min_detection_confidence=float(
            settings.get("min_detection_confidence", EstimatorSettings.min_detection_confidence)
        ),
    )
    variant = doc["model"].get("variant", "full")
    model = resolve_model("full" if variant == "custom" else variant, model_file=model_file)
    raw, _ = extract_raw_poses(
        video, model.path, model.sha256, settings=estimator_settings, progress=progress, cancel=cancel
    )
    people = track_people(raw)
    index = int(doc["person"]["selected"])
    if index >= len(people):
        raise NoPersonError(f"The analysed person is no longer found in {Path(path).name}.")
    return people[index]


def _direction_for_view(pose: PoseSequence, view: str) -> Direction:
    """Walking direction within a view the user imposed, from the person's motion."""
    pts = pose.image_px[pose.detected]
    k = max(1, len(pts) // 10)  # first and last tenth of the frames the person is in
    if view == "sagittal":
        x = np.nanmean(pts[:, :, 0], axis=1)
        return "right" if np.nanmedian(x[-k:]) >= np.nanmedian(x[:k]) else "left"
    # Frontal: a growing apparent size means walking toward the camera.
    span = np.nanmax(pts[:, :, 1], axis=1) - np.nanmin(pts[:, :, 1], axis=1)
    return "toward" if np.nanmedian(span[-k:]) >= np.nanmedian(span[:k]) else "away"
