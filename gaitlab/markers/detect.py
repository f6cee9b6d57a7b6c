"""Detection of coloured round skin stickers near the pelvis.

Physical therapists put small coloured stickers on palpated bony landmarks of the
pelvis (ASIS, PSIS) before filming.  This module finds them in one frame:

1. Only a search window around the pose model's hip landmarks is looked at; its
   size follows the apparent body length, so the search scales with the camera
   distance and stays cheap.
2. Pixels of the sticker colour are segmented in HSV (hue near the sticker's hue,
   saturated, not dark).
3. Connected blobs are kept when their size fits a sticker at this body scale and
   their shape is a whole filled disc or ellipse (a sticker seen at an angle); a
   lopsided blob is a sticker partly hidden, whose centroid would be off.
4. The centre is found to a fraction of a pixel: every pixel in and around the
   blob gets its sticker share ``alpha`` (its colour projected on the line from
   the local background colour to the sticker colour), and the centre is the
   alpha-weighted centroid.  Edge pixels that are half sticker count half, so the
   centre follows the true edge, not the pixel grid.

Coordinates are image pixels of the upright frame, x to the right, y **down**, in
the same continuous convention as the pose landmarks (normalised model output
times the frame size): pixel (row r, column c) covers x in [c, c + 1) and its
centre is (x = c + 0.5, y = r + 0.5).
"""

from __future__ import annotations

import colorsys
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from gaitlab.errors import InputError
from gaitlab.landmarks import (
    LEFT_ANKLE,
    LEFT_HIP,
    LEFT_SHOULDER,
    RIGHT_ANKLE,
    RIGHT_HIP,
    RIGHT_SHOULDER,
)
from gaitlab.types import PoseSequence

RGB = tuple[int, int, int]

#: Half width and half height of the search window around the hip midpoint, as a
#: share of the apparent body length (shoulders to hips to ankles, about 0.77 of
#: the body height).  ASIS and PSIS lie within about 0.12 body lengths of the hip
#: midpoint; the rest is room for the pose model's error at the hips.
SEARCH_HALF_SIZE_SHARE = 0.25

#: Smallest and largest sticker radius accepted, as a share of the body length
#: (about 0.5 cm to 4 cm on an adult), and never below this many pixels.
MIN_RADIUS_SHARE = 0.004
MAX_RADIUS_SHARE = 0.03
MIN_RADIUS_PX = 1.0

#: A blob is a sticker when its second moments describe a filled ellipse: the
#: ratio of its axes is at most this ...
MAX_ELONGATION = 3.0
#: ... and its area is this close to the area of the ellipse with those moments
#: (blur and compression spread a sticker a few pixels wide, and shading darkens
#: one side of a ball sticker, which lowers the ratio of small ones to about 0.6).
FILL_RATIO_RANGE = (0.55, 1.3)
#: A disc or ellipse is point-symmetric; a sticker partly hidden by an arm is
#: not, and its centroid lies off the true centre.  The blob's normalised third
#: moments may reach ``MAX_ASYMMETRY`` plus ``ASYMMETRY_PIXEL_ALLOWANCE / r**2``
#: (small stickers look lopsided on the pixel grid and after compression alone,
#: a shaded ball sticker more so).  A blob more elongated than
#: ``ROUND_ELONGATION`` gets only ``ELONGATED_ASYMMETRY_ALLOWANCE / r**2``: a
#: whole sticker seen at an angle is still symmetric, while a small round
#: sticker cut by an edge turns long and lopsided at once.
MAX_ASYMMETRY = 0.45
ASYMMETRY_PIXEL_ALLOWANCE = 1.0
ROUND_ELONGATION = 2.0
ELONGATED_ASYMMETRY_ALLOWANCE = 0.5


