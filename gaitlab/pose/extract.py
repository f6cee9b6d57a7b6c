"""Run the pose model over a video, with an on-disk cache of the raw landmarks.

The raw result keeps every person the model found in every frame (before tracking),
so choosing another person never reruns the model.  The cache key is the video's
sha256, the model's sha256 and the settings that change the model's output.
"""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gaitlab.errors import GaitlabError, ValidationError, VideoError
from gaitlab.io.files import cache_root
from gaitlab.io.video import iter_frames_prefetched, probe_video
from gaitlab.landmarks import N_LANDMARKS
from gaitlab.pose.estimator import Detection, EstimatorSettings, MediaPipePoseEstimator
from gaitlab.pose.models import resolve_model
from gaitlab.progress import CancelToken, NullProgress, Progress
from gaitlab.types import VideoInfo

log = logging.getLogger(__name__)

#: Bump when the layout of cached raw landmarks changes.
CACHE_FORMAT = 1


@dataclass(frozen=True)
class RawPoses:
    """Every detection of every analysed frame, before people are tracked.

    Attributes
    ----------
    time_s : (T,) float
        Video time of each analysed frame, seconds, strictly increasing.
    frame_index : (T,) int
        Stream index of each frame.
    counts : (T,) int
        Number of detections in each frame; detections are stored frame by frame.
    image_px : (N, 33, 2) float
        Landmarks in pixels of the upright frame (y down), N = counts.sum().
    visibility, presence : (N, 33) float
    world_m : (N, 33, 3) float
    image_size_px : (int, int)
    fps : float
    """

    time_s: np.ndarray
    frame_index: np.ndarray
    counts: np.ndarray
    image_px: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world_m: np.ndarray
    image_size_px: tuple[int, int]
    fps: float

    def __post_init__(self) -> None:
        t = self.time_s
        n = int(self.counts.sum()) if self.counts.size else 0
        if self.frame_index.shape != t.shape or self.counts.shape != t.shape:
            raise ValidationError("Raw pose arrays disagree on the number of frames.")
        if t.size > 1 and not np.all(np.diff(t) > 0):
            raise ValidationError("Raw pose frame times must be strictly increasing.")
        if (
            self.image_px.shape != (n, N_LANDMARKS, 2)
            or self.visibility.shape != (n, N_LANDMARKS)
            or self.presence.shape != (n, N_LANDMARKS)
            or self.world_m.shape != (n, N_LANDMARKS, 3)
        ):
            raise ValidationError("Raw pose detections have the wrong shape.")

    @property
    def n_frames(self) -> int:
        return int(self.time_s.shape[0])

    def offsets(self) -> np.ndarray:
        """(T+1,) start of each frame's detections in the flat arrays."""
        return np.concatenate([[0], np.cumsum(self.counts)]).astype(np.int64)

    @classmethod
    def join(cls, parts: list[RawPoses]) -> RawPoses:
        """One record from consecutive time chunks (frames a chunk repeats are kept once)."""
        if not parts:
            raise ValidationError("There are no raw pose chunks to join.")
        keep_frames, keep_rows = [], []
        last = -np.inf
        for part in parts:
            frames = part.time_s > last
            rows = np.repeat(frames, part.counts)
            keep_frames.append(frames)
            keep_rows.append(rows)
            if frames.any():
                last = float(part.time_s[frames][-1])

        def cat(name: str, masks: list[np.ndarray]) -> np.ndarray:
            return np.concatenate([getattr(p, name)[m] for p, m in zip(parts, masks)])

        return cls(
            time_s=cat("time_s", keep_frames),
            frame_index=cat("frame_index", keep_frames),
            counts=cat("counts", keep_frames),
            image_px=cat("image_px", keep_rows),
            visibility=cat("visibility", keep_rows),
            presence=cat("presence", keep_rows),
            world_m=cat("world_m", keep_rows),
            image_size_px=parts[0].image_size_px,
            fps=parts[0].fps,
        )

    @classmethod
    def from_frames(
        cls,
        times_s: list[float],
        frame_indices: list[int],
        detections: list[list[Detection]],
        *,
        image_size_px: tuple[int, int],
        fps: float,
    ) -> RawPoses:
        flat = [d for frame in detections for d in frame]
        n = len(flat)
        return cls(
            time_s=np.asarray(times_s, dtype=np.float64),
            frame_index=np.asarray(frame_indices, dtype=np.int64),
            counts=np.asarray([len(f) for f in detections], dtype=np.int64),
            image_px=np.array([d.image_px for d in flat]).reshape(n, N_LANDMARKS, 2),
            visibility=np.array([d.visibility for d in flat]).reshape(n, N_LANDMARKS),
            presence=np.array([d.presence for d in flat]).reshape(n, N_LANDMARKS),
            world_m=np.array([d.world_m for d in flat]).reshape(n, N_LANDMARKS, 3),
            image_size_px=(int(image_size_px[0]), int(image_size_px[1])),
            fps=float(fps),
        )


