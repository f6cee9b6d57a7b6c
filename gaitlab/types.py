"""gaitlab's central data types: frozen, validated once, units in field names.

Every source of landmarks (the pose model, a cache file, the synthetic gait lab,
a test fixture) ends in :meth:`PoseSequence.create`, which checks shapes, monotonic
time and value ranges.  Arrays are stored read-only.

Coordinates
-----------
``image_px``: x to the right, y **down**, in pixels of the upright frame (phone
rotation already applied).  ``world_m``: the pose model's metric landmarks in
metres, origin at the hip midpoint, x to the image right, y down, z away from the
camera.  Missing values are NaN, never zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from gaitlab.errors import ValidationError
from gaitlab.landmarks import N_LANDMARKS

Side = Literal["left", "right"]
View = Literal["sagittal", "frontal"]
Direction = Literal["left", "right", "toward", "away"]
SIDES: tuple[Side, Side] = ("left", "right")

FloatArray = NDArray[np.float64]


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video, after rotation is applied.

    ``width``/``height`` are of the upright frames gaitlab analyses.  ``fps`` is the
    container's average frame rate; the real timestamps of each frame are read
    while decoding (variable frame rate videos exist).
    """

    path: str
    width: int
    height: int
    fps: float
    frame_count: int
    duration_s: float
    rotation_deg: int
    codec: str = ""
    sha256: str = ""

    def to_contract(self) -> dict:
        """The ``video`` block of the analysis contract."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "width": self.width,
            "height": self.height,
            "fps": round(float(self.fps), 3),
            "frame_count": int(self.frame_count),
            "duration_s": round(float(self.duration_s), 4),
            "rotation_deg": int(self.rotation_deg),
        }


@dataclass(frozen=True)
class PoseSequence:
    """Landmarks of one person over the analysed frames of one video.

    Attributes
    ----------
    time_s : (T,) float
        Video timestamp of each analysed frame in seconds, strictly increasing.
    frame_index : (T,) int
        Index of each frame in the decoded stream.
    image_px : (T, 33, 2) float
        Landmark x, y in pixels (y down); NaN where the person was not detected.
    visibility, presence : (T, 33) float
        Pose model's visibility and presence scores in [0, 1]; NaN where not detected.
    world_m : (T, 33, 3) float
        Metric landmarks in metres (hip-centred); NaN where not detected.
    image_size_px : (int, int)
        Width and height of the frames in pixels.
    fps : float
        Nominal frame rate of the video, frames per second.
    person_index : int
        Index of this person among the people seen in the video.
    """

    time_s: FloatArray
    frame_index: NDArray[np.int64]
    image_px: FloatArray
    visibility: FloatArray
    presence: FloatArray
    world_m: FloatArray
    image_size_px: tuple[int, int]
    fps: float
    person_index: int = 0
    meta: dict = field(default_factory=dict, compare=False)

    @classmethod
    def create(
        cls,
        time_s,
        image_px,
        *,
        image_size_px: tuple[int, int],
        fps: float,
        frame_index=None,
        visibility=None,
        presence=None,
        world_m=None,
        person_index: int = 0,
        meta: dict | None = None,
    ) -> PoseSequence:
        """Build and validate a pose sequence (the one constructor every source uses).

        Missing ``visibility``/``presence`` default to 1 where a landmark exists;
        missing ``world_m`` is all NaN.
        """
        t = np.asarray(time_s, dtype=np.float64).reshape(-1)
        n = t.shape[0]
        px = np.asarray(image_px, dtype=np.float64)
        if px.shape != (n, N_LANDMARKS, 2):
            raise ValidationError(
                f"Pose landmarks must have shape ({n}, {N_LANDMARKS}, 2); got {px.shape}."
            )
        if n and not np.all(np.isfinite(t)):
            raise ValidationError("Frame times must be finite numbers of seconds.")
        if n > 1 and not np.all(np.diff(t) > 0):
            raise ValidationError("Frame times must be strictly increasing.")
        detected = np.isfinite(px).all(axis=2)
        if frame_index is None:
            fi = np.arange(n, dtype=np.int64)
        else:
            fi = np.asarray(frame_index, dtype=np.int64).reshape(-1)
            if fi.shape != (n,):
                raise ValidationError("There must be one frame index per frame time.")
        scores = []
        for name, value in (("visibility", visibility), ("presence", presence)):
            if value is None:
                s = np.where(detected, 1.0, np.nan)
            else:
                s = np.asarray(value, dtype=np.float64)
                if s.shape != (n, N_LANDMARKS):
                    raise ValidationError(
                        f"Landmark {name} must have shape ({n}, {N_LANDMARKS}); got {s.shape}."
                    )
                finite = s[np.isfinite(s)]
                if finite.size and (finite.min() < -1e-6 or finite.max() > 1 + 1e-6):
                    raise ValidationError(f"Landmark {name} scores must lie between 0 and 1.")
            scores.append(s)
        if world_m is None:
            w = np.full((n, N_LANDMARKS, 3), np.nan)
        else:
            w = np.asarray(world_m, dtype=np.float64)
            if w.shape != (n, N_LANDMARKS, 3):
                raise ValidationError(
                    f"World landmarks must have shape ({n}, {N_LANDMARKS}, 3); got {w.shape}."
                )
        width, height = (int(image_size_px[0]), int(image_size_px[1]))
        if width <= 0 or height <= 0:
            raise ValidationError("The frame size must be positive.")
        if not (fps > 0 and np.isfinite(fps)):
            raise ValidationError("The frame rate must be a positive number.")
        return cls(
            time_s=_readonly(t.copy()),
            frame_index=_readonly(fi.copy()),
            image_px=_readonly(px.copy()),
            visibility=_readonly(scores[0].copy()),
            presence=_readonly(scores[1].copy()),
            world_m=_readonly(w.copy()),
            image_size_px=(width, height),
            fps=float(fps),
            person_index=int(person_index),
            meta=dict(meta or {}),
        )

    @property
    def n_frames(self) -> int:
        return int(self.time_s.shape[0])

    @property
    def detected(self) -> NDArray[np.bool_]:
        """(T,) True where the person was detected in the frame."""
        landmark_found = np.all(np.isfinite(self.image_px), axis=2)
        return np.asarray(np.any(landmark_found, axis=1), dtype=bool)

    @property
    def detection_rate(self) -> float:
        """Share of analysed frames in which the person was detected (0..1)."""
        return float(self.detected.mean()) if self.n_frames else 0.0

    def replace(self, **changes) -> PoseSequence:
        """A validated copy with some fields replaced."""
        fields = {
            "time_s": self.time_s,
            "image_px": self.image_px,
            "image_size_px": self.image_size_px,
            "fps": self.fps,
            "frame_index": self.frame_index,
            "visibility": self.visibility,
            "presence": self.presence,
            "world_m": self.world_m,
            "person_index": self.person_index,
            "meta": self.meta,
        }
        fields.update(changes)
        t = fields.pop("time_s")
        px = fields.pop("image_px")
        return PoseSequence.create(t, px, **fields)  # type: ignore[arg-type]


@dataclass(frozen=True)
class GaitEvent:
    """One gait event: ``kind`` is "heel_strike" or "toe_off"; time in video seconds."""

    side: Side
    kind: Literal["heel_strike", "toe_off"]
    time_s: float


@dataclass(frozen=True)
class GaitCycle:
    """One gait cycle (stride) of a side: heel strike to the next heel strike."""

    side: Side
    start_s: float
    end_s: float
    toe_off_s: float | None = None

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s
