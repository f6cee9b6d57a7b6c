"""Healthy-adult reference values (population bands) for the main gait measures.

Only published numbers appear here, each with its source.  For most measures the
literature gives key values (a peak, a range, a share of the cycle), not a
normative curve for gaitlab's 2-D video angles; gaitlab then gives a key-value band
and says so (``kind == "key value"``), and never draws an invented curve.  Measures
without a source here have no population band: the patient's own baseline is the
reference that matters most after a fusion anyway.

gaitlab's hip flexion is measured against the trunk line in the image (a 2-D proxy);
laboratory norms are 3-D hip angles of the thigh against the pelvis.  The bands of
hip angles therefore orient, they do not judge; each says so in ``caveat``.
The same table is written out in ``docs/references.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BOHANNON_1997 = (
    "Bohannon RW. Comfortable and maximum walking speed of adults aged 20-79 years: "
    "reference values and determinants. Age Ageing 1997;26(1):15-19"
)
PERRY_2010 = (
    "Perry J, Burnfield JM. Gait Analysis: Normal and Pathological Function. 2nd ed. "
    "Thorofare, NJ: SLACK; 2010"
)
SAUNDERS_1953 = (
    "Saunders JB, Inman VT, Eberhart HD. The major determinants in normal and "
    "pathological gait. J Bone Joint Surg Am 1953;35-A(3):543-558"
)

_HIP_PROXY_CAVEAT = (
    "gaitlab measures hip flexion against the trunk line in the video (a 2-D proxy); the "
    "published values are hip angles of the thigh against the pelvis, so the band orients "
    "and does not judge."
)


@dataclass(frozen=True)
class ReferenceBand:
    """A published healthy-adult reference for one metric.

    Attributes
    ----------
    metric : str
        Metric name (analysis contract or a derived comparison metric).
    low, high : float
        The band in ``unit``.  For a single key value, ``low == high``.
    unit : str
        Unit of the band.
    kind : {"key value", "range of group means"}
        "key value": a typical value quoted by the source, no spread given;
        "range of group means": the lowest and highest mean of the source's groups
        (age/sex), not the spread of individuals.
    population : str
        Who the values describe.
    source : str
        The citation.
    caveat : str
        How the reference differs from what gaitlab measures, if it does.
    """

    metric: str
    low: float
    high: float
    unit: str
    kind: Literal["key value", "range of group means"]
    population: str
    source: str
    caveat: str = ""

    def contains(self, value: float) -> bool:
        """True when ``value`` lies within the band (inclusive)."""
        return self.low <= value <= self.high

    def to_dict(self) -> dict:
        return {
            "metric": self.metric,
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "kind": self.kind,
            "population": self.population,
            "source": self.source,
            "caveat": self.caveat,
        }


#: Population bands by metric name.
POPULATION_BANDS: dict[str, ReferenceBand] = {
    b.metric: b
    for b in (
        ReferenceBand(
            metric="gait_speed_m_s",
            low=1.272,
            high=1.462,
            unit="m/s",
            kind="range of group means",
            population="230 healthy adults aged 20-79, comfortable speed, by sex and decade "
            "(lowest: women in their seventies; highest: men in their forties)",
            source=BOHANNON_1997,
            caveat="Timed over 7.6 m in a corridor; gaitlab's speed comes from the "
            "video's body-height scale.",
        ),
        ReferenceBand(
            metric="stance_pct",
            low=60.0,
            high=60.0,
            unit="%",
            kind="key value",
            population="healthy adults at free walking speed",
            source=PERRY_2010,
            caveat="Stance is about 60 % of the gait cycle; it shortens as speed rises.",
        ),
        ReferenceBand(
            metric="swing_pct",
            low=40.0,
            high=40.0,
            unit="%",
            kind="key value",
            population="healthy adults at free walking speed",
            source=PERRY_2010,
        ),
        ReferenceBand(
            metric="double_support_pct",
            low=20.0,
            high=20.0,
            unit="%",
            kind="key value",
            population="healthy adults at free walking speed",
            source=PERRY_2010,
            caveat="Two double-support periods of about 10 % of the cycle each.",
        ),
        ReferenceBand(
            metric="hip_flexion_max_deg",
            low=30.0,
            high=30.0,
            unit="deg",
            kind="key value",
            population="healthy adults at free walking speed",
            source=PERRY_2010,
            caveat="Peak hip flexion of about 30 degrees around initial contact. " + _HIP_PROXY_CAVEAT,
        ),
        ReferenceBand(
            metric="hip_extension_max_deg",
            low=-10.0,
            high=-10.0,
            unit="deg",
            kind="key value",
            population="healthy adults at free walking speed",
            source=PERRY_2010,
            caveat="Peak hip extension of about 10 degrees in terminal stance (negative = "
            "extension). " + _HIP_PROXY_CAVEAT,
        ),
        ReferenceBand(
            metric="hip_rom_deg",
            low=40.0,
            high=40.0,
            unit="deg",
            kind="key value",
            population="healthy adults at free walking speed",
            source=PERRY_2010,
            caveat="An arc of about 40 degrees from peak extension to peak flexion. "
            + _HIP_PROXY_CAVEAT,
        ),
        ReferenceBand(
            metric="knee_flexion_max_deg",
            low=60.0,
            high=60.0,
            unit="deg",
            kind="key value",
            population="healthy adults at free walking speed",
            source=PERRY_2010,
            caveat="Peak knee flexion of about 60 degrees in initial swing; gaitlab's knee "
            "angle is the 2-D angle in the camera plane.",
        ),
        ReferenceBand(
            metric="pelvic_drop_deg",
            low=5.0,
            high=5.0,
            unit="deg",
            kind="key value",
            population="healthy adults (classic description of normal gait)",
            source=SAUNDERS_1953,
            caveat="The pelvis drops about 5 degrees on the swing side in normal gait. "
            "Video pelvic obliquity is a dynamic gait measure, not the radiographic "
            "spinopelvic pelvic tilt.",
        ),
    )
}

#: Measures deliberately left without a population band (no source gaitlab can cite
#: for its definition); the comparison says so instead of inventing one.
NO_POPULATION_BAND: dict[str, str] = {
    "cadence_steps_per_min": "no cadence reference is cited by gaitlab yet",
    "step_length_m": "step length scales with body height; no height-specific reference is cited",
    "trunk_lean_sagittal_mean_deg": "no published norm for the shoulder-hip line against the vertical in video",
    "trunk_lean_lateral_rom_deg": "no published norm for this 2-D trunk measure",
    "trunk_lean_stance_deg": "no published norm for this 2-D trunk measure",
    "pelvic_obliquity_rom_deg": "no published norm for the range of the hip-joint line in video",
    "pelvic_tilt_rom_deg": "no published norm for sticker-based pelvic tilt in 2-D video",
    "pelvic_tilt_mean_deg": "no published norm for sticker-based pelvic tilt in 2-D video; "
    "standing tilt varies widely between healthy adults",
    "hip_adduction_stance_max_deg": "no published norm for this 2-D proxy of hip adduction",
}


def population_band(metric: str) -> ReferenceBand | None:
    """The healthy-adult band of a metric, or None when gaitlab cites none."""
    return POPULATION_BANDS.get(metric)
