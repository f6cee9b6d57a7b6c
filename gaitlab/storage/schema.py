"""The library's SQLite schema and its migrations.

The schema version is ``PRAGMA user_version``; ``PRAGMA application_id`` marks the
file as a gaitlab library.  :data:`MIGRATIONS` is the ordered list of steps from an
empty file (version 0) to :data:`SCHEMA_VERSION`; step ``i`` takes a library from
version ``i`` to ``i + 1``.  A released step is never edited: a change of the
schema is a new step at the end, and the tests migrate a library of every earlier
version.  All steps run in the caller's write transaction, so a failed migration
leaves the file at its old version.

Version history
---------------
1. Patients (with their surgery), visits with pain scores, ODI, treatments and
   notes, and analysed recordings.
2. Visit conditions that change gait (walking aid or orthosis, footwear, pain at
   test) and the red-flag symptoms asked at each visit.
3. Recordings keep where the video came from and whether the library holds a
   copy, whether the analysis is partial (too little walking) and why, and their
   metrics apart from the whole document so visits list quickly.
4. Manual measurements (angles and lines drawn by hand on a video frame): kept
   with the visit, linked to the recording and the video (SHA-256) they were
   drawn on, with the frame time and the measurement's JSON form
   (:meth:`gaitlab.markers.Measurement.to_dict`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

#: ``PRAGMA application_id`` of a gaitlab library: the bytes "GAIT".
APPLICATION_ID = 0x47414954

_V1 = """
CREATE TABLE patients (
    id                      INTEGER PRIMARY KEY,
    patient_id              TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name                    TEXT NOT NULL DEFAULT '',
    birth_year              INTEGER,
    sex                     TEXT CHECK (sex IN ('female', 'male', 'other')),
    height_cm               REAL CHECK (height_cm BETWEEN 50 AND 250),
    surgery_date            TEXT,
    surgery_levels          TEXT NOT NULL DEFAULT '',
    surgery_fused_to_sacrum INTEGER CHECK (surgery_fused_to_sacrum IN (0, 1)),
    surgery_approach        TEXT NOT NULL DEFAULT '',
    notes                   TEXT NOT NULL DEFAULT '',
    created_at              TEXT NOT NULL
);
CREATE TABLE visits (
    id                  INTEGER PRIMARY KEY,
    patient_ref         INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    visit_date          TEXT NOT NULL,
    label               TEXT NOT NULL DEFAULT '',
    hip_pain_left_nrs   INTEGER CHECK (hip_pain_left_nrs BETWEEN 0 AND 10),
    hip_pain_right_nrs  INTEGER CHECK (hip_pain_right_nrs BETWEEN 0 AND 10),
    back_pain_nrs       INTEGER CHECK (back_pain_nrs BETWEEN 0 AND 10),
    odi_pct             REAL CHECK (odi_pct BETWEEN 0 AND 100),
    notes               TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    UNIQUE (patient_ref, visit_date, label)
);
CREATE INDEX visits_by_patient ON visits (patient_ref, visit_date);
CREATE TABLE visit_treatments (
    visit_id   INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    treatment  TEXT NOT NULL CHECK (treatment IN
        ('nsaids', 'pelvic_belt', 'physical_therapy', 'gait_training', 'injections', 'other')),
    PRIMARY KEY (visit_id, treatment)
) WITHOUT ROWID;
CREATE TABLE recordings (
    id               INTEGER PRIMARY KEY,
    visit_id         INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    video_path       TEXT NOT NULL,
    sha256           TEXT NOT NULL UNIQUE,
    view             TEXT NOT NULL CHECK (view IN ('sagittal', 'frontal')),
    result_json      TEXT NOT NULL,
    analysed_at      TEXT NOT NULL,
    gaitlab_version  TEXT NOT NULL,
    model_variant    TEXT NOT NULL,
    model_sha256     TEXT NOT NULL
);
CREATE INDEX recordings_by_visit ON recordings (visit_id);
"""

_V2 = """
ALTER TABLE visits ADD COLUMN walking_aid TEXT
    CHECK (walking_aid IN ('none', 'cane', 'walker', 'brace', 'pelvic_belt'));