@dataclass(frozen=True)
class MarkerColour:
    """The colour of the pelvic stickers and how far a pixel may stray from it.

    Attributes
    ----------
    name : str
        Preset name or ``"#rrggbb"``.
    rgb : (int, int, int)
        The sticker colour under even light, 0..255.
    hue_tolerance_deg : float
        Largest hue difference, degrees, of a sticker pixel from ``rgb``'s hue.
    min_saturation : float
        Smallest HSV saturation (0..1) of a sticker pixel.
    min_value : float
        Smallest HSV value (brightness, 0..1) of a sticker pixel.
    """

    name: str
    rgb: RGB
    hue_tolerance_deg: float = 24.0
    min_saturation: float = 0.4
    min_value: float = 0.2

    def __post_init__(self) -> None:
        if not (
            isinstance(self.rgb, tuple)
            and len(self.rgb) == 3
            and all(isinstance(c, (int, np.integer)) and 0 <= c <= 255 for c in self.rgb)
        ):
            raise InputError(f"A sticker colour is three whole numbers from 0 to 255; got {self.rgb!r}.")
        if not (0.0 < self.hue_tolerance_deg <= 60.0):
            raise InputError("The sticker hue tolerance must be between 0 and 60 degrees.")
        if not (0.0 <= self.min_saturation < 1.0 and 0.0 <= self.min_value < 1.0):
            raise InputError("The sticker saturation and brightness limits must lie between 0 and 1.")
        if self.saturation < 0.5 or self.value < 0.4:
            raise InputError(
                f"The sticker colour {self.name} is too pale or dark to tell from skin and "
                "clothes; choose a saturated colour such as fluorescent green."
            )

    @property
    def hue_deg(self) -> float:
        """Hue of ``rgb`` in degrees, 0..360."""
        return 360.0 * colorsys.rgb_to_hsv(*(c / 255.0 for c in self.rgb))[0]

    @property
    def saturation(self) -> float:
        """HSV saturation of ``rgb``, 0..1."""
        return colorsys.rgb_to_hsv(*(c / 255.0 for c in self.rgb))[1]

    @property
    def value(self) -> float:
        """HSV value (brightness) of ``rgb``, 0..1."""
        return colorsys.rgb_to_hsv(*(c / 255.0 for c in self.rgb))[2]


