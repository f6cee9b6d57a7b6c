"""What the patient library stores: patients, their surgery, visits, recordings and measurements.

Frozen dataclasses with units in their field names, the fixed vocabularies of the
visit form (treatments, walking aids, red-flag symptoms), and the checks every
record passes before it is written.  The checks raise :class:`InputError` with one
sentence a clinician understands; they return a normalised copy of the record.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from gaitlab.errors import InputError
from gaitlab.markers.manual import Measurement

#: Treatments a patient may currently receive (the visit form's checklist).
TREATMENTS: dict[str, str] = {
    "nsaids": "NSAIDs",
    "pelvic_belt": "pelvic belt",
    "physical_therapy": "physical therapy",
    "gait_training": "gait training",
    "injections": "injections",
    "other": "other treatment",
}

#: Walking aids or orthoses worn during the walking test (they change the gait).
WALKING_AIDS: dict[str, str] = {
    "none": "no aid",
    "cane": "cane",
    "walker": "walker",
    "brace": "brace",
    "pelvic_belt": "pelvic belt",
}

#: Red-flag symptoms asked about at every visit; any ticked one needs clinical review.
RED_FLAGS: dict[str, str] = {
    "new_numbness_or_weakness": "new numbness or weakness",
    "bladder_bowel_change": "bladder or bowel change",
    "fever": "fever",
    "sudden_severe_pain": "sudden severe pain",
}

SEXES: tuple[str, ...] = ("female", "male", "other")
VIEWS: tuple[str, ...] = ("sagittal", "frontal")
#: ``ok``: analysed; ``too_little_walking``: pose data only, fewer than one gait cycle per side.
RECORDING_STATUSES: tuple[str, ...] = ("ok", "too_little_walking")

_PATIENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
_VERTEBRA = r"(?:C[1-7]|T1[0-2]|T[1-9]|L[1-6]|S[1-2])"
_LEVELS = re.compile(rf"({_VERTEBRA})\s*[-–—]\s*({_VERTEBRA})")
_SPINE_ORDER = (
    [f"C{i}" for i in range(1, 8)]
    + [f"T{i}" for i in range(1, 13)]
    + [f"L{i}" for i in range(1, 7)]
    + ["S1", "S2"]
)
_LABEL_MAX = 60
#: Longest label of a manual measurement, characters.
MEASUREMENT_LABEL_MAX = 80
_TEXT_MAX = 4000
_FUTURE_VISIT_DAYS = 1
_FUTURE_SURGERY_DAYS = 2 * 366


@dataclass(frozen=True)
class Surgery:
    """The lumbar fusion a patient had (or is scheduled for).

    Attributes
    ----------
    date : datetime.date or None
        Day of the operation; visits count their days from it (negative before it).
    levels : str
        Fused segment, cranial to caudal, e.g. ``"L4-S1"`` (stored with a hyphen).
    fused_to_sacrum : bool or None
        Whether the fusion includes the sacrum (derived from ``levels`` when unset).
    approach : str
        Free text, e.g. ``"posterior (TLIF)"``.
    """

    date: dt.date | None = None
    levels: str = ""
    fused_to_sacrum: bool | None = None
    approach: str = ""

    @property
    def is_empty(self) -> bool:
        return (
            self.date is None
            and not self.levels
            and self.fused_to_sacrum is None
            and not self.approach
        )


@dataclass(frozen=True)
class Patient:
    """A patient, known by a pseudonymous ID; the name is optional and never required.

    Attributes
    ----------
    patient_id : str
        The pseudonymous ID the clinician types, e.g. ``"P-0042"`` (letters, digits,
        ``.``, ``_``, ``-``; at most 40 characters; unique in a library, case-insensitive).
    name : str
        Optional name ("" when not recorded).
    birth_year : int or None
        Year of birth.
    sex : {"female", "male", "other"} or None
    height_cm : float or None
        Body height in centimetres, the scale for step length and gait speed.
    surgery : Surgery
    notes : str
    """

    patient_id: str
    name: str = ""
    birth_year: int | None = None
    sex: str | None = None
    height_cm: float | None = None
    surgery: Surgery = field(default_factory=Surgery)
    notes: str = ""

    @property
    def display_name(self) -> str:
        return f"{self.patient_id} ({self.name})" if self.name else self.patient_id


@dataclass(frozen=True)
class Visit:
    """One clinic visit: patient-reported scores, treatments, test conditions, red flags.

    Pain scores are numeric rating scales (NRS, integers 0–10, 0 = no pain); the
    Oswestry Disability Index is in percent (0–100).  ``None`` means "not asked".

    Attributes
    ----------
    patient_id : str
        The patient's pseudonymous ID.
    date : datetime.date
    label : str
        Free label such as "pre-op" or "6 weeks".
    hip_pain_left_nrs, hip_pain_right_nrs, back_pain_nrs : int or None
        Pain (NRS 0–10) of the patient's left hip, right hip and low back.
    odi_pct : float or None
        Oswestry Disability Index, percent.
    treatments : tuple of str
        Keys of :data:`TREATMENTS` the patient currently receives.
    walking_aid : str or None
        Key of :data:`WALKING_AIDS` used during the walking test (None = not recorded).
    footwear : str
        Footwear during the test, e.g. "trainers", "barefoot".
    pain_at_test_nrs : int or None
        Pain during the walking test (NRS 0–10).
    red_flags : tuple of str
        Keys of :data:`RED_FLAGS` the patient reported at this visit.
    notes : str
    visit_id : int or None
        Set by the library.
    days_since_surgery : int or None
        Set by the library from the surgery date: visit date minus surgery date in
        days, negative before the operation; None without a surgery date.
    """

    patient_id: str
    date: dt.date
    label: str = ""
    hip_pain_left_nrs: int | None = None
    hip_pain_right_nrs: int | None = None
    back_pain_nrs: int | None = None
    odi_pct: float | None = None
    treatments: tuple[str, ...] = ()
    walking_aid: str | None = None
    footwear: str = ""
    pain_at_test_nrs: int | None = None
    red_flags: tuple[str, ...] = ()
    notes: str = ""
    visit_id: int | None = None
    days_since_surgery: int | None = None

    @property
    def has_red_flags(self) -> bool:
        """True when any red-flag symptom was reported: show it prominently."""
        return bool(self.red_flags)

    @property
    def red_flag_text(self) -> str:
        """The reported red flags in words ("" when none)."""
        return ", ".join(RED_FLAGS[k] for k in self.red_flags)


@dataclass(frozen=True)
class Recording:
    """One analysed walking video attached to a visit.

    Attributes
    ----------
    recording_id, visit_id : int
    video_path : str
        Where the video is now: the library's copy when ``video_copied``, else the
        original file (videos stay where they are by default).
    original_path : str
        Where the video was imported from.
    sha256 : str
        SHA-256 of the video file (hex); one video is stored once per library.
    view : {"sagittal", "frontal"}
    status : {"ok", "too_little_walking"}
    warning : str
        Why the analysis is partial ("" when ``status`` is ``ok``).
    analysed_at : datetime.datetime
        When the analysis ran (UTC).
    gaitlab_version, model_variant, model_sha256 : str
        What produced ``result``.
    video_copied : bool
    metrics : dict
        The ``metrics`` block of the result (always loaded).
    result : dict or None
        The whole analysis document (``spec/analysis-v1.md``); None when it was not
        loaded (listing without results).
    """

    recording_id: int
    visit_id: int
    video_path: str
    original_path: str
    sha256: str
    view: str
    status: str
    warning: str
    analysed_at: dt.datetime
    gaitlab_version: str
    model_variant: str
    model_sha256: str
    video_copied: bool
    metrics: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    result: dict[str, Any] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class StoredMeasurement:
    """A manual measurement kept with a visit (drawn on one frame of one of its videos).

    Attributes
    ----------
    measurement_id, visit_id : int
    recording_id : int or None
        The recording whose frame it was drawn on; None after that recording was
        deleted (the measurement stays with the visit).  A new analysis of the same
        video at the same visit takes the measurement over.
    video_sha256 : str
        SHA-256 of the video the frame belongs to.
    measurement : Measurement
        Kind, points (image pixels, y down), snapped landmarks, frame time and
        index, label and value in degrees (signs in :mod:`gaitlab.markers.manual`).
    created_at : datetime.datetime
        When it was saved (UTC).
    """

    measurement_id: int
    visit_id: int
    recording_id: int | None
    video_sha256: str
    measurement: Measurement
    created_at: dt.datetime

    @property
    def label(self) -> str:
        return self.measurement.label

    @property
    def value_deg(self) -> float:
        return self.measurement.value_deg

    @property
    def time_s(self) -> float:
        return self.measurement.time_s


# --------------------------------------------------------------------------- parsing


def parse_date(text: str, what: str) -> dt.date:
    """A date from ``YYYY-MM-DD`` text; ``what`` names it in the error sentence."""
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise InputError(f"The {what} '{text}' is not a date like 2026-04-13.") from None


# --------------------------------------------------------------------------- checks


def _clean_text(value: Any, what: str, max_len: int = _TEXT_MAX) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"The {what} must be text.")
    text = value.strip()
    if len(text) > max_len:
        raise InputError(f"The {what} is longer than {max_len} characters.")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise InputError(f"The {what} contains control characters.")
    return text


def _check_int_range(value: Any, what: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"The {what} must be a whole number from {low} to {high}.")
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        raise InputError(f"The {what} must be a whole number from {low} to {high}; got {value:g}.")
    if not low <= int(value) <= high:
        raise InputError(f"The {what} must be from {low} to {high}; got {int(value)}.")
    return int(value)


def _check_nrs(value: Any, what: str) -> int | None:
    return _check_int_range(value, f"{what} (NRS)", 0, 10)


def _check_keys(values: Any, vocabulary: dict[str, str], what: str) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = (values,)
    keys = []
    for value in values:
        key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        if key not in vocabulary:
            raise InputError(
                f"'{value}' is not a known {what}; use one of: {', '.join(vocabulary)}."
            )
        if key not in keys:
            keys.append(key)
    order = list(vocabulary)
    return tuple(sorted(keys, key=order.index))


def check_measurement_label(label: Any) -> str:
    """The therapist's label of a manual measurement, stripped, or :class:`InputError`."""
    text = _clean_text(label, "measurement label", MEASUREMENT_LABEL_MAX)
    if not text:
        raise InputError("A measurement needs a label, such as 'standing pelvic tilt'.")
    if "\n" in text or "\t" in text:
        raise InputError("A measurement label is one line of text.")
    return text


