"""Pose estimation: the MediaPipe adapter (the only place that imports mediapipe).

:class:`MediaPipePoseEstimator` runs MediaPipe's ``PoseLandmarker`` in VIDEO mode on
a stream of RGB frames and returns, per frame, every person it found.  Pixel and
metric units are fixed here, at the boundary: image landmarks in pixels of the
upright frame (y down), world landmarks in metres.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import tempfile
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gaitlab.errors import ModelError
from gaitlab.landmarks import N_LANDMARKS

log = logging.getLogger(__name__)


#: The packages above the pose landmarker's modules.  Their initialisers import
#: every MediaPipe task (audio, text, drawing helpers that load matplotlib), which
#: costs a pose worker about 0.4 s of processor time for code it never runs.
_MEDIAPIPE_PACKAGES = ("mediapipe", "mediapipe.tasks", "mediapipe.tasks.python", "mediapipe.tasks.python.vision")


def use_lean_mediapipe_import() -> bool:
    """Let this process import the pose landmarker without MediaPipe's package initialisers.

    For processes that only run the pose model (the parallel pose workers): the
    packages above the landmarker's modules are registered without running their
    ``__init__``, so importing the landmarker loads what it uses and nothing else.
    Afterwards ``import mediapipe`` in this process gives that bare package, so
    call it only where nothing but :class:`MediaPipePoseEstimator` uses MediaPipe.

    Returns
    -------
    bool
        True when set up; False (and nothing changed) when MediaPipe is already
        imported here or its package layout is not the one expected, in which
        case the estimator imports MediaPipe the usual way.
    """
    if any(name in sys.modules for name in _MEDIAPIPE_PACKAGES):
        return False
    bare: list[types.ModuleType] = []
    try:
        for name in _MEDIAPIPE_PACKAGES:
            spec = importlib.util.find_spec(name)
            if spec is None or not spec.submodule_search_locations:
                raise ImportError(name)
            module = types.ModuleType(name)
            module.__spec__ = spec
            module.__path__ = list(spec.submodule_search_locations)
            module.__file__ = spec.origin
            module.__package__ = name
            if bare:
                setattr(bare[-1], name.rpartition(".")[2], module)
            bare.append(module)
            sys.modules[name] = module
    except (ImportError, ValueError):
        for module in bare:
            sys.modules.pop(module.__name__, None)
        return False
    return True


def _mediapipe_pose_api() -> types.SimpleNamespace:
    """The parts of MediaPipe the estimator uses, imported module by module.

    Works with MediaPipe fully imported and after :func:`use_lean_mediapipe_import`.
    """
    try:
        from mediapipe.tasks.python.core.base_options import BaseOptions
        from mediapipe.tasks.python.vision import pose_landmarker
        from mediapipe.tasks.python.vision.core.image import Image, ImageFormat
        from mediapipe.tasks.python.vision.core.vision_task_running_mode import (
            VisionTaskRunningMode,
        )
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelError("The pose model library (mediapipe) is not installed.") from exc
    return types.SimpleNamespace(
        BaseOptions=BaseOptions,
        PoseLandmarker=pose_landmarker.PoseLandmarker,
        PoseLandmarkerOptions=pose_landmarker.PoseLandmarkerOptions,
        RunningMode=VisionTaskRunningMode,
        Image=Image,
        ImageFormat=ImageFormat,
    )


class _NativeStderrToLog:
    """Send what native code writes to stderr (fd 2) to gaitlab's log instead.

    The pose model's runtime prints start-up and first-detection notices straight
    to the process's stderr; users should see gaitlab's own messages only.  Use as
    a context manager around calls into the runtime; the notices are kept at debug
    level.  Redirecting costs two system calls, so it can wrap every frame.
    """

    def __init__(self) -> None:
        try:
            self._fd: int | None = sys.stderr.fileno()
        except (AttributeError, OSError, ValueError):  # no real stderr (some GUI launches)
            self._fd = None
        self._sink = tempfile.TemporaryFile(mode="w+b") if self._fd is not None else None
        self._saved: int | None = None

    def __enter__(self) -> _NativeStderrToLog:
        if self._fd is not None and self._sink is not None:
            sys.stderr.flush()
            self._saved = os.dup(self._fd)
            os.dup2(self._sink.fileno(), self._fd)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._saved is None or self._fd is None or self._sink is None:
            return
        os.dup2(self._saved, self._fd)
        os.close(self._saved)
        self._saved = None
        if self._sink.tell():
            self._sink.seek(0)
            text = self._sink.read().decode("utf-8", "replace").strip()
            self._sink.seek(0)
            self._sink.truncate()
            if text:
                log.debug("pose model runtime says: %s", text)

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None


@dataclass(frozen=True)
class Detection:
    """One person in one frame, as the pose model saw them.

    Attributes
    ----------
    image_px : (33, 2) float
        Landmark x, y in pixels (y down).
    visibility, presence : (33,) float
        Scores in [0, 1].
    world_m : (33, 3) float
        Metric landmarks in metres, hip-centred.
    """

    image_px: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world_m: np.ndarray


@dataclass(frozen=True)
class EstimatorSettings:
    """Settings of the pose model that change its output (part of the cache key)."""

    num_poses: int = 2
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5

    def cache_key(self) -> str:
        return (
            f"n{self.num_poses}-d{self.min_detection_confidence:g}"
            f"-p{self.min_presence_confidence:g}-t{self.min_tracking_confidence:g}"
        )


class MediaPipePoseEstimator:
    """MediaPipe ``PoseLandmarker`` in VIDEO running mode.

    Use as a context manager; feed frames in time order with :meth:`detect`.

    Parameters
    ----------
    model_path : path-like
        A ``pose_landmarker*.task`` bundle (see :mod:`gaitlab.pose.models`).
    settings : EstimatorSettings
        Number of people and confidence thresholds.
    """

    def __init__(self, model_path: str | os.PathLike, settings: EstimatorSettings | None = None):
        self.settings = settings or EstimatorSettings()
        self.model_path = Path(model_path)
        mp = _mediapipe_pose_api()
        self._mp = mp
        options = mp.PoseLandmarkerOptions(
            base_options=mp.BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=mp.RunningMode.VIDEO,
            num_poses=self.settings.num_poses,
            min_pose_detection_confidence=self.settings.min_detection_confidence,
            min_pose_presence_confidence=self.settings.min_presence_confidence,
            min_tracking_confidence=self.settings.min_tracking_confidence,
            output_segmentation_masks=False,
        )
        self._quiet = _NativeStderrToLog()
        try:
            with self._quiet:
                self._landmarker = mp.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise ModelError(
                f"The pose model {self.model_path.name} could not be loaded; it may be damaged."
            ) from exc
        self._last_ms = -1

    def __enter__(self) -> MediaPipePoseEstimator:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        landmarker = getattr(self, "_landmarker", None)
        if landmarker is not None:
            with self._quiet:
                landmarker.close()
            self._landmarker = None
        self._quiet.close()

    def detect(self, image_rgb: np.ndarray, time_s: float) -> list[Detection]:
        """Detect the people in one upright RGB frame.

        Parameters
        ----------
        image_rgb : (H, W, 3) uint8
            The frame, C-contiguous.
        time_s : float
            Its video time in seconds; must increase from call to call.
        """
        if self._landmarker is None:
            raise ModelError("The pose model was already closed.")
        height, width = image_rgb.shape[:2]
        # VIDEO mode needs strictly increasing integer milliseconds.
        ms = max(int(round(time_s * 1000.0)), self._last_ms + 1)
        self._last_ms = ms
        image = self._mp.Image(
            image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(image_rgb)
        )
        with self._quiet:
            result = self._landmarker.detect_for_video(image, ms)
        detections = []
        worlds = result.pose_world_landmarks or []
        for i, landmarks in enumerate(result.pose_landmarks or []):
            if len(landmarks) != N_LANDMARKS:
                continue
            arr = np.array(
                [(lm.x, lm.y, lm.visibility or 0.0, lm.presence or 0.0) for lm in landmarks],
                dtype=np.float64,
            )
            px = np.column_stack([arr[:, 0] * width, arr[:, 1] * height])
            if i < len(worlds) and len(worlds[i]) == N_LANDMARKS:
                world = np.array([(lm.x, lm.y, lm.z) for lm in worlds[i]], dtype=np.float64)
            else:
                world = np.full((N_LANDMARKS, 3), np.nan)
            detections.append(
                Detection(
                    image_px=px,
                    visibility=np.clip(arr[:, 2], 0.0, 1.0),
                    presence=np.clip(arr[:, 3], 0.0, 1.0),
                    world_m=world,
                )
            )
        return detections