#: Sticker colours offered in the settings.  Fluorescent green is the default:
#: it is far in hue from every skin tone and rare on clinic clothes and walls.
MARKER_COLOURS: dict[str, MarkerColour] = {
    "green": MarkerColour("green", (60, 255, 40)),
    "magenta": MarkerColour("magenta", (250, 60, 200)),
    "blue": MarkerColour("blue", (20, 90, 255)),
}
DEFAULT_MARKER_COLOUR = "green"

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def parse_marker_colour(colour: str | Sequence[int] | MarkerColour) -> MarkerColour:
    """The sticker colour from a preset name, ``"#rrggbb"`` or an (r, g, b) triple.

    Raises
    ------
    InputError
        For an unknown name, a malformed value or a colour too pale to segment.
    """
    if isinstance(colour, MarkerColour):
        return colour
    if isinstance(colour, str):
        key = colour.strip().lower()
        if key in MARKER_COLOURS:
            return MARKER_COLOURS[key]
        m = _HEX.match(key)
        if m is None:
            names = ", ".join(sorted(MARKER_COLOURS))
            raise InputError(
                f"Unknown sticker colour {colour!r}; use one of {names} or a '#rrggbb' value."
            )
        h = m.group(1)
        rgb = (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
        return MarkerColour(f"#{h.lower()}", rgb)
    try:
        values = tuple(int(c) for c in colour)
    except (TypeError, ValueError):
        raise InputError(f"A sticker colour is a name, '#rrggbb' or three numbers; got {colour!r}.") from None
    if len(values) != 3:
        raise InputError(f"A sticker colour has three components; got {len(values)}.")
    rgb = (values[0], values[1], values[2])
    return MarkerColour("#{:02x}{:02x}{:02x}".format(*[max(0, min(255, v)) for v in rgb]), rgb)


@dataclass(frozen=True)
class MarkerCandidate:
    """A sticker-like blob in one frame.

    Attributes
    ----------
    x_px, y_px : float
        Sub-pixel centre in image pixels (y down).
    area_px : float
        Sticker-weighted area in square pixels (edge pixels count by their share).
    elongation : float
        Ratio of the long to the short axis of the blob's moment ellipse (1 = round).
    fill_ratio : float
        Area divided by the area of the ellipse with the blob's second moments
        (1 for a filled disc or ellipse).
    asymmetry : float
        Normalised third moments of the blob (0 for a whole disc or ellipse; about
        0.1 for a disc with 3 % of its area cut off by an edge, 0.35 with 20 %).
    """

    x_px: float
    y_px: float
    area_px: float
    elongation: float
    fill_ratio: float
    asymmetry: float = 0.0

    @property
    def radius_px(self) -> float:
        """Radius of the disc with the same area, pixels."""
        return math.sqrt(self.area_px / math.pi)


def body_length_px(image_px: np.ndarray) -> np.ndarray:
    """(T,) apparent body length in pixels: shoulders to hips to ankles.

    Trunk (shoulder midpoint to hip midpoint) plus the mean hip-to-ankle distance
    of the two legs; about 0.77 of the body height on an adult.  NaN where a
    needed landmark is missing.
    """
    px = np.asarray(image_px, dtype=np.float64)
    hip = 0.5 * (px[:, LEFT_HIP] + px[:, RIGHT_HIP])
    shoulder = 0.5 * (px[:, LEFT_SHOULDER] + px[:, RIGHT_SHOULDER])
    leg_l = np.linalg.norm(px[:, LEFT_ANKLE] - px[:, LEFT_HIP], axis=1)
    leg_r = np.linalg.norm(px[:, RIGHT_ANKLE] - px[:, RIGHT_HIP], axis=1)
    return np.linalg.norm(shoulder - hip, axis=1) + 0.5 * (leg_l + leg_r)


def smooth_body_length_px(image_px: np.ndarray, window: int = 15) -> np.ndarray:
    """(T,) body length in pixels, median over ``window`` frames (NaN-aware).

    The body length changes slowly (only with the camera distance), while the
    pose model's landmarks jitter from frame to frame; the running median keeps
    the search window and the size limits steady.
    """
    raw = body_length_px(image_px)
    n = raw.shape[0]
    out = np.full(n, np.nan)
    half = max(0, int(window) // 2)
    for i in range(n):
        seg = raw[max(0, i - half) : i + half + 1]
        seg = seg[np.isfinite(seg)]
        if seg.size and np.isfinite(raw[i]):
            out[i] = float(np.median(seg))
    return out


def hip_midpoint_px(image_px: np.ndarray) -> np.ndarray:
    """(T, 2) midpoint of the pose model's two hip landmarks, pixels (NaN if missing)."""
    px = np.asarray(image_px, dtype=np.float64)
    return 0.5 * (px[:, LEFT_HIP] + px[:, RIGHT_HIP])


def search_windows_px(pose: PoseSequence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where to look for the pelvic stickers in every analysed frame.

    Returns
    -------
    centre_px : (T, 2) float
        Hip midpoint, pixels (NaN where the hips were not detected).
    body_length_px : (T,) float
        Smoothed apparent body length, pixels (the scale of every size limit).
    window_px : (T, 4) float
        ``x0, y0, x1, y1`` of the square search window, pixels, clipped to the
        frame; NaN where the pose gives no hips or no body length.
    """
    centre = hip_midpoint_px(pose.image_px)
    length = smooth_body_length_px(pose.image_px)
    half = SEARCH_HALF_SIZE_SHARE * length
    width, height = pose.image_size_px
    win = np.stack(
        [
            np.clip(centre[:, 0] - half, 0, width),
            np.clip(centre[:, 1] - half, 0, height),
            np.clip(centre[:, 0] + half, 0, width),
            np.clip(centre[:, 1] + half, 0, height),
        ],
        axis=1,
    )
    bad = ~(np.isfinite(win).all(axis=1)) | (win[:, 2] - win[:, 0] < 2) | (win[:, 3] - win[:, 1] < 2)
    win[bad] = np.nan
    return centre, length, win


def colour_mask(image_rgb: np.ndarray, colour: MarkerColour) -> np.ndarray:
    """Boolean mask (H, W) of pixels whose colour is the sticker colour.

    A pixel qualifies when its hue is within ``colour.hue_tolerance_deg`` of the
    sticker hue and its saturation and value reach the colour's minimums.
    """
    hsv = cv2.cvtColor(np.ascontiguousarray(image_rgb), cv2.COLOR_RGB2HSV)
    hue_deg = hsv[..., 0].astype(np.float32) * 2.0
    diff = np.abs(hue_deg - np.float32(colour.hue_deg))
    diff = np.minimum(diff, 360.0 - diff)
    return (
        (diff <= colour.hue_tolerance_deg)
        & (hsv[..., 1] >= colour.min_saturation * 255.0)
        & (hsv[..., 2] >= colour.min_value * 255.0)
    )


_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))


def _refine_blob(
    crop: np.ndarray, blob: np.ndarray, any_sticker: np.ndarray
) -> tuple[float, float, float, float, float, float] | None:
    """Sub-pixel centre (x, y), weighted area, elongation, fill ratio and asymmetry of one blob.

    ``crop`` is the RGB region around the blob, ``blob`` its mask, ``any_sticker``
    the sticker-colour mask of the region (kept out of the background estimate).
    """
    rgb = crop.astype(np.float64)
    blob_u8 = blob.astype(np.uint8)
    band = cv2.dilate(blob_u8, _KERNEL, iterations=1).astype(bool)
    ring = cv2.dilate(blob_u8, _KERNEL, iterations=3).astype(bool) & ~cv2.dilate(
        blob_u8, _KERNEL, iterations=2
    ).astype(bool)
    ring &= ~any_sticker
    alpha = blob.astype(np.float64)
    if ring.sum() >= 4:
        # each pixel's background is the colour of the nearest ring pixel, so a
        # sticker across a waistband or a shadow edge keeps its true centre
        # imported here: most videos carry no stickers, and the import costs more
        # processor time than the analysis of a whole clip
        from scipy.ndimage import distance_transform_edt

        _, nearest = distance_transform_edt(~ring, return_indices=True)
        background = rgb[nearest[0], nearest[1]]
        # the sticker colour: the median of the blob's core (its edge pixels are mixed),
        # or of its most distinct pixels when the blob is too small to have a core
        core = cv2.erode(blob_u8, _KERNEL, iterations=1).astype(bool)
        if core.sum() >= 3:
            sticker = np.median(rgb[core], axis=0)
        else:
            inside = np.flatnonzero(blob.ravel())
            diff = (rgb - background).reshape(-1, 3)[inside]
            strength = np.einsum("ij,ij->i", diff, diff)
            top = inside[np.argsort(strength)[-max(1, inside.size // 4) :]]
            sticker = rgb.reshape(-1, 3)[top].mean(axis=0)
        span = sticker - background
        norm2 = np.einsum("ijk,ijk->ij", span, span)
        if float(np.min(norm2[band])) > 900.0:  # sticker and background differ by 30 levels
            share = np.einsum("ijk,ijk->ij", rgb - background, span) / norm2
            alpha = np.where(band, np.clip(share, 0.0, 1.0), 0.0)
    total = float(alpha.sum())
    if total <= 0.0:
        return None
    rows, cols = np.indices(alpha.shape, dtype=np.float64)
    cx = float((alpha * cols).sum() / total)
    cy = float((alpha * rows).sum() / total)
    dx, dy = cols - cx, rows - cy
    cxx = float((alpha * dx * dx).sum() / total)
    cyy = float((alpha * dy * dy).sum() / total)
    cxy = float((alpha * dx * dy).sum() / total)
    # pixels are squares: remove their own variance (1/12) before judging the shape
    cxx, cyy = max(cxx - 1.0 / 12.0, 1e-6), max(cyy - 1.0 / 12.0, 1e-6)
    tr, det = cxx + cyy, cxx * cyy - cxy * cxy
    disc = math.sqrt(max(tr * tr / 4.0 - det, 0.0))
    lam_max, lam_min = tr / 2.0 + disc, max(tr / 2.0 - disc, 1e-9)
    elongation = math.sqrt(lam_max / lam_min)
    fill = total / (4.0 * math.pi * math.sqrt(lam_max * lam_min))
    m30 = float((alpha * dx**3).sum() / total)
    m21 = float((alpha * dx * dx * dy).sum() / total)
    m12 = float((alpha * dx * dy * dy).sum() / total)
    m03 = float((alpha * dy**3).sum() / total)
    asymmetry = math.sqrt(m30**2 + 3 * m21**2 + 3 * m12**2 + m03**2) / (tr / 2.0) ** 1.5
    return cx, cy, total, elongation, fill, asymmetry


def detect_marker_candidates(
    image_rgb: np.ndarray,
    window_px: Sequence[float],
    colour: MarkerColour,
    *,
    min_radius_px: float,
    max_radius_px: float,
) -> tuple[MarkerCandidate, ...]:
    """Sticker-like blobs of ``colour`` inside a window of one frame.

    Parameters
    ----------
    image_rgb : (H, W, 3) uint8
        The upright RGB frame.
    window_px : (x0, y0, x1, y1)
        Search window in pixels; NaN values mean "nothing to search".
    colour : MarkerColour
        The sticker colour.
    min_radius_px, max_radius_px : float
        Radius range of a sticker at this body scale, pixels.

    Returns
    -------
    tuple of MarkerCandidate
        Blobs of sticker size whose shape is a filled disc or ellipse, with
        sub-pixel centres in full-frame pixels, largest first.  Blobs that touch
        the window's edge are left out (they may be cut).
    """
    image = np.asarray(image_rgb)
    if image.ndim != 3 or image.shape[2] != 3:
        raise InputError("A frame for sticker detection must be an RGB image (height, width, 3).")
    w = np.asarray(window_px, dtype=np.float64)
    if w.shape != (4,) or not np.all(np.isfinite(w)):
        return ()
    h_img, w_img = image.shape[:2]
    x0, y0 = max(0, int(math.floor(w[0]))), max(0, int(math.floor(w[1])))
    x1, y1 = min(w_img, int(math.ceil(w[2]))), min(h_img, int(math.ceil(w[3])))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return ()
    crop = image[y0:y1, x0:x1]
    mask = colour_mask(crop, colour)
    if not mask.any():
        return ()
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    min_area = 0.5 * math.pi * min_radius_px**2
    max_area = 1.6 * math.pi * max_radius_px**2
    found: list[MarkerCandidate] = []
    for k in range(1, n):
        bx, by, bw, bh, area = (int(v) for v in stats[k])
        if not (min_area <= area <= max_area):
            continue
        if bx == 0 or by == 0 or bx + bw >= crop.shape[1] or by + bh >= crop.shape[0]:
            continue
        pad = 4
        rx0, ry0 = max(0, bx - pad), max(0, by - pad)
        rx1, ry1 = min(crop.shape[1], bx + bw + pad), min(crop.shape[0], by + bh + pad)
        blob = labels[ry0:ry1, rx0:rx1] == k
        refined = _refine_blob(crop[ry0:ry1, rx0:rx1], blob, mask[ry0:ry1, rx0:rx1])
        if refined is None:
            continue
        cx, cy, weighted_area, elongation, fill, asymmetry = refined
        radius = math.sqrt(weighted_area / math.pi)
        if not (0.7 * min_radius_px <= radius <= max_radius_px):
            continue
        if elongation > MAX_ELONGATION or not (FILL_RATIO_RANGE[0] <= fill <= FILL_RATIO_RANGE[1]):
            continue
        allowance = ASYMMETRY_PIXEL_ALLOWANCE if elongation <= ROUND_ELONGATION else ELONGATED_ASYMMETRY_ALLOWANCE
        if asymmetry > MAX_ASYMMETRY + allowance / radius**2:
            continue
        found.append(
            MarkerCandidate(
                x_px=cx + rx0 + x0 + 0.5,
                y_px=cy + ry0 + y0 + 0.5,
                area_px=weighted_area,
                elongation=elongation,
                fill_ratio=fill,
                asymmetry=asymmetry,
            )
        )
    found.sort(key=lambda c: -c.area_px)
    return tuple(found)


def sticker_radius_limits_px(body_length: float) -> tuple[float, float]:
    """(min, max) sticker radius in pixels for a body length in pixels."""
    return (
        max(MIN_RADIUS_PX, MIN_RADIUS_SHARE * body_length),
        max(MIN_RADIUS_PX + 1.0, MAX_RADIUS_SHARE * body_length),
    )
