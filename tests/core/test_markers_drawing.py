"""Drawn scenes with pelvic stickers at known sub-pixel positions (and tests of the drawing).

The sticker tests import the helpers from here: a skin-and-clothes body on a wall,
discs drawn with exact area coverage (supersampled 16 x 16 per pixel, so an edge
pixel that is 30 % sticker gets 30 % of the sticker colour), an occluding arm,
and a pose whose hips and body length match the drawing.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from gaitlab.landmarks import INDEX, N_LANDMARKS
from gaitlab.types import PoseSequence

GREEN = (60, 255, 40)
SKIN = (224, 172, 140)
SHIRT = (40, 110, 190)
TROUSERS = (45, 45, 60)
WALL = (205, 200, 190)
ARM = (214, 160, 128)


def draw_disc(img: np.ndarray, centre_xy, radius_px: float, rgb, *, ss: int = 16) -> None:
    """Paint a disc with exact coverage anti-aliasing.

    Pixel column c covers x in [c, c + 1) (centre c + 0.5), like gaitlab's image
    coordinates and the pose model's landmarks.
    """
    cx, cy = float(centre_xy[0]), float(centre_xy[1])
    x0, x1 = int(math.floor(cx - radius_px - 1)), int(math.ceil(cx + radius_px))
    y0, y1 = int(math.floor(cy - radius_px - 1)), int(math.ceil(cy + radius_px))
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, img.shape[1] - 1), min(y1, img.shape[0] - 1)
    if x1 < x0 or y1 < y0:
        return
    offs = (np.arange(ss) + 0.5) / ss
    xs = np.arange(x0, x1 + 1)[:, None] + offs[None, :]  # (W, ss)
    ys = np.arange(y0, y1 + 1)[:, None] + offs[None, :]  # (H, ss)
    inside = ((xs[None, :, None, :] - cx) ** 2 + (ys[:, None, :, None] - cy) ** 2) <= radius_px**2
    cov = inside.mean(axis=(2, 3))[..., None]
    patch = img[y0 : y1 + 1, x0 : x1 + 1].astype(np.float64)
    img[y0 : y1 + 1, x0 : x1 + 1] = np.round(patch * (1 - cov) + np.asarray(rgb, float) * cov).astype(
        np.uint8
    )


def body_image(width: int, height: int, hip_xy, body_length_px: float, *, seed: int = 0) -> np.ndarray:
    """A wall with a walker's trunk (skin at the waist, shirt above, trousers below)."""
    rng = np.random.default_rng(seed)
    img = np.empty((height, width, 3), np.uint8)
    img[:] = WALL
    hx, hy = hip_xy
    half_w = 0.16 * body_length_px
    x0, x1 = int(hx - half_w), int(hx + half_w)
    top = int(hy - 0.45 * body_length_px)
    waist_top, waist_bottom = int(hy - 0.2 * body_length_px), int(hy + 0.02 * body_length_px)
    img[max(top, 0) : max(waist_top, 0), max(x0, 0) : max(x1, 0)] = SHIRT
    img[max(waist_top, 0) : max(waist_bottom, 0), max(x0, 0) : max(x1, 0)] = SKIN
    img[max(waist_bottom, 0) : height, max(x0, 0) : max(x1, 0)] = TROUSERS
    noise = rng.normal(0.0, 2.0, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def pose_for(time_s, hip_xy, body_length_px: float, *, size=(640, 360), fps: float = 30.0) -> PoseSequence:
    """A pose whose hip midpoint and body length are the given ones (upright walker)."""
    hip_xy = np.asarray(hip_xy, float)
    n = hip_xy.shape[0]
    px = np.full((n, N_LANDMARKS, 2), np.nan)
    L = body_length_px
    px[:] = hip_xy[:, None, :] + np.array([0.0, -0.45 * L])  # face and arms somewhere above
    for side, dx in (("left", -2.0), ("right", 2.0)):
        px[:, INDEX[f"{side}_hip"]] = hip_xy + [dx, 0.0]
        px[:, INDEX[f"{side}_shoulder"]] = hip_xy + [dx, -0.4 * L]
        px[:, INDEX[f"{side}_knee"]] = hip_xy + [dx, 0.3 * L]
        px[:, INDEX[f"{side}_ankle"]] = hip_xy + [dx, 0.6 * L]
    return PoseSequence.create(time_s, px, image_size_px=size, fps=fps)


def tilt_positions(hip_xy, tilt_deg, direction: str, distance_px: float):
    """ASIS and PSIS centres for a pelvis of given tilt (anterior positive).

    The PSIS sits behind and above the hip midpoint, the ASIS ``distance_px``
    away along the pelvic line, in front (walking direction) and lower for a
    positive tilt.
    """
    f = 1.0 if direction == "right" else -1.0
    hip_xy = np.asarray(hip_xy, float)
    th = np.radians(np.asarray(tilt_deg, float))
    psis = hip_xy + np.stack([np.full_like(th, -f * 0.45 * distance_px), np.full_like(th, -0.35 * distance_px)], -1)
    asis = psis + distance_px * np.stack([f * np.cos(th), np.sin(th)], -1)
    return asis, psis


def write_video(path: Path, frames, *, fps: int = 30, crf: int = 18, gop: int | None = None) -> Path:
    """Encode RGB frames as H.264 (yuv420p, like a phone) with exact timestamps.

    ``gop`` puts a key frame every that many frames (x264's default otherwise).
    """
    container = av.open(str(path), mode="w")
    stream = container.add_stream("libx264", rate=fps)
    h, w = frames[0].shape[:2]
    stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
    tb = Fraction(1, 90000)
    stream.time_base = tb
    stream.codec_context.time_base = tb
    stream.codec_context.options = {"bf": "0", "crf": str(crf), **({"g": str(gop), "keyint_min": str(gop)} if gop else {})}
    for i, img in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")
        frame.pts = int(round(i / fps / tb))
        frame.time_base = tb
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path


def sagittal_clip(
    direction: str = "right",
    *,
    n: int = 60,
    fps: float = 30.0,
    size=(640, 360),
    body_length_px: float = 260.0,
    radius_px: float = 4.0,
    arm: bool = True,
    arm_frames: tuple[int, int] = (20, 40),
    arm_half_width_share: float = 0.025,
    seed: int = 0,
) -> dict:
    """Frames of a walker seen from the side with ASIS and PSIS stickers.

    The pelvis tilts 10 ± 4 degrees (anterior) at 0.9 Hz while the body crosses
    the frame; an arm (a skin-coloured band ``2 * arm_half_width_share`` body
    lengths wide) sweeps forward over both stickers during ``arm_frames`` when
    ``arm`` is set.  Returns the frames, times, pose and
    the exact sticker centres, tilt and arm cover (True where any part of the
    sticker is hidden).
    """
    w, h = size
    L = body_length_px
    f = 1.0 if direction == "right" else -1.0
    t = np.arange(n) / fps
    x = w / 2 + f * np.linspace(-0.3 * w, 0.3 * w, n)
    y = 0.56 * h + 3.0 * np.sin(2 * np.pi * 1.8 * t)
    hip = np.stack([x, y], -1)
    tilt = 10.0 + 4.0 * np.sin(2 * np.pi * 0.9 * t + 0.3)
    asis, psis = tilt_positions(hip, tilt, direction, 0.15 * L)
    arm_half_w = arm_half_width_share * L
    arm_x = np.full(n, np.nan)
    if arm:
        k = np.arange(arm_frames[0], arm_frames[1] + 1)
        arm_x[k] = hip[k, 0] + f * np.linspace(-0.25 * L, 0.25 * L, k.size)
    frames = []
    for i in range(n):
        img = body_image(w, h, hip[i], L, seed=seed + i)
        draw_disc(img, asis[i], radius_px, GREEN)
        draw_disc(img, psis[i], radius_px, GREEN)
        if np.isfinite(arm_x[i]):
            a0, a1 = int(round(arm_x[i] - arm_half_w)), int(round(arm_x[i] + arm_half_w))
            img[int(y[i] - 0.3 * L) : int(y[i] + 0.15 * L), max(a0, 0) : max(a1, 0)] = ARM
        frames.append(img)
    cover = {}
    for name, p in (("asis", asis), ("psis", psis)):
        with np.errstate(invalid="ignore"):
            cover[name] = np.abs(arm_x - p[:, 0]) < arm_half_w + radius_px + 1.0
    pose = pose_for(t, hip, L, size=size, fps=fps)
    return {"frames": frames, "time_s": t, "pose": pose, "asis": asis, "psis": psis,
            "tilt": tilt, "cover": cover, "hip": hip}


# -- tests of the drawing itself ---------------------------------------------------


def test_drawn_disc_has_the_area_and_centre_asked_for():
    img = np.zeros((40, 40, 3), np.uint8)
    draw_disc(img, (17.3, 21.65), 5.2, (255, 255, 255))
    w = img[..., 0].astype(float) / 255.0
    assert math.isclose(w.sum(), math.pi * 5.2**2, rel_tol=0.01)
    rows, cols = np.indices(w.shape) + 0.5  # pixel centres
    assert abs((w * cols).sum() / w.sum() - 17.3) < 0.02
    assert abs((w * rows).sum() / w.sum() - 21.65) < 0.02


def test_tilt_positions_follow_the_sign_convention():
    asis, psis = tilt_positions([[100.0, 100.0]], [10.0], "right", 50.0)
    assert asis[0, 0] > psis[0, 0] and asis[0, 1] > psis[0, 1]  # in front and lower (y down)
    asis, psis = tilt_positions([[100.0, 100.0]], [10.0], "left", 50.0)
    assert asis[0, 0] < psis[0, 0] and asis[0, 1] > psis[0, 1]
