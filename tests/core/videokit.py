"""Small videos made in the tests, with known content and timing."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def write_test_video(
    path: Path,
    *,
    n_frames: int = 12,
    width: int = 64,
    height: int = 48,
    fps: int = 30,
    times_s: list[float] | None = None,
    rotation_ccw_deg: int = 0,
    codec: str = "libx264",
    gop: int | None = None,
) -> Path:
    """An MP4 whose frame i is grey level 10*i with a white square at the top-left.

    ``times_s`` gives each frame's presentation time (variable frame rate);
    ``rotation_ccw_deg`` writes a display-matrix rotation like a phone does;
    ``gop`` puts a key frame every that many frames.
    """
    container = av.open(str(path), mode="w")
    stream = container.add_stream(codec, rate=fps)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    time_base = Fraction(1, 90000)
    stream.time_base = time_base
    stream.codec_context.time_base = time_base
    stream.codec_context.options = {"bf": "0", **({"g": str(gop), "keyint_min": str(gop)} if gop else {})}
    if rotation_ccw_deg:
        stream.set_display_rotation(rotation_ccw_deg)
    if n_frames == 0:
        container.start_encoding()  # header only: a valid file with a video stream and no frames
    for i in range(n_frames):
        img = np.full((height, width, 3), min(250, 10 * i), np.uint8)
        img[2:10, 2:14] = 255  # marks the upright top-left corner
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        t = times_s[i] if times_s is not None else i / fps
        frame.pts = int(round(t / time_base))
        frame.time_base = time_base
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return path
