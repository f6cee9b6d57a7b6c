"""The sample patient: three visits of a synthetic walker after lumbar fusion L4-S1.

``generate_samples(out_dir)`` remakes, deterministically, the clips committed in
``sample_videos/``: for each visit a sagittal and a frontal clip with its truth
JSON, plus ``patient.json`` with the patient and visit record the library imports.

* **pre-op**: mild antalgic pattern (right hip and back pain: shorter right
  stance, a slightly shorter left step), some forward lean.
* **6 weeks post-op**: compensation: a stiff lumbar spine with a larger hip
  range, a right pelvic drop in left single support (Trendelenburg), a shorter
  right step, slower cadence and speed, more forward trunk lean.
* **6 months post-op**: partly recovered.

At every visit the therapist put green ball stickers on the pelvis (ASIS and
PSIS of the side facing the side camera; both ASIS and PSIS for the front
camera), so the sagittal clips show ``pelvic_tilt``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gaitlab.errors import InputError
from gaitlab.progress import CancelToken, NullProgress, Progress
from gaitlab.synth.params import CameraSetup, GaitParams, SynthView, SynthWalking
from gaitlab.synth.render import render_walk
from gaitlab.synth.walk import simulate_walk

PATIENT_FORMAT = "gaitlab.sample_patient/1"

#: Visit label, date, file stem prefix.
SAMPLE_VISITS: tuple[tuple[str, str, str], ...] = (
    ("pre-op", "2026-02-16", "preop"),
    ("6 weeks post-op", "2026-04-13", "post6w"),
    ("6 months post-op", "2026-09-01", "post6m"),
)

_BODY: dict[str, Any] = dict(height_m=1.68, girth_scale=1.05, hip_width_scale=1.08, shoulder_width_scale=0.95,
             skin_rgb=(222, 170, 138), hair_rgb=(92, 64, 40), shoes_rgb=(236, 236, 232))

#: The therapist's pelvic stickers at every visit: fluorescent green balls of
#: 4 cm (they must appear at least about 6 pixels wide; the sagittal samples
#: film the walker from 6.3-6.5 m at 720p), placed as ``docs/pelvic_markers.md``
#: says: on the side facing the camera in the side videos, on both sides in the
#: front videos.
_STICKERS: dict[str, Any] = dict(markers=True, marker_diameter_m=0.04, marker_sides="auto")

#: What each visit was walked with.  The changes the demo must find are made
#: clearly larger than their minimal detectable change (``gaitlab.compare.mdc``),
#: as a clinician would want a teaching case to be: a change right at the MDC is
#: found about half the time by any measurement.  The 6-week right step is 25 %
#: shorter than the left (0.40 vs 0.51 m; the left-minus-right gap grows by
#: 0.14 m against an MDC of 0.083 m, while one video places each heel footprint
#: within 2-4 cm), and the right pelvic drop recovers by 3.5 deg by 6 months
#: (MDC 2.8 deg); the right step is still shorter at 6 months (partial recovery).
_GAIT = {
    "preop": GaitParams(
        speed_m_s=0.90, cadence_steps_per_min=102.0, step_length_ratio_right=1.05,
        stance_pct_left=63.0, stance_pct_right=60.0, hip_flexion_amplitude_deg_left=38.0,
        hip_flexion_amplitude_deg_right=38.0, knee_flexion_peak_deg=56.0, knee_flexion_loading_deg=12.0,
        trunk_lean_sagittal_deg=5.0, trunk_lean_lateral_amplitude_deg=2.0, lumbar_stiffness=0.3,
        pelvic_drop_deg_left=4.0, pelvic_drop_deg_right=4.5, arm_swing_deg=24.0, variability=0.025,
        shirt_rgb=(40, 105, 185), trousers_rgb=(45, 45, 62), **_BODY, **_STICKERS,
    ),
    "post6w": GaitParams(
        speed_m_s=0.70, cadence_steps_per_min=92.0, step_length_ratio_right=0.75,
        stance_pct_left=64.0, stance_pct_right=62.5, hip_flexion_amplitude_deg_left=46.0,
        hip_flexion_amplitude_deg_right=48.0, knee_flexion_peak_deg=52.0, knee_flexion_loading_deg=10.0,
        trunk_lean_sagittal_deg=11.0, trunk_lean_lateral_amplitude_deg=3.5, lumbar_stiffness=0.9,
        pelvic_drop_deg_left=3.0, pelvic_drop_deg_right=8.5, pelvic_rotation_deg=2.5,
        arm_swing_deg=14.0, variability=0.035,
        shirt_rgb=(170, 60, 60), trousers_rgb=(40, 48, 70), **_BODY, **_STICKERS,
    ),
    "post6m": GaitParams(
        speed_m_s=0.88, cadence_steps_per_min=100.0, step_length_ratio_right=0.86,
        stance_pct_left=62.5, stance_pct_right=61.5, hip_flexion_amplitude_deg_left=42.0,
        hip_flexion_amplitude_deg_right=43.0, knee_flexion_peak_deg=56.0, knee_flexion_loading_deg=12.0,
        trunk_lean_sagittal_deg=6.5, trunk_lean_lateral_amplitude_deg=2.5, lumbar_stiffness=0.6,
        pelvic_drop_deg_left=3.5, pelvic_drop_deg_right=5.0, pelvic_rotation_deg=3.0,
        arm_swing_deg=22.0, variability=0.025,
        # a plum shirt: the green one worn before merged with the green stickers
        shirt_rgb=(110, 80, 140), trousers_rgb=(50, 50, 55), **_BODY, **_STICKERS,
    ),
}

_DURATION_S = {"preop": 8.0, "post6w": 10.0, "post6m": 8.0}

#: Encoding of the sample clips.
SAMPLE_CRF = 26
SAMPLE_NOISE = 1.5
SAMPLE_BLUR = 0.6


@dataclass(frozen=True)
class SampleSpec:
    """One sample clip: file stem, visit label, gait, camera, duration and seed."""

    stem: str
    visit: str
    params: GaitParams
    camera: CameraSetup
    duration_s: float
    seed: int


def sample_specs() -> list[SampleSpec]:
    """The six sample clips (three visits x sagittal and frontal), in visit order."""
    specs = []
    for v, (label, _date, key) in enumerate(SAMPLE_VISITS):
        views: tuple[tuple[SynthView, SynthWalking, float], ...] = (
            ("sagittal", "right", 65.0),
            ("frontal", "toward", 40.0),
        )
        for view, walking, fov in views:
            cam = CameraSetup(view=view, walking=walking, horizontal_fov_deg=fov, width=1280, height=720,
                              fps=30.0, height_m=1.0)
            seed = 1000 + 10 * v + (0 if view == "sagittal" else 1)
            specs.append(SampleSpec(f"{key}_{view}", label, _GAIT[key], cam, _DURATION_S[key], seed))
    return specs


def patient_record() -> dict:
    """The sample patient's record (``sample_videos/patient.json``)."""
    scores = {
        "preop": {"hip_pain_left": 2, "hip_pain_right": 3, "back_pain": 7, "odi": 44},
        "post6w": {"hip_pain_left": 2, "hip_pain_right": 5, "back_pain": 4, "odi": 38},
        "post6m": {"hip_pain_left": 1, "hip_pain_right": 3, "back_pain": 2, "odi": 22},
    }
    treatments = {
        "preop": ["nsaids", "physical_therapy"],
        "post6w": ["pelvic_belt", "physical_therapy"],
        "post6m": ["physical_therapy", "gait_training"],
    }
    pain = {"preop": 3, "post6w": 4, "post6m": 2}
    notes = {
        "preop": "Low back pain radiating to the right buttock; slight limp to spare the right side.",
        "post6w": "Walks more slowly with a stiff trunk and forward lean; right pelvic drop in left stance; right SI-joint tenderness.",
        "post6m": "Walking improved; mild right pelvic drop remains.",
    }
    visits = []
    for label, date, key in SAMPLE_VISITS:
        visits.append({
            "date": date,
            "label": label,
            "scores": scores[key],
            "treatments": treatments[key],
            "walking_aid": "none",
            "footwear": "trainers",
            "pain_at_test": pain[key],
            "red_flags": [],
            "notes": notes[key],
            "recordings": [
                {"file": f"{key}_sagittal.mp4", "view": "sagittal"},
                {"file": f"{key}_frontal.mp4", "view": "frontal"},
            ],
        })
    return {
        "format": PATIENT_FORMAT,
        "patient": {
            "pseudonym": "SAMPLE-001",
            "name": "Sample patient (synthetic)",
            "birth_year": 1961,
            "sex": "female",
            "height_cm": 168,
            "surgery": {"date": "2026-03-02", "levels": "L4-S1", "fused_to_sacrum": True,
                        "approach": "posterior (TLIF)"},
            "notes": "Synthetic patient made by gaitlab's gait lab (gaitlab samples); not a real person.",
        },
        "visits": visits,
    }


