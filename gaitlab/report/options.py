"""What a data export writes: a light module, so the app can build an export request
without importing the report and export code (which takes most of a second)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportOptions:
    """What an export writes besides ``metrics.csv`` and the per-recording CSV/JSON files.

    Attributes
    ----------
    trc : bool
        The pose as an OpenSim marker file (needs the landmarks).
    video : bool
        The annotated MP4 (needs the video and the landmarks).
    blur : bool
        Blur faces in the annotated video (default).
    keep_video_paths : bool
        Keep the video's file path in the exported JSON (removed by default).
    """

    trc: bool = False
    video: bool = False
    blur: bool = True
    keep_video_paths: bool = False
