"""Parameters of the synthetic gait lab: the walker's gait and body, and the camera.

Every number carries its unit in its name.  Sides are the walker's anatomical
sides.  The two dataclasses validate themselves on construction and raise
:class:`gaitlab.errors.InputError` with one sentence naming the bad value.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Literal

from gaitlab.errors import InputError

RGB = tuple[int, int, int]

SynthView = Literal["sagittal", "frontal"]
SynthWalking = Literal["left", "right", "toward", "away"]

MarkerSides = Literal["auto", "both", "left", "right"]
MARKER_SIDES: tuple[str, ...] = ("auto", "both", "left", "right")

#: The sticker colour of the lab: gaitlab's default fluorescent green
#: (``gaitlab.markers.DEFAULT_MARKER_COLOUR``).
DEFAULT_MARKER_RGB: tuple[int, int, int] = (60, 255, 40)

#: Walking directions each view allows (image direction, as in the analysis contract).
VIEW_DIRECTIONS: dict[str, tuple[str, ...]] = {
    "sagittal": ("left", "right"),
    "frontal": ("toward", "away"),
}


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and low <= value <= high):
        raise InputError(f"{name} must be between {low:g} and {high:g}; got {value!r}.")


def _check_rgb(name: str, value) -> None:
    if (
        not isinstance(value, tuple)
        or len(value) != 3
        or not all(isinstance(c, int) and 0 <= c <= 255 for c in value)
    ):
        raise InputError(f"{name} must be three whole numbers from 0 to 255; got {value!r}.")


@dataclass(frozen=True)
class GaitParams:
    """How the synthetic walker walks and looks.

    Timing and lengths
    ------------------
    speed_m_s : float
        Mean walking speed, metres per second.
    cadence_steps_per_min : float
        Steps per minute (both sides counted).  The mean step length follows as
        ``speed_m_s * 60 / cadence_steps_per_min``.
    step_length_ratio_right : float
        Right step length divided by left step length (1 = symmetric).  The right
        step ends with the right heel strike.
    stance_pct_left, stance_pct_right : float
        Stance phase as a share of the stride, percent.  A shorter stance on one
        side is the antalgic pattern (the walker hurries off the painful leg).
    step_width_m : float
        Lateral distance between the two feet's centre lines, metres.

    Joint motion
    ------------
    hip_flexion_amplitude_deg_left, hip_flexion_amplitude_deg_right : float
        Target range of the thigh against the vertical over a stride, degrees.  The
        stance part of the range follows from speed, timing and leg length (the
        planted foot fixes it); the swing part reaches this range when it is
        larger.  The truth document reports the range actually walked.
    knee_flexion_peak_deg : float
        Peak knee flexion in swing, degrees.
    knee_flexion_loading_deg : float
        Knee flexion at the end of loading response (early stance), degrees.
    trunk_lean_sagittal_deg : float
        Mean forward lean of the trunk, degrees (positive forward).
    trunk_lean_lateral_amplitude_deg : float
        Lateral trunk sway toward the stance leg, degrees (amplitude each way).
    lumbar_stiffness : float
        0 = a supple lumbar spine (the thorax counter-rotates against the pelvis
        and damps its tilt), 1 = a fused, stiff spine (the thorax moves with the
        pelvis, and the pelvis tilts more in the sagittal plane each stride).
    pelvic_drop_deg_left, pelvic_drop_deg_right : float
        Peak drop of that side's hip below the other during the OTHER leg's single
        support, degrees (``pelvic_drop_deg_right`` large = right hip drops while
        standing on the left leg = Trendelenburg sign of the left stance).
    pelvic_rotation_deg : float
        Transverse pelvic rotation amplitude each way, degrees.
    pelvic_tilt_amplitude_deg : float
        Sagittal pelvic tilt oscillation amplitude at zero lumbar stiffness,
        degrees; stiffness adds up to 3 degrees.
    arm_swing_deg : float
        Shoulder flexion-extension range of the arm swing, degrees (peak to peak).
    variability : float
        Stride-to-stride coefficient of variation of step times, step lengths and
        amplitudes (0.02 = 2 %).

    Body and clothing
    -----------------
    height_m : float
        Body height, metres.  Segment lengths follow standard proportions.
    girth_scale : float
        Scales limb and trunk thickness (1 = average build).
    shoulder_width_scale, hip_width_scale : float
        Scale the distance between the shoulders and between the hips.
    skin_rgb, hair_rgb, shirt_rgb, trousers_rgb, shoes_rgb, marker_rgb : (int, int, int)
        Colours, 0..255.
    markers : bool
        Put coloured ball stickers on the palpated ASIS and PSIS (the truth of a
        sagittal clip then includes ``pelvic_tilt``).  Each sticker is a ball
        resting on the skin over the bony point, so it looks round from every
        side from which the skin under it can be seen.
    marker_diameter_m : float
        Diameter of the stickers, metres (1 to 5 cm).
    marker_sides : {"auto", "both", "left", "right"}
        Which sides carry stickers.  ``"auto"`` does what ``docs/pelvic_markers.md``
        asks of therapists: in a side (sagittal) video only the side facing the
        camera, in a front or back video both sides.
    """

    speed_m_s: float = 1.2
    cadence_steps_per_min: float = 110.0
    step_length_ratio_right: float = 1.0
    stance_pct_left: float = 61.0
    stance_pct_right: float = 61.0
    step_width_m: float = 0.12
    hip_flexion_amplitude_deg_left: float = 40.0
    hip_flexion_amplitude_deg_right: float = 40.0
    knee_flexion_peak_deg: float = 60.0
    knee_flexion_loading_deg: float = 15.0
    trunk_lean_sagittal_deg: float = 3.0
    trunk_lean_lateral_amplitude_deg: float = 1.5
    lumbar_stiffness: float = 0.0
    pelvic_drop_deg_left: float = 4.0
    pelvic_drop_deg_right: float = 4.0
    pelvic_rotation_deg: float = 4.0
    pelvic_tilt_amplitude_deg: float = 1.5
    arm_swing_deg: float = 30.0
    variability: float = 0.02
    height_m: float = 1.70
    girth_scale: float = 1.0
    shoulder_width_scale: float = 1.0
    hip_width_scale: float = 1.0
    skin_rgb: RGB = (224, 172, 140)
    hair_rgb: RGB = (70, 48, 32)
    shirt_rgb: RGB = (40, 110, 190)
    trousers_rgb: RGB = (45, 45, 60)
    shoes_rgb: RGB = (235, 235, 230)
    marker_rgb: RGB = DEFAULT_MARKER_RGB
    markers: bool = False
    marker_diameter_m: float = 0.025
    marker_sides: MarkerSides = "auto"

    def __post_init__(self) -> None:
        _check_range("speed_m_s", self.speed_m_s, 0.2, 2.5)
        _check_range("cadence_steps_per_min", self.cadence_steps_per_min, 50.0, 160.0)
        _check_range("step_length_ratio_right", self.step_length_ratio_right, 0.6, 1.6)
        _check_range("stance_pct_left", self.stance_pct_left, 52.0, 75.0)
        _check_range("stance_pct_right", self.stance_pct_right, 52.0, 75.0)
        _check_range("step_width_m", self.step_width_m, 0.0, 0.4)
        _check_range("hip_flexion_amplitude_deg_left", self.hip_flexion_amplitude_deg_left, 10.0, 70.0)
        _check_range("hip_flexion_amplitude_deg_right", self.hip_flexion_amplitude_deg_right, 10.0, 70.0)
        _check_range("knee_flexion_peak_deg", self.knee_flexion_peak_deg, 20.0, 80.0)
        _check_range("knee_flexion_loading_deg", self.knee_flexion_loading_deg, 0.0, 30.0)
        _check_range("trunk_lean_sagittal_deg", self.trunk_lean_sagittal_deg, -15.0, 40.0)
        _check_range("trunk_lean_lateral_amplitude_deg", self.trunk_lean_lateral_amplitude_deg, 0.0, 15.0)
        _check_range("lumbar_stiffness", self.lumbar_stiffness, 0.0, 1.0)
        _check_range("pelvic_drop_deg_left", self.pelvic_drop_deg_left, 0.0, 15.0)
        _check_range("pelvic_drop_deg_right", self.pelvic_drop_deg_right, 0.0, 15.0)
        _check_range("pelvic_rotation_deg", self.pelvic_rotation_deg, 0.0, 15.0)
        _check_range("pelvic_tilt_amplitude_deg", self.pelvic_tilt_amplitude_deg, 0.0, 10.0)
        _check_range("arm_swing_deg", self.arm_swing_deg, 0.0, 90.0)
        _check_range("variability", self.variability, 0.0, 0.1)
        _check_range("height_m", self.height_m, 1.2, 2.2)
        _check_range("girth_scale", self.girth_scale, 0.7, 1.5)
        _check_range("shoulder_width_scale", self.shoulder_width_scale, 0.8, 1.25)
        _check_range("hip_width_scale", self.hip_width_scale, 0.8, 1.25)
        for name in ("skin_rgb", "hair_rgb", "shirt_rgb", "trousers_rgb", "shoes_rgb", "marker_rgb"):
            _check_rgb(name, getattr(self, name))
        _check_range("marker_diameter_m", self.marker_diameter_m, 0.01, 0.05)
        if self.marker_sides not in MARKER_SIDES:
            allowed = ", ".join(repr(m) for m in MARKER_SIDES)
            raise InputError(f"marker_sides must be one of {allowed}; got {self.marker_sides!r}.")
        step = self.mean_step_length_m
        if not (0.2 * self.height_m <= step <= 0.55 * self.height_m):
            raise InputError(
                f"Speed {self.speed_m_s:g} m/s at {self.cadence_steps_per_min:g} steps/min gives "
                f"a step of {step:.2f} m, which this body height cannot walk."
            )

    @property
    def stride_time_s(self) -> float:
        """Mean time of one stride (two steps), seconds."""
        return 120.0 / self.cadence_steps_per_min

    @property
    def mean_step_length_m(self) -> float:
        """Mean step length, metres."""
        return self.speed_m_s * 60.0 / self.cadence_steps_per_min

    @property
    def step_length_m_left(self) -> float:
        """Left step length (right heel strike to left heel strike), metres."""
        return 2.0 * self.mean_step_length_m / (1.0 + self.step_length_ratio_right)

    @property
    def step_length_m_right(self) -> float:
        """Right step length (left heel strike to right heel strike), metres."""
        return self.step_length_m_left * self.step_length_ratio_right

    def to_dict(self) -> dict:
        """The parameters as plain JSON values (colours as lists)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else v
        return out