def generate_samples(
    out_dir: str | os.PathLike,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> list[Path]:
    """Render the sample patient's six clips, their truth JSON and ``patient.json``.

    The output is deterministic: the same gaitlab version on the same platform
    writes the same files.

    Returns
    -------
    list of pathlib.Path
        The files written (clips, truth documents, patient.json).
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} is a file, not a folder.")
    out.mkdir(parents=True, exist_ok=True)
    progress = progress or NullProgress()
    written: list[Path] = []
    for spec in sample_specs():
        walk = simulate_walk(spec.params, spec.camera, duration_s=spec.duration_s, seed=spec.seed)
        video = render_walk(walk, out / f"{spec.stem}.mp4", crf=SAMPLE_CRF, noise=SAMPLE_NOISE,
                            blur=SAMPLE_BLUR, progress=progress, cancel=cancel)
        written += [video, out / f"{spec.stem}.truth.json"]
    pj = out / "patient.json"
    tmp = pj.with_name(pj.name + ".part")
    tmp.write_text(json.dumps(patient_record(), indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, pj)
    written.append(pj)
    return written


def make_contact_sheet(sample_dir: str | os.PathLike, png_path: str | os.PathLike, *, frames_per_clip: int = 4) -> Path:
    """A PNG grid of frames from each sample clip (one row per clip)."""
    import av
    import cv2

    rows = []
    for spec in sample_specs():
        path = Path(sample_dir) / f"{spec.stem}.mp4"
        if not path.is_file():
            raise InputError(f"The sample clip {path.name} is missing; run 'gaitlab samples' first.")
        with av.open(str(path)) as container:
            imgs = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        idx = np.linspace(0, len(imgs) - 1, frames_per_clip).round().astype(int)
        tiles = [cv2.resize(imgs[i], (320, 180), interpolation=cv2.INTER_AREA) for i in idx]
        row = np.hstack(tiles)
        label = np.full((180, 150, 3), 250, np.uint8)
        for k, text in enumerate([spec.visit, spec.camera.view]):
            cv2.putText(label, text, (6, 70 + 30 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (20, 20, 20), 1, cv2.LINE_AA)
        rows.append(np.hstack([label, row]))
    sheet = np.vstack(rows)
    out = Path(png_path)
    if not cv2.imwrite(str(out), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR)):
        raise InputError(f"The contact sheet could not be written to {out}.")
    return out