def check_patient_id(patient_id: Any) -> str:
    """The pseudonymous patient ID, stripped, or :class:`InputError`."""
    if not isinstance(patient_id, str) or not patient_id.strip():
        raise InputError("A patient needs a pseudonymous ID such as P-0042.")
    text = patient_id.strip()
    if not _PATIENT_ID.fullmatch(text):
        raise InputError(
            f"The patient ID '{text}' may only hold letters, digits, '.', '_' and '-' "
            "(at most 40 characters, starting with a letter or digit)."
        )
    return text


def normalise_levels(levels: str) -> tuple[str, str | None]:
    """``("L4-S1", "S1")``: the fused levels written with a hyphen, and the lowest level."""
    text = _clean_text(levels, "fused levels", 40).upper()
    if not text:
        return "", None
    match = _LEVELS.fullmatch(text)
    if not match:
        raise InputError(f"The fused levels '{levels}' are not a segment such as L4-S1 or L3-L5.")
    top, bottom = match.groups()
    if _SPINE_ORDER.index(top) >= _SPINE_ORDER.index(bottom):
        raise InputError(
            f"The fused levels '{levels}' must go from the upper to the lower vertebra, "
            "such as L4-S1."
        )
    return f"{top}-{bottom}", bottom


def check_surgery(
    surgery: Surgery, birth_year: int | None, today: dt.date | None = None
) -> Surgery:
    """A normalised copy of ``surgery``, or :class:`InputError`."""
    today = today or dt.date.today()
    if surgery.date is not None:
        if not isinstance(surgery.date, dt.date) or isinstance(surgery.date, dt.datetime):
            raise InputError("The surgery date must be a date.")
        if birth_year is not None and surgery.date.year < birth_year:
            raise InputError(
                f"The surgery date {surgery.date} is before the patient's birth year {birth_year}."
            )
        if surgery.date > today + dt.timedelta(days=_FUTURE_SURGERY_DAYS):
            raise InputError(f"The surgery date {surgery.date} is more than two years ahead.")
    levels, lowest = normalise_levels(surgery.levels)
    fused_to_sacrum = surgery.fused_to_sacrum
    reaches_sacrum = lowest in ("S1", "S2") if lowest else None
    if fused_to_sacrum is None:
        fused_to_sacrum = reaches_sacrum
    elif reaches_sacrum is not None and bool(fused_to_sacrum) != reaches_sacrum:
        raise InputError(
            f"The fused levels {levels} "
            + ("include" if reaches_sacrum else "do not include")
            + " the sacrum, which contradicts 'fused to the sacrum'."
        )
    return Surgery(
        date=surgery.date,
        levels=levels,
        fused_to_sacrum=None if fused_to_sacrum is None else bool(fused_to_sacrum),
        approach=_clean_text(surgery.approach, "surgical approach", 200),
    )


