"""Still images: crops and PNG files."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from gaitlab.io.files import write_bytes_atomic


def crop_with_margin(image: np.ndarray, bbox_px, margin: float = 0.15) -> np.ndarray:
    """Crop ``image`` to ``bbox_px`` (x0, y0, x1, y1) grown by ``margin`` of its size."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = bbox_px
    mx, my = (x1 - x0) * margin, (y1 - y0) * margin
    xa, xb = int(max(0, np.floor(x0 - mx))), int(min(w, np.ceil(x1 + mx)))
    ya, yb = int(max(0, np.floor(y0 - my))), int(min(h, np.ceil(y1 + my)))
    if xb <= xa or yb <= ya:
        return image
    return image[ya:yb, xa:xb]


def write_png(path: str | os.PathLike, rgb: np.ndarray) -> Path:
    """Write an RGB image as PNG, atomically."""
    ok, buf = cv2.imencode(".png", cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError("The image could not be encoded as PNG.")
    return write_bytes_atomic(path, buf.tobytes())
