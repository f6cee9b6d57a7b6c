"""Follow people across frames and pick the one who walks.

The pose model reports up to ``num_poses`` people per frame in no stable order.
:func:`track_people` links detections frame to frame by where each body is and how
big it is; :func:`select_walker` picks the person with the largest consistent
travel (not the largest or the first detection), the patient walking the walkway
rather than a therapist standing by.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaitlab.errors import NoPersonError
from gaitlab.landmarks import LEFT_HIP, LEFT_SHOULDER, N_LANDMARKS, RIGHT_HIP, RIGHT_SHOULDER
from gaitlab.pose.extract import RawPoses
from gaitlab.types import PoseSequence

#: Typical shoulder-to-hip length of an adult, metres (about 0.29 of body height).
TYPICAL_TORSO_M = 0.5
#: A camera-distance guess (in torso lengths) used to turn a change of apparent
#: size into distance walked toward or away from the camera.
TYPICAL_CAMERA_DISTANCE_TORSOS = 10.0


@dataclass(frozen=True)
class PersonSummary:
    """One tracked person, as listed by ``gaitlab people``.

    Attributes
    ----------
    index : int
        The person's index (``--person N``), ordered by first appearance.
    frames_detected : int
    detection_rate : float
        Share of the video's analysed frames in which the person was seen (0..1).
    travel_m : float
        Consistent travel in metres, estimated from body size (an approximation:
        the scale comes from a typical torso length).
    horizontal_travel_m, depth_travel_m : float
        Its parts across the image and toward/away from the camera.
    first_time_s, last_time_s : float
    best_frame_index : int
        Stream index of the frame that shows the person best (for a thumbnail).
    bbox_px : tuple[float, float, float, float]
        x0, y0, x1, y1 of the person in that frame, pixels.
    """

    index: int
    frames_detected: int
    detection_rate: float
    travel_m: float
    horizontal_travel_m: float
    depth_travel_m: float
    first_time_s: float
    last_time_s: float
    best_frame_index: int
    bbox_px: tuple[float, float, float, float]


def _body_centre_and_size(px: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre (mean of shoulders and hips) and torso length in px, for (N, 33, 2)."""
    torso = px[:, [LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP]]
    centre = np.nanmean(torso, axis=1) if torso.size else np.zeros((0, 2))
    shoulders = np.nanmean(torso[:, :2], axis=1)
    hips = np.nanmean(torso[:, 2:], axis=1)
    size = np.linalg.norm(shoulders - hips, axis=1)
    # A crouched or half-seen body still needs a usable size: use the landmark spread.
    spread = np.nanmax(px[:, :, 1], axis=1) - np.nanmin(px[:, :, 1], axis=1)
    size = np.where(np.isfinite(size) & (size > 1.0), size, spread / 3.0)
    return centre, np.maximum(size, 1.0)


def _same_body(a: int, b: int, centre: np.ndarray, size: np.ndarray, max_torsos: float) -> bool:
    """Two detections of one frame lie on the same body (centres and sizes agree)."""
    scale = max(size[a], size[b])
    close = np.linalg.norm(centre[a] - centre[b]) / scale <= max_torsos
    return bool(close and abs(np.log(size[a] / size[b])) <= 0.3)