def check_patient(patient: Patient, today: dt.date | None = None) -> Patient:
    """A normalised copy of ``patient``, or :class:`InputError` naming the bad field."""
    today = today or dt.date.today()
    birth_year = _check_int_range(patient.birth_year, "birth year", 1900, today.year)
    sex = patient.sex
    if sex is not None:
        sex = str(sex).strip().lower() or None
        if sex is not None and sex not in SEXES:
            raise InputError(f"The sex '{patient.sex}' is not one of: {', '.join(SEXES)}.")
    height_cm = patient.height_cm
    if height_cm is not None:
        if (
            isinstance(height_cm, bool)
            or not isinstance(height_cm, (int, float))
            or not math.isfinite(height_cm)
        ):
            raise InputError("The body height must be a number of centimetres.")
        if not 50.0 <= float(height_cm) <= 250.0:
            raise InputError(f"The body height must be between 50 and 250 cm; got {height_cm:g}.")
        height_cm = float(height_cm)
    return Patient(
        patient_id=check_patient_id(patient.patient_id),
        name=_clean_text(patient.name, "name", 200),
        birth_year=birth_year,
        sex=sex,
        height_cm=height_cm,
        surgery=check_surgery(patient.surgery or Surgery(), birth_year, today),
        notes=_clean_text(patient.notes, "patient notes"),
    )