def cache_dir() -> Path:
    """Folder of cached raw landmarks: ``GAITLAB_CACHE_DIR`` or the user cache dir."""
    return cache_root() / "landmarks"


def cache_path(video_sha256: str, model_sha256: str, settings: EstimatorSettings) -> Path:
    key = f"v{CACHE_FORMAT}-{video_sha256[:32]}-{model_sha256[:16]}-{settings.cache_key()}"
    return cache_dir() / f"{key}.npz"


def save_raw_poses(raw: RawPoses, path: Path) -> None:
    """Write raw poses atomically (temporary file in the same folder, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(
                fh,
                time_s=raw.time_s,
                frame_index=raw.frame_index,
                counts=raw.counts,
                image_px=raw.image_px,
                visibility=raw.visibility,
                presence=raw.presence,
                world_m=raw.world_m,
                image_size_px=np.asarray(raw.image_size_px, dtype=np.int64),
                fps=np.asarray(raw.fps, dtype=np.float64),
            )
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_raw_poses(path: Path) -> RawPoses | None:
    """Read cached raw poses; None (and the file removed) when it is unreadable."""
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:
            size = data["image_size_px"]
            return RawPoses(
                time_s=data["time_s"],
                frame_index=data["frame_index"],
                counts=data["counts"],
                image_px=data["image_px"],
                visibility=data["visibility"],
                presence=data["presence"],
                world_m=data["world_m"],
                image_size_px=(int(size[0]), int(size[1])),
                fps=float(data["fps"]),
            )
    except FileNotFoundError:
        return None
    except (OSError, KeyError, ValueError, ValidationError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("ignoring damaged landmark cache %s (%s)", path.name, exc)
        path.unlink(missing_ok=True)
        return None


EstimatorFactory = Callable[[], MediaPipePoseEstimator]


def _run_range(
    video: VideoInfo,
    model_path: str | os.PathLike,
    settings: EstimatorSettings,
    *,
    start_s: float = 0.0,
    end_s: float | None = None,
    keep_from_s: float = 0.0,
    on_frame: Callable[[int], None] | None = None,
    cancel: CancelToken | None = None,
    estimator: MediaPipePoseEstimator | None = None,
) -> tuple[list[float], list[int], list[list[Detection]]]:
    """Run the model from ``start_s`` to ``end_s``; keep frames from ``keep_from_s`` on.

    The frames between ``start_s`` and ``keep_from_s`` only warm up the model's
    tracking (VIDEO mode follows the person from the previous frame).  A fresh
    ``estimator`` already loaded may be given (it is not closed here); otherwise
    the model is loaded from ``model_path`` for this run.
    """
    times: list[float] = []
    indices: list[int] = []
    detections: list[list[Detection]] = []
    own = estimator is None
    if estimator is None:
        estimator = MediaPipePoseEstimator(model_path, settings)
    try:
        for frame in iter_frames_prefetched(video.path, start_s=start_s, end_s=end_s, cancel=cancel):
            if cancel is not None:
                cancel.raise_if_cancelled()
            found = estimator.detect(frame.image, frame.time_s)
            if frame.time_s < keep_from_s:
                continue
            detections.append(found)
            times.append(frame.time_s)
            indices.append(frame.index)
            if on_frame is not None:
                on_frame(len(times))
    finally:
        if own:
            estimator.close()
    return times, indices, detections


def run_pose_model(
    video: VideoInfo,
    model_path: str | os.PathLike,
    *,
    settings: EstimatorSettings | None = None,
    workers: int | None = None,
    min_chunk_s: float | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> RawPoses:
    """Run the pose model on every frame of a video (no cache).

    Decoding runs on its own thread and overlaps with the model.  Videos longer
    than :data:`MIN_CHUNK_S` per worker are split into time chunks analysed in
    parallel processes (``workers``, default: one per core), each warmed up on
    :data:`CHUNK_WARMUP_S` seconds before its start so the seams do not show.
    """
    settings = settings or EstimatorSettings()
    progress = progress or NullProgress()
    n_chunks = chunk_count(video, workers=workers, min_chunk_s=min_chunk_s)
    progress.start("pose", video.frame_count or None)
    try:
        if n_chunks >= 2:
            from gaitlab.pose.parallel import run_chunks_in_processes

            raw = run_chunks_in_processes(
                video, model_path, settings, n_chunks, progress=progress, cancel=cancel
            )
        else:
            times, indices, detections = _run_range(
                video, model_path, settings, on_frame=progress.update, cancel=cancel
            )
            raw = RawPoses.from_frames(
                times, indices, detections, image_size_px=(video.width, video.height), fps=video.fps
            )
    finally:
        progress.finish()
    if raw.n_frames == 0:
        raise VideoError(f"{Path(video.path).name} contains no video frames.")
    return raw


#: Shortest chunk of video worth a process of its own, seconds.
MIN_CHUNK_S = 8.0
#: Seconds of video a chunk's model runs on before its start, to warm up tracking.
#: With one person in view the model's output at the seam does not depend on it at
#: all (it looks for a second person in every frame); with two, it follows them
#: from the previous frame, which settles within a few frames.
CHUNK_WARMUP_S = 0.25


def chunk_count(video: VideoInfo, *, workers: int | None = None, min_chunk_s: float | None = None) -> int:
    """Into how many time chunks (one process each) the pose model run is split."""
    n_workers = default_workers() if workers is None else max(1, int(workers))
    chunk_s = MIN_CHUNK_S if min_chunk_s is None else float(min_chunk_s)
    return max(1, min(n_workers, int(video.duration_s // chunk_s)))


def prestart_pose_model(
    video_path: str | os.PathLike,
    *,
    model_variant: str = "full",
    model_file: str | os.PathLike | None = None,
    settings: EstimatorSettings | None = None,
    use_cache: bool = True,
) -> bool:
    """Start the pose-estimation processes of a long video early (best effort).

    Call it before slow preparations (imports, opening a library): the processes
    load the pose model meanwhile, and the analysis of the same video then hands
    them their chunks.  Nothing starts when the landmarks are cached, the video
    is too short to split, or the model is not installed yet; any problem with
    the video or model is left for the analysis itself to report.

    Returns
    -------
    bool
        True when processes were started.
    """
    settings = settings or EstimatorSettings()
    try:
        video = probe_video(video_path)
        model = resolve_model(model_variant, model_file=model_file, allow_network=False)
    except GaitlabError:
        return False
    if use_cache and cache_path(video.sha256, model.sha256, settings).is_file():
        return False
    n_chunks = chunk_count(video)
    if n_chunks < 2:
        return False
    from gaitlab.pose.parallel import prestart_workers

    prestart_workers(model.path, settings, n_chunks)
    return True


def default_workers() -> int:
    """Processes for pose estimation: ``GAITLAB_WORKERS`` or the usable cores."""
    env = os.environ.get("GAITLAB_WORKERS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            pass
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def extract_raw_poses(
    video: VideoInfo,
    model_path: str | os.PathLike,
    model_sha256: str,
    *,
    settings: EstimatorSettings | None = None,
    use_cache: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> tuple[RawPoses, bool]:
    """Raw poses of a video, from the cache when possible.

    Returns
    -------
    (RawPoses, bool)
        The poses and whether they came from the cache.  With ``use_cache=False``
        the model always runs, and its result refreshes the cache.
    """
    settings = settings or EstimatorSettings()
    if not video.sha256:
        raise ValidationError("The video must be hashed before its landmarks can be cached.")
    path = cache_path(video.sha256, model_sha256, settings)
    if use_cache:
        cached = load_raw_poses(path)
        if cached is not None:
            log.info("landmarks loaded from cache %s", path.name)
            return cached, True
    raw = run_pose_model(
        video, model_path, settings=settings, workers=workers, progress=progress, cancel=cancel
    )
    try:
        save_raw_poses(raw, path)
    except OSError as exc:  # a read-only cache folder must not stop the analysis
        log.warning("could not write the landmark cache (%s)", exc)
    return raw, False
