"""The synthetic gait lab: a walker whose every joint angle and gait event is known.

``simulate_walk`` builds the 3-D gait (no pixels), ``render_walk`` films it into an
MP4 with its truth JSON beside it, and ``generate_samples`` remakes the sample
patient in ``sample_videos/``.  The truth uses the names, units and signs of the
analysis contract (``spec/analysis-v1.md``), so an analysis of a rendered clip can
be compared with it field by field.

Example
-------
>>> from gaitlab.synth import GaitParams, CameraSetup, simulate_walk, render_walk
>>> walk = simulate_walk(GaitParams(speed_m_s=0.9), CameraSetup(view="sagittal", walking="left"),
...                      duration_s=6.0, seed=1)
>>> pose = walk.truth_pose()          # exact landmarks, no video needed
>>> truth = walk.truth_document()     # contract-shaped truth
"""

from gaitlab.synth.params import CameraSetup, GaitParams
from gaitlab.synth.render import render_walk, truth_path_for
from gaitlab.synth.samples import SAMPLE_VISITS, generate_samples, sample_specs
from gaitlab.synth.truth import compute_series, truth_document
from gaitlab.synth.walk import SyntheticWalk, simulate_walk

__all__ = [
    "CameraSetup",
    "GaitParams",
    "SAMPLE_VISITS",
    "SyntheticWalk",
    "compute_series",
    "generate_samples",
    "render_walk",
    "sample_specs",
    "simulate_walk",
    "truth_document",
    "truth_path_for",
]