def check_visit(visit: Visit, patient: Patient, today: dt.date | None = None) -> Visit:
    """A normalised copy of ``visit`` for ``patient``, or :class:`InputError`.

    The visit date may not be before the patient's birth year nor more than one
    day in the future (clinics in other time zones may already be on tomorrow).
    """
    today = today or dt.date.today()
    date = visit.date
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise InputError("The visit date must be a date.")
    if date.year < 1900:
        raise InputError(f"The visit date {date} is before 1900.")
    if patient.birth_year is not None and date.year < patient.birth_year:
        raise InputError(
            f"The visit date {date} is before the birth of {patient.patient_id} "
            f"(born {patient.birth_year})."
        )
    if date > today + dt.timedelta(days=_FUTURE_VISIT_DAYS):
        raise InputError(f"The visit date {date} is in the future.")
    odi = visit.odi_pct
    if odi is not None:
        if isinstance(odi, bool) or not isinstance(odi, (int, float)) or not math.isfinite(odi):
            raise InputError("The Oswestry Disability Index must be a percentage from 0 to 100.")
        if not 0.0 <= float(odi) <= 100.0:
            raise InputError(f"The Oswestry Disability Index must be from 0 to 100 %; got {odi:g}.")
        odi = float(odi)
    walking_aid = visit.walking_aid
    if walking_aid is not None:
        walking_aid = _check_keys((walking_aid,), WALKING_AIDS, "walking aid")[0]
    return replace(
        visit,
        patient_id=patient.patient_id,
        label=_clean_text(visit.label, "visit label", _LABEL_MAX),
        hip_pain_left_nrs=_check_nrs(visit.hip_pain_left_nrs, "left hip pain"),
        hip_pain_right_nrs=_check_nrs(visit.hip_pain_right_nrs, "right hip pain"),
        back_pain_nrs=_check_nrs(visit.back_pain_nrs, "back pain"),
        odi_pct=odi,
        treatments=_check_keys(visit.treatments, TREATMENTS, "treatment"),
        walking_aid=walking_aid,
        footwear=_clean_text(visit.footwear, "footwear", 100),
        pain_at_test_nrs=_check_nrs(visit.pain_at_test_nrs, "pain at test"),
        red_flags=_check_keys(visit.red_flags, RED_FLAGS, "red-flag symptom"),
        notes=_clean_text(visit.notes, "visit notes"),
        days_since_surgery=days_since_surgery(date, patient.surgery),
    )


def days_since_surgery(date: dt.date, surgery: Surgery) -> int | None:
    """Visit date minus surgery date in days (negative before it); None without a date."""
    if surgery.date is None:
        return None
    return (date - surgery.date).days