ALTER TABLE visits ADD COLUMN footwear TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN pain_at_test_nrs INTEGER CHECK (pain_at_test_nrs BETWEEN 0 AND 10);
CREATE TABLE visit_red_flags (
    visit_id  INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    red_flag  TEXT NOT NULL CHECK (red_flag IN
        ('new_numbness_or_weakness', 'bladder_bowel_change', 'fever', 'sudden_severe_pain')),
    PRIMARY KEY (visit_id, red_flag)
) WITHOUT ROWID;
"""

_V3 = """
ALTER TABLE recordings ADD COLUMN original_path TEXT NOT NULL DEFAULT '';
ALTER TABLE recordings ADD COLUMN video_copied INTEGER NOT NULL DEFAULT 0 CHECK (video_copied IN (0, 1));
ALTER TABLE recordings ADD COLUMN status TEXT NOT NULL DEFAULT 'ok'
    CHECK (status IN ('ok', 'too_little_walking'));
ALTER TABLE recordings ADD COLUMN warning TEXT NOT NULL DEFAULT '';
ALTER TABLE recordings ADD COLUMN metrics_json TEXT NOT NULL DEFAULT '{}';
UPDATE recordings SET original_path = video_path;
"""


_V4 = """
CREATE TABLE measurements (
    id                INTEGER PRIMARY KEY,
    visit_id          INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
    recording_id      INTEGER REFERENCES recordings(id) ON DELETE SET NULL,
    video_sha256      TEXT NOT NULL,
    label             TEXT NOT NULL CHECK (length(label) > 0),
    kind              TEXT NOT NULL CHECK (kind IN ('angle', 'line')),
    reference         TEXT CHECK (reference IN ('horizontal', 'vertical')),
    value_deg         REAL NOT NULL CHECK (value_deg BETWEEN -180 AND 180),
    time_s            REAL NOT NULL CHECK (time_s >= 0),
    measurement_json  TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    CHECK ((kind = 'angle') = (reference IS NULL))
);
CREATE INDEX measurements_by_visit ON measurements (visit_id, id);
CREATE INDEX measurements_by_recording ON measurements (recording_id);
CREATE INDEX measurements_by_video ON measurements (video_sha256)
"""


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT the caller's transaction; run statement by statement.
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _to_v1(conn: sqlite3.Connection) -> None:
    _run_script(conn, _V1)


def _to_v2(conn: sqlite3.Connection) -> None:
    _run_script(conn, _V2)


def _to_v3(conn: sqlite3.Connection) -> None:
    _run_script(conn, _V3)
    rows = conn.execute("SELECT id, result_json FROM recordings").fetchall()
    for rec_id, result_json in rows:
        metrics = json.loads(result_json).get("metrics") or {}
        conn.execute(
            "UPDATE recordings SET metrics_json = ? WHERE id = ?",
            (json.dumps(metrics, allow_nan=False), rec_id),
        )


def _to_v4(conn: sqlite3.Connection) -> None:
    _run_script(conn, _V4)


#: Step ``i`` migrates a library from version ``i`` to ``i + 1``.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_to_v1, _to_v2, _to_v3, _to_v4]

#: The version this gaitlab writes.
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, from_version: int, to_version: int = SCHEMA_VERSION) -> None:
    """Apply the steps from ``from_version`` to ``to_version`` and record the version.

    Must run inside a write transaction (``BEGIN IMMEDIATE``) that the caller
    commits; ``PRAGMA user_version`` is part of that transaction.
    """
    if not 0 <= from_version <= to_version <= len(MIGRATIONS):
        raise ValueError(f"cannot migrate from version {from_version} to {to_version}")
    if from_version == 0:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for step in MIGRATIONS[from_version:to_version]:
        step(conn)
    conn.execute(f"PRAGMA user_version = {int(to_version)}")