def camera_side(camera: CameraSetup) -> str | None:
    """The walker's side that faces a sagittal camera ("right" when walking to the
    image right), or None for a frontal camera."""
    if camera.view != "sagittal":
        return None
    return "right" if camera.walking == "right" else "left"


def sticker_sides(params: GaitParams, camera: CameraSetup) -> tuple[str, ...]:
    """The sides that carry pelvic stickers in this clip (empty without stickers).

    ``marker_sides="auto"`` puts them on the side facing a sagittal camera and on
    both sides for a frontal camera.
    """
    if not params.markers:
        return ()
    if params.marker_sides == "both":
        return ("left", "right")
    if params.marker_sides in ("left", "right"):
        return (params.marker_sides,)
    side = camera_side(camera)
    return ("left", "right") if side is None else (side,)


@dataclass(frozen=True)
class CameraSetup:
    """A static pinhole camera filming the walkway.

    Attributes
    ----------
    view : {"sagittal", "frontal"}
        Beside the walkway, or in line with it.
    walking : {"left", "right", "toward", "away"}
        Image direction of walking: "left"/"right" for sagittal, "toward"/"away"
        for frontal.  Sagittal "right" puts the camera on the walker's right side.
    distance_m : float or None
        Sagittal: distance from the camera to the line of progression.  Frontal:
        the closest distance between the camera and the walker's pelvis during
        the clip.  None chooses the smallest distance that keeps the whole body
        in the frame for the whole clip (with a margin).
    height_m : float
        Height of the camera's optical centre above the floor, metres.
    yaw_deg : float
        Rotation of the camera around the walkway's centre, degrees: 0 is square
        to the walkway (sagittal) or on its line (frontal).
    horizontal_fov_deg : float
        Horizontal field of view, degrees.
    width, height : int
        Frame size in pixels.
    fps : float
        Frames per second (30 or 60 are usual).
    light_azimuth_deg, light_elevation_deg : float
        Direction the key light comes from, relative to the camera (0 azimuth =
        from behind the camera), degrees.
    ambient : float
        Share of light that is ambient (0..1).
    """

    view: SynthView = "sagittal"
    walking: SynthWalking = "right"
    distance_m: float | None = None
    height_m: float = 1.0
    yaw_deg: float = 0.0
    horizontal_fov_deg: float = 65.0
    width: int = 1280
    height: int = 720
    fps: float = 30.0
    light_azimuth_deg: float = 30.0
    light_elevation_deg: float = 45.0
    ambient: float = 0.45

    def __post_init__(self) -> None:
        if self.view not in VIEW_DIRECTIONS:
            raise InputError(f"The camera view must be 'sagittal' or 'frontal'; got {self.view!r}.")
        if self.walking not in VIEW_DIRECTIONS[self.view]:
            allowed = " or ".join(repr(d) for d in VIEW_DIRECTIONS[self.view])
            raise InputError(
                f"A {self.view} camera films walking {allowed}; got {self.walking!r}."
            )
        if self.distance_m is not None:
            _check_range("distance_m", self.distance_m, 0.5, 40.0)
        _check_range("camera height_m", self.height_m, 0.2, 3.0)
        _check_range("yaw_deg", self.yaw_deg, -45.0, 45.0)
        _check_range("horizontal_fov_deg", self.horizontal_fov_deg, 10.0, 120.0)
        for name in ("width", "height"):
            v = getattr(self, name)
            if not (isinstance(v, int) and 64 <= v <= 4096 and v % 2 == 0):
                raise InputError(f"The frame {name} must be an even number of pixels from 64 to 4096; got {v!r}.")
        _check_range("fps", self.fps, 5.0, 240.0)
        _check_range("light_azimuth_deg", self.light_azimuth_deg, -180.0, 180.0)
        _check_range("light_elevation_deg", self.light_elevation_deg, 5.0, 90.0)
        _check_range("ambient", self.ambient, 0.0, 1.0)

    @property
    def focal_px(self) -> float:
        """Focal length in pixels (square pixels)."""
        return 0.5 * self.width / math.tan(math.radians(self.horizontal_fov_deg) / 2.0)

    def to_dict(self) -> dict:
        """The camera set-up as plain JSON values."""
        return asdict(self)