def track_people(
    raw: RawPoses,
    *,
    max_gap_s: float = 1.0,
    max_jump_torsos: float = 1.5,
    duplicate_torsos: float = 0.5,
    max_reentry_s: float = 10.0,
) -> list[PoseSequence]:
    """Link the detections of a video into one pose sequence per person.

    Parameters
    ----------
    raw : RawPoses
        Every detection of every frame.
    max_gap_s : float
        A person unseen for longer than this (seconds) starts a new track.
    max_jump_torsos : float
        Largest movement between a track's predicted and a detection's centre, in
        torso lengths, for the detection to continue the track.
    duplicate_torsos : float
        The pose model sometimes reports one body twice in a frame; a detection
        whose centre lies within this many torso lengths of another (of similar
        size) is a duplicate and does not start a new track.
    max_reentry_s : float
        A track that starts within this many seconds after another one ended, with
        a body of about the same size, is the same person coming back into the
        picture (a patient walking the walkway several times), not a new person.

    Returns
    -------
    list of PoseSequence
        One per person, over all analysed frames (NaN where the person was not
        seen), ordered by first appearance.  Tracks seen in fewer than 3 frames are
        dropped as spurious.
    """
    offsets = raw.offsets()
    centre_all, size_all = _body_centre_and_size(raw.image_px) if raw.image_px.size else (
        np.zeros((0, 2)),
        np.zeros(0),
    )
    tracks: list[dict] = []  # each: det ids per frame, last centre/velocity/size/time
    for f in range(raw.n_frames):
        t = raw.time_s[f]
        ids = list(range(offsets[f], offsets[f + 1]))
        alive = [k for k, tr in enumerate(tracks) if t - tr["last_t"] <= max_gap_s]
        pairs = []
        for k in alive:
            tr = tracks[k]
            dt = t - tr["last_t"]
            predicted = tr["centre"] + tr["velocity"] * dt
            for d in ids:
                if not np.all(np.isfinite(centre_all[d])):
                    continue
                scale = max(tr["size"], size_all[d])
                cost = float(np.linalg.norm(centre_all[d] - predicted) / scale)
                cost += abs(np.log(size_all[d] / tr["size"]))  # a different-sized body is someone else
                if cost <= max_jump_torsos:
                    pairs.append((cost, k, d))
        pairs.sort()
        used_tracks: set[int] = set()
        used_dets: set[int] = set()
        for _cost, k, d in pairs:
            if k in used_tracks or d in used_dets:
                continue
            used_tracks.add(k)
            used_dets.add(d)
            tr = tracks[k]
            dt = max(t - tr["last_t"], 1e-6)
            velocity = (centre_all[d] - tr["centre"]) / dt
            tr["velocity"] = 0.5 * tr["velocity"] + 0.5 * velocity
            tr["centre"], tr["size"], tr["last_t"] = centre_all[d], size_all[d], t
            tr["frames"][f] = d
        claimed = [d for d in ids if d in used_dets]
        # New tracks: best-looking detections first, so a duplicate is the one dropped.
        for d in sorted(ids, key=lambda d: -float(np.nanmean(raw.visibility[d]))):
            if d in used_dets or not np.all(np.isfinite(centre_all[d])):
                continue
            if any(_same_body(d, c, centre_all, size_all, duplicate_torsos) for c in claimed):
                continue  # the model reported this body twice in one frame
            claimed.append(d)
            tracks.append(
                {
                    "frames": {f: d},
                    "centre": centre_all[d],
                    "velocity": np.zeros(2),
                    "size": size_all[d],
                    "last_t": t,
                }
            )
    tracks = [tr for tr in tracks if len(tr["frames"]) >= 3]
    tracks.sort(key=lambda tr: min(tr["frames"]))
    tracks = _join_reentries(tracks, raw.time_s, size_all, max_reentry_s)
    people = []
    n = raw.n_frames
    for index, tr in enumerate(tracks):
        px = np.full((n, N_LANDMARKS, 2), np.nan)
        vis = np.full((n, N_LANDMARKS), np.nan)
        pres = np.full((n, N_LANDMARKS), np.nan)
        world = np.full((n, N_LANDMARKS, 3), np.nan)
        frames = np.fromiter(tr["frames"].keys(), dtype=np.int64)
        dets = np.fromiter(tr["frames"].values(), dtype=np.int64)
        px[frames] = raw.image_px[dets]
        vis[frames] = raw.visibility[dets]
        pres[frames] = raw.presence[dets]
        world[frames] = raw.world_m[dets]
        people.append(
            PoseSequence.create(
                raw.time_s,
                px,
                image_size_px=raw.image_size_px,
                fps=raw.fps,
                frame_index=raw.frame_index,
                visibility=vis,
                presence=pres,
                world_m=world,
                person_index=index,
            )
        )
    return people


