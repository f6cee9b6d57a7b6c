"""The pose as an OpenSim marker file (``.trc``) for researchers.

Markers are the pose model's 33 world landmarks (``PoseSequence.world_m``).  The
pose model gives them hip-centred (the hip midpoint is the origin of every frame,
so the walker does not travel) with x to the image right, y down and z away from
the camera.  OpenSim expects y up, so the file holds ``X = x``, ``Y = -y``,
``Z = -z`` (a 180-degree turn about x, which keeps the axes right-handed), in
millimetres by default.  A landmark that was not detected is an empty cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gaitlab.errors import InputError
from gaitlab.landmarks import LANDMARK_NAMES, N_LANDMARKS
from gaitlab.types import PoseSequence

#: Factor from metres to each unit gaitlab writes.
UNIT_SCALE = {"mm": 1000.0, "m": 1.0}
#: Turn from the pose model's world axes (y down, z away) to OpenSim's (y up).
AXIS_SIGNS = np.array([1.0, -1.0, -1.0])


@dataclass(frozen=True)
class TrcData:
    """The content of a ``.trc`` file.

    Attributes
    ----------
    data_rate_hz : float
    units : {"mm", "m"}
    marker_names : tuple of str
    frame_numbers : (T,) int
        1-based, as OpenSim counts.
    time_s : (T,) float
    markers : (T, M, 3) float
        Positions in ``units`` in OpenSim's axes; NaN where a marker is missing.
    """

    data_rate_hz: float
    units: str
    marker_names: tuple[str, ...]
    frame_numbers: np.ndarray
    time_s: np.ndarray
    markers: np.ndarray


def _cell(x: float) -> str:
    return "" if not math.isfinite(x) else f"{x:.6f}"


def format_trc(pose: PoseSequence, *, units: str = "mm", file_name: str = "gaitlab.trc") -> str:
    """The world landmarks of ``pose`` as the text of an OpenSim ``.trc`` file.

    Parameters
    ----------
    pose : PoseSequence
        Its ``world_m`` are written (metres in the pose model's axes).
    units : {"mm", "m"}
        Unit of the written coordinates.
    file_name : str
        Written into the first header line (OpenSim shows it; no path).

    Returns
    -------
    str
        Tab-separated: the header lines ``PathFileType``, ``DataRate … OrigNumFrames``
        and their values, the marker-name line and the ``X1 Y1 Z1 …`` line, then one
        line per frame (``Frame#``, ``Time`` and X/Y/Z per marker).

    Raises
    ------
    InputError
        For an unknown unit, or a pose without any world landmarks.
    """
    if units not in UNIT_SCALE:
        raise InputError(f"The marker unit must be one of {', '.join(UNIT_SCALE)}; got {units!r}.")
    world = np.asarray(pose.world_m, dtype=float)
    if pose.n_frames == 0 or not np.isfinite(world).any():
        raise InputError("The pose has no metric (world) landmarks to write as markers.")
    xyz = world * AXIS_SIGNS * UNIT_SCALE[units]
    n = pose.n_frames
    rate = float(pose.fps)
    header = [
        f"PathFileType\t4\t(X/Y/Z)\t{file_name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{rate:g}\t{rate:g}\t{n}\t{N_LANDMARKS}\t{units}\t{rate:g}\t1\t{n}",
        "Frame#\tTime\t" + "\t\t\t".join(LANDMARK_NAMES) + "\t\t",
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, N_LANDMARKS + 1)),
        "",
    ]
    lines = []
    for k in range(n):
        cells = [str(k + 1), f"{float(pose.time_s[k]):.6f}"]
        cells += [_cell(float(v)) for v in xyz[k].reshape(-1)]
        lines.append("\t".join(cells))
    return "\n".join(header + lines) + "\n"


def parse_trc(text: str) -> TrcData:
    """Read a ``.trc`` text written by :func:`format_trc` (or by other tools in that layout).

    Raises
    ------
    InputError
        When the text is not a marker file of that layout.
    """
    lines = text.splitlines()
    if len(lines) < 5 or not lines[0].startswith("PathFileType"):
        raise InputError("The file is not an OpenSim marker file (.trc).")
    keys = lines[1].split("\t")
    values = lines[2].split("\t")
    meta = dict(zip(keys, values))
    try:
        rate = float(meta["DataRate"])
        n_markers = int(meta["NumMarkers"])
        units = meta["Units"]
    except (KeyError, ValueError):
        raise InputError("The marker file's header lacks DataRate, NumMarkers or Units.") from None
    names = tuple(c for c in lines[3].split("\t")[2:] if c)
    if len(names) != n_markers:
        raise InputError(f"The marker file names {len(names)} markers but says {n_markers}.")
    frames, times, rows = [], [], []
    for line in lines[5:]:
        if not line.strip():
            continue
        cells = line.split("\t")
        cells += [""] * (2 + 3 * n_markers - len(cells))
        frames.append(int(cells[0]))
        times.append(float(cells[1]))
        rows.append([float(c) if c.strip() else np.nan for c in cells[2 : 2 + 3 * n_markers]])
    markers = np.array(rows, dtype=float).reshape(len(rows), n_markers, 3)
    return TrcData(
        data_rate_hz=rate,
        units=units,
        marker_names=names,
        frame_numbers=np.array(frames, dtype=np.int64),
        time_s=np.array(times, dtype=float),
        markers=markers,
    )
