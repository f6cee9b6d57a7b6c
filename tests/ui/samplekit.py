"""The sample patient's clips for the app tests (``sample_videos/``, made by ``gaitlab samples``)."""

from __future__ import annotations

import json
from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_videos"


def sample_description() -> dict | None:
    """``sample_videos/patient.json`` when the sample clips exist, else None."""
    path = SAMPLE_DIR / "patient.json"
    if not path.is_file():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    for visit in doc.get("visits", []):
        for rec in visit.get("recordings", []):
            if not (SAMPLE_DIR / rec["file"]).is_file():
                return None
    return doc


def sample_clip(visit_index: int, view: str) -> Path:
    """The clip of one sample visit and view."""
    doc = sample_description()
    assert doc is not None
    rec = next(r for r in doc["visits"][visit_index]["recordings"] if r["view"] == view)
    return SAMPLE_DIR / rec["file"]


def shortest_clip() -> Path:
    doc = sample_description()
    assert doc is not None
    clips = [SAMPLE_DIR / r["file"] for v in doc["visits"] for r in v["recordings"]]
    return min(clips, key=lambda p: p.stat().st_size)