def _join_reentries(tracks: list[dict], time_s: np.ndarray, size: np.ndarray, max_gap_s: float) -> list[dict]:
    """Join tracks that follow each other in time with a body of the same size.

    ``tracks`` are sorted by first frame; a later track joins the open group whose
    last frame is the latest before its first frame, when the gap is at most
    ``max_gap_s`` and the apparent torso sizes at the seam differ by less than a
    third (|ln ratio| <= 0.3).  Overlapping tracks are never joined: two bodies in
    one frame are two people.
    """
    groups: list[dict] = []
    for tr in tracks:
        first = min(tr["frames"])
        first_size = size[tr["frames"][first]]
        best = None
        for g in groups:
            last = max(g["frames"])
            if last >= first or time_s[first] - time_s[last] > max_gap_s:
                continue
            if abs(np.log(first_size / size[g["frames"][last]])) > 0.3:
                continue
            if best is None or last > max(best["frames"]):
                best = g
        if best is None:
            groups.append({"frames": dict(tr["frames"])})
        else:
            best["frames"].update(tr["frames"])
    return groups


def summarize_person(pose: PoseSequence) -> PersonSummary:
    """How much of the video a person is in, and how far they travelled."""
    detected = pose.detected
    frames = np.flatnonzero(detected)
    if frames.size == 0:
        raise NoPersonError("This person is never seen in the video.")
    centre, size = _body_centre_and_size(pose.image_px[frames])
    torso_px = float(np.median(size))
    k = max(1, frames.size // 10)  # compare the first and last tenth: robust to jitter
    start_c, end_c = np.nanmedian(centre[:k], axis=0), np.nanmedian(centre[-k:], axis=0)
    start_s, end_s = np.median(size[:k]), np.median(size[-k:])
    horizontal_torsos = float(abs(end_c[0] - start_c[0]) / torso_px)
    depth_torsos = float(abs(np.log(end_s / start_s)) * TYPICAL_CAMERA_DISTANCE_TORSOS)
    best = int(frames[np.argmax(np.nanmean(pose.visibility[frames], axis=1))])
    pts = pose.image_px[best]
    bbox = (
        float(np.nanmin(pts[:, 0])),
        float(np.nanmin(pts[:, 1])),
        float(np.nanmax(pts[:, 0])),
        float(np.nanmax(pts[:, 1])),
    )
    return PersonSummary(
        index=pose.person_index,
        frames_detected=int(frames.size),
        detection_rate=pose.detection_rate,
        travel_m=float(np.hypot(horizontal_torsos, depth_torsos) * TYPICAL_TORSO_M),
        horizontal_travel_m=horizontal_torsos * TYPICAL_TORSO_M,
        depth_travel_m=depth_torsos * TYPICAL_TORSO_M,
        first_time_s=float(pose.time_s[frames[0]]),
        last_time_s=float(pose.time_s[frames[-1]]),
        best_frame_index=int(pose.frame_index[best]),
        bbox_px=bbox,
    )


def select_walker(people: list[PoseSequence]) -> int:
    """Index (into ``people``) of the person who walks.

    The score is the consistent travel (first tenth to last tenth of the person's
    frames) weighted by how much of the video the person is in, so a passer-by
    glimpsed for a moment does not win over the patient.

    Raises
    ------
    NoPersonError
        When ``people`` is empty.
    """
    if not people:
        raise NoPersonError("No person was found in the video.")
    scores = []
    for pose in people:
        s = summarize_person(pose)
        scores.append(s.travel_m * np.sqrt(s.detection_rate))
    return int(np.argmax(scores))
