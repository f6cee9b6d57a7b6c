"""The patient library: one SQLite file holding patients, visits, analysed recordings
and the manual measurements drawn on their frames.

Safety rules, all enforced here:

* The file is checked before anything is written: a file that is not a gaitlab
  library, or was written by a newer gaitlab, raises :class:`StorageError` and is
  left byte-for-byte unchanged.
* Foreign keys are on; the journal is a write-ahead log (WAL) with full sync, so a
  crash (even ``kill -9``) loses at most the transaction that was open.
* Every write runs in one ``BEGIN IMMEDIATE`` transaction; nested
  :meth:`Library.transaction` blocks are savepoints of the outer one.  Two
  processes writing at once wait for each other (``busy_timeout``) instead of
  failing or corrupting the file.
* Older libraries are migrated on open, in one transaction (see ``schema.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from gaitlab.contract import validate_document
from gaitlab.errors import InputError, StorageError, ValidationError
from gaitlab.markers.manual import Measurement
from gaitlab.storage.records import (
    RECORDING_STATUSES,
    RED_FLAGS,
    TREATMENTS,
    VIEWS,
    Patient,
    Recording,
    StoredMeasurement,
    Surgery,
    Visit,
    check_measurement_label,
    check_patient,
    check_patient_id,
    check_visit,
    days_since_surgery,
)
from gaitlab.storage.schema import APPLICATION_ID, SCHEMA_VERSION, migrate

log = logging.getLogger(__name__)

#: Environment variable naming the library file (overrides the user data folder).
LIBRARY_ENV = "GAITLAB_LIBRARY"
#: Pause between tries while another process holds the library during opening, s.
OPEN_RETRY_S = 0.05
LIBRARY_FILENAME = "library.sqlite"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SHA256_HEX = frozenset("0123456789abcdef")


def default_library_path() -> Path:
    """The library file: ``$GAITLAB_LIBRARY`` or ``library.sqlite`` in the user data folder."""
    env = os.environ.get(LIBRARY_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_path("gaitlab", appauthor=False)) / LIBRARY_FILENAME


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _storage_error(exc: sqlite3.Error, path: Path) -> StorageError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StorageError(
            f"The library {path} is busy: another gaitlab is writing to it; try again in a moment."
        )
    if "full" in text:
        return StorageError(f"The disk holding the library {path} is full; nothing was written.")
    if "readonly" in text or "read-only" in text:
        return StorageError(f"The library {path} is read-only; nothing was written.")
    if "not a database" in text or "malformed" in text:
        return StorageError(f"The library {path} is damaged or is not a gaitlab library ({exc}).")
    return StorageError(f"The library {path} could not be read or written ({exc}).")


class Library:
    """An open patient library (a context manager; :meth:`close` when done).

    Parameters
    ----------
    path : path-like, optional
        The library file; created (with its folder) when missing.  Default:
        :func:`default_library_path`.
    busy_timeout_s : float
        How long a write waits for another process's write to finish, in seconds.

    Raises
    ------
    StorageError
        The file is not a gaitlab library, was written by a newer gaitlab, is
        damaged, or cannot be created; it is not modified.
    """

    def __init__(
        self, path: str | os.PathLike | None = None, *, busy_timeout_s: float = 30.0
    ) -> None:
        self.path = Path(path).expanduser() if path is not None else default_library_path()
        self._lock = threading.RLock()
        self._depth = 0
        self._after_commit: list[Callable[[], None]] = []
        self._after_rollback: list[Callable[[], None]] = []
        self._conn: sqlite3.Connection | None = None
        self._busy_timeout_s = float(busy_timeout_s)
        self._conn = self._connect(busy_timeout_s)
        try:
            self._prepare()
        except BaseException:
            self._conn.close()
            self._conn = None
            raise

    # ------------------------------------------------------------------ opening

    def _connect(self, busy_timeout_s: float) -> sqlite3.Connection:
        p = self.path
        if p.exists():
            if not p.is_file():
                raise StorageError(f"The library path {p} is a folder, not a library file.")
            if p.stat().st_size > 0:
                try:
                    with open(p, "rb") as fh:
                        head = fh.read(len(_SQLITE_MAGIC))
                except OSError as exc:
                    raise StorageError(
                        f"The library {p} cannot be read ({exc.strerror})."
                    ) from None
                if head != _SQLITE_MAGIC:
                    raise StorageError(
                        f"{p} is not a gaitlab library (it is not an SQLite database)."
                    )
        else:
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"The library folder {p.parent} cannot be created ({exc.strerror})."
                ) from None
        try:
            conn = sqlite3.connect(
                str(p), timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise _storage_error(exc, p) from None
        return conn

    def _read_header(self) -> tuple[int, int, int]:
        conn = self._db
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        n_objects = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        return int(app_id), int(version), int(n_objects)

    def _check_header(self, app_id: int, version: int, n_objects: int) -> bool:
        """True when the file needs migrating; raises when it is not ours to touch."""
        fresh = n_objects == 0 and version == 0 and app_id in (0, APPLICATION_ID)
        if fresh:
            return True
        if app_id != APPLICATION_ID:
            raise StorageError(
                f"{self.path} is not a gaitlab library (it is another program's SQLite database)."
            )
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"The library {self.path} was written by a newer gaitlab (library version "
                f"{version}; this gaitlab reads up to version {SCHEMA_VERSION}); update gaitlab to open it."
            )
        return version < SCHEMA_VERSION

    def _open_checks(self) -> bool:
        """Check the file is ours and set the connection up; True when it needs migrating."""
        conn = self._db
        # Read-only checks first: nothing is written to a file that is not ours.
        needs_migration = self._check_header(*self._read_header())
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("The library %s cannot use a write-ahead log (mode %s).", self.path, mode)
        conn.execute("PRAGMA synchronous = FULL")
        return needs_migration

    def _prepare(self) -> None:
        # While another process creates, migrates or switches the file to its write-ahead
        # log, SQLite can answer "busy" at once instead of waiting (its busy timeout does
        # not cover every step of opening), so opening waits and tries again itself.
        deadline = time.monotonic() + self._busy_timeout_s
        while True:
            try:
                needs_migration = self._open_checks()
                break
            except sqlite3.OperationalError as exc:
                text = str(exc).lower()
                if not ("locked" in text or "busy" in text) or time.monotonic() >= deadline:
                    raise _storage_error(exc, self.path) from None
                time.sleep(OPEN_RETRY_S)
            except sqlite3.Error as exc:
                raise _storage_error(exc, self.path) from None
        if not needs_migration:
            return
        with self.transaction():
            # Another process may have migrated it while this one waited for the lock.
            app_id, version, n_objects = self._read_header()
            if self._check_header(app_id, version, n_objects):
                log.info(
                    "Migrating the library %s from version %d to %d.",
                    self.path,
                    version,
                    SCHEMA_VERSION,
                )
                try:
                    migrate(self._db, version)
                except (sqlite3.Error, ValueError) as exc:
                    raise StorageError(
                        f"The library {self.path} could not be upgraded from version {version} "
                        f"to {SCHEMA_VERSION} and was left unchanged ({exc})."
                    ) from None

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StorageError(f"The library {self.path} is closed.")
        return self._conn

    @property
    def folder(self) -> Path:
        """The folder holding the library file."""
        return self.path.parent

    @property
    def videos_folder(self) -> Path:
        """Where copies of videos go when an import asks for them."""
        return self.folder / "videos"

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        """Close the file (idempotent)."""
        with self._lock:
            if self._conn is not None:
                if self._depth:
                    raise StorageError("The library cannot be closed inside a transaction.")
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Library({str(self.path)!r})"

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[None]:
        """Run the block in one transaction: all of its writes happen, or none.

        The outermost block begins ``BEGIN IMMEDIATE`` (``write=False``: a read
        snapshot) and commits at its end; an exception rolls everything back.
        Nested blocks are savepoints: an exception inside one undoes only that
        block, if the outer block catches it.
        """
        with self._lock:
            conn = self._db
            if self._depth:
                name = f"gaitlab_sp{self._depth}"
                self._exec(f"SAVEPOINT {name}")
                self._depth += 1
                try:
                    yield
                except BaseException:
                    self._exec(f"ROLLBACK TO {name}")
                    self._exec(f"RELEASE {name}")
                    raise
                else:
                    self._exec(f"RELEASE {name}")
                finally:
                    self._depth -= 1
                return
            self._exec("BEGIN IMMEDIATE" if write else "BEGIN")
            self._depth = 1
            try:
                yield
                self._exec("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error as exc:  # the connection is gone; SQLite rolls back itself
                        log.warning("Rollback of the library %s failed: %s", self.path, exc)
                hooks, self._after_rollback = self._after_rollback, []
                self._after_commit = []
                self._depth = 0
                for hook in hooks:
                    hook()
                raise
            hooks, self._after_commit = self._after_commit, []
            self._after_rollback = []
            self._depth = 0
            for hook in hooks:
                hook()

    def call_after_commit(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` once the current outermost transaction has committed."""
        self._require_transaction()
        self._after_commit.append(hook)

    def call_after_rollback(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` if the current outermost transaction is rolled back."""
        self._require_transaction()
        self._after_rollback.append(hook)

    def _require_transaction(self) -> None:
        if not self._depth:
            raise StorageError("This library operation must run inside a transaction.")

    def _exec(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path) from None

    def _rows(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row | tuple]:
        with self._lock:
            return self._exec(sql, params).fetchall()

    # ------------------------------------------------------------------ patients

    _PATIENT_COLUMNS = (
        "id, patient_id, name, birth_year, sex, height_cm, surgery_date, surgery_levels, "
        "surgery_fused_to_sacrum, surgery_approach, notes"
    )

    @staticmethod
    def _patient_from_row(row: tuple) -> Patient:
        (
            _,
            patient_id,
            name,
            birth_year,
            sex,
            height_cm,
            s_date,
            s_levels,
            s_sacrum,
            s_approach,
            notes,
        ) = row
        return Patient(
            patient_id=patient_id,
            name=name,
            birth_year=birth_year,
            sex=sex,
            height_cm=height_cm,
            surgery=Surgery(
                date=dt.date.fromisoformat(s_date) if s_date else None,
                levels=s_levels,
                fused_to_sacrum=None if s_sacrum is None else bool(s_sacrum),
                approach=s_approach,
            ),
            notes=notes,
        )

    def _patient_row(self, patient_id: str) -> tuple:
        key = check_patient_id(patient_id)
        rows = self._rows(
            f"SELECT {self._PATIENT_COLUMNS} FROM patients WHERE patient_id = ?", (key,)
        )
        if not rows:
            raise InputError(f"There is no patient {key} in the library.")
        return tuple(rows[0])

    def has_patient(self, patient_id: str) -> bool:
        """Whether a patient with this pseudonymous ID exists (case-insensitive)."""
        key = check_patient_id(patient_id)
        return bool(self._rows("SELECT 1 FROM patients WHERE patient_id = ?", (key,)))

    def get_patient(self, patient_id: str) -> Patient:
        """The patient with this pseudonymous ID; :class:`InputError` if unknown."""
        return self._patient_from_row(self._patient_row(patient_id))

    def list_patients(self) -> list[Patient]:
        """All patients, ordered by ID."""
        rows = self._rows(f"SELECT {self._PATIENT_COLUMNS} FROM patients ORDER BY patient_id")
        return [self._patient_from_row(tuple(r)) for r in rows]

    def find_patients(self, search: str) -> list[Patient]:
        """Patients whose ID or name contains ``search`` (case-insensitive), ordered by ID."""
        text = (search or "").strip()
        if not text:
            return self.list_patients()
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._rows(
            f"SELECT {self._PATIENT_COLUMNS} FROM patients "
            "WHERE patient_id LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' ORDER BY patient_id",
            (pattern, pattern),
        )
        return [self._patient_from_row(tuple(r)) for r in rows]

    @staticmethod
    def _patient_values(p: Patient) -> tuple:
        s = p.surgery
        return (
            p.name,
            p.birth_year,
            p.sex,
            p.height_cm,
            s.date.isoformat() if s.date else None,
            s.levels,
            None if s.fused_to_sacrum is None else int(s.fused_to_sacrum),
            s.approach,
            p.notes,
        )

    def add_patient(self, patient: Patient) -> Patient:
        """Store a new patient; :class:`InputError` if the ID exists or a field is bad."""
        p = check_patient(patient)
        with self.transaction():
            if self._rows("SELECT 1 FROM patients WHERE patient_id = ?", (p.patient_id,)):
                raise InputError(f"A patient with ID {p.patient_id} already exists in the library.")
            self._exec(
                "INSERT INTO patients (patient_id, name, birth_year, sex, height_cm, surgery_date, "
                "surgery_levels, surgery_fused_to_sacrum, surgery_approach, notes, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (p.patient_id, *self._patient_values(p), _utc_now().isoformat()),
            )
        return p

    def update_patient(self, patient: Patient) -> Patient:
        """Replace the stored fields of an existing patient (found by ID).

        Raises :class:`InputError` when the patient is unknown, or when the new birth
        year would put one of the patient's visits before birth.
        """
        p = check_patient(patient)
        with self.transaction():
            row = self._patient_row(p.patient_id)
            if p.birth_year is not None:
                early = self._rows(
                    "SELECT min(visit_date) FROM visits WHERE patient_ref = ?", (row[0],)
                )[0][0]
                if early and dt.date.fromisoformat(early).year < p.birth_year:
                    raise InputError(
                        f"The birth year {p.birth_year} is after the visit of {p.patient_id} on {early}."
                    )
            self._exec(
                "UPDATE patients SET name = ?, birth_year = ?, sex = ?, height_cm = ?, surgery_date = ?, "
                "surgery_levels = ?, surgery_fused_to_sacrum = ?, surgery_approach = ?, notes = ? "
                "WHERE id = ?",
                (*self._patient_values(p), row[0]),
            )
        return replace(p, patient_id=row[1])

    def delete_patient(self, patient_id: str) -> None:
        """Delete a patient with all visits and recordings (and the library's video copies)."""
        with self.transaction():
            ref = self._patient_row(patient_id)[0]
            copies = self._rows(
                "SELECT r.video_path FROM recordings r JOIN visits v ON v.id = r.visit_id "
                "WHERE v.patient_ref = ? AND r.video_copied = 1",
                (ref,),
            )
            self._exec("DELETE FROM patients WHERE id = ?", (ref,))
            self._remove_copies_after_commit([c[0] for c in copies])

    # ------------------------------------------------------------------ visits

    _VISIT_COLUMNS = (
        "v.id, p.patient_id, p.surgery_date, v.visit_date, v.label, v.hip_pain_left_nrs, "
        "v.hip_pain_right_nrs, v.back_pain_nrs, v.odi_pct, v.walking_aid, v.footwear, "
        "v.pain_at_test_nrs, v.notes"
    )

    def _visits_where(self, where: str, params: tuple) -> list[Visit]:
        with self.transaction(write=False):
            rows = self._rows(
                f"SELECT {self._VISIT_COLUMNS} FROM visits v JOIN patients p ON p.id = v.patient_ref "
                f"WHERE {where} ORDER BY v.visit_date, v.id",
                params,
            )
            ids = [r[0] for r in rows]
            treatments = self._keys_by_visit("visit_treatments", "treatment", ids)
            flags = self._keys_by_visit("visit_red_flags", "red_flag", ids)
        visits = []
        for vid, pid, s_date, v_date, label, hl, hr, back, odi, aid, foot, pat, notes in rows:
            date = dt.date.fromisoformat(v_date)
            surgery = Surgery(date=dt.date.fromisoformat(s_date) if s_date else None)
            visits.append(
                Visit(
                    patient_id=pid,
                    date=date,
                    label=label,
                    hip_pain_left_nrs=hl,
                    hip_pain_right_nrs=hr,
                    back_pain_nrs=back,
                    odi_pct=odi,
                    treatments=treatments.get(vid, ()),
                    walking_aid=aid,
                    footwear=foot,
                    pain_at_test_nrs=pat,
                    red_flags=flags.get(vid, ()),
                    notes=notes,
                    visit_id=vid,
                    days_since_surgery=days_since_surgery(date, surgery),
                )
            )
        return visits

    def _keys_by_visit(self, table: str, column: str, ids: list[int]) -> dict[int, tuple[str, ...]]:
        order = list(TREATMENTS if table == "visit_treatments" else RED_FLAGS)
        found: dict[int, list[str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for vid, key in self._rows(
                f"SELECT visit_id, {column} FROM {table} WHERE visit_id IN ({marks})", tuple(chunk)
            ):
                found.setdefault(vid, []).append(key)
        return {vid: tuple(sorted(keys, key=order.index)) for vid, keys in found.items()}

    def get_visit(self, visit_id: int) -> Visit:
        """The visit with this ID; :class:`InputError` if there is none."""
        visits = self._visits_where("v.id = ?", (int(visit_id),))
        if not visits:
            raise InputError(f"There is no visit {visit_id} in the library.")
        return visits[0]

    def list_visits(self, patient_id: str) -> list[Visit]:
        """The patient's visits by date; :class:`InputError` for an unknown patient."""
        ref = self._patient_row(patient_id)[0]
        return self._visits_where("v.patient_ref = ?", (ref,))

    def find_visit(self, patient_id: str, date: dt.date, label: str = "") -> Visit | None:
        """The patient's visit on ``date`` with ``label`` (labels compare exactly), or None."""
        ref = self._patient_row(patient_id)[0]
        visits = self._visits_where(
            "v.patient_ref = ? AND v.visit_date = ? AND v.label = ?",
            (ref, date.isoformat(), (label or "").strip()),
        )
        return visits[0] if visits else None

    def check_visit(self, visit: Visit) -> Visit:
        """The normalised visit as :meth:`add_visit` would store it, without writing.

        Raises :class:`InputError` for an unknown patient or a bad field.
        """
        return check_visit(visit, self.get_patient(visit.patient_id))

    def _write_visit_keys(self, visit_id: int, v: Visit) -> None:
        self._exec("DELETE FROM visit_treatments WHERE visit_id = ?", (visit_id,))
        self._exec("DELETE FROM visit_red_flags WHERE visit_id = ?", (visit_id,))
        for key in v.treatments:
            self._exec(
                "INSERT INTO visit_treatments (visit_id, treatment) VALUES (?, ?)", (visit_id, key)
            )
        for key in v.red_flags:
            self._exec(
                "INSERT INTO visit_red_flags (visit_id, red_flag) VALUES (?, ?)", (visit_id, key)
            )

    def _check_unique_visit(self, ref: int, v: Visit, own_id: int | None) -> None:
        clash = self._rows(
            "SELECT id FROM visits WHERE patient_ref = ? AND visit_date = ? AND label = ? AND id IS NOT ?",
            (ref, v.date.isoformat(), v.label, own_id),
        )
        if clash:
            label = f" labelled '{v.label}'" if v.label else " without a label"
            raise InputError(
                f"{v.patient_id} already has a visit on {v.date}{label} (visit {clash[0][0]})."
            )

    @staticmethod
    def _visit_values(v: Visit) -> tuple:
        return (
            v.date.isoformat(),
            v.label,
            v.hip_pain_left_nrs,
            v.hip_pain_right_nrs,
            v.back_pain_nrs,
            v.odi_pct,
            v.walking_aid,
            v.footwear,
            v.pain_at_test_nrs,
            v.notes,
        )

    def add_visit(self, visit: Visit) -> Visit:
        """Store a new visit of an existing patient; returns it with ``visit_id`` set.

        Raises :class:`InputError` for an unknown patient, a bad field, or a second
        visit of the patient with the same date and label.
        """
        with self.transaction():
            patient_row = self._patient_row(visit.patient_id)
            v = check_visit(visit, self._patient_from_row(patient_row))
            self._check_unique_visit(patient_row[0], v, None)
            cur = self._exec(
                "INSERT INTO visits (patient_ref, visit_date, label, hip_pain_left_nrs, "
                "hip_pain_right_nrs, back_pain_nrs, odi_pct, walking_aid, footwear, "
                "pain_at_test_nrs, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (patient_row[0], *self._visit_values(v), _utc_now().isoformat()),
            )
            visit_id = int(cur.lastrowid or 0)
            self._write_visit_keys(visit_id, v)
        return replace(v, visit_id=visit_id)

    def update_visit(self, visit: Visit) -> Visit:
        """Replace the stored fields of the visit ``visit.visit_id`` (same patient)."""
        if visit.visit_id is None:
            raise InputError("The visit to update has no visit ID.")
        with self.transaction():
            old = self.get_visit(visit.visit_id)
            if old.patient_id.lower() != visit.patient_id.strip().lower():
                raise InputError(
                    f"Visit {visit.visit_id} belongs to {old.patient_id}, not {visit.patient_id}."
                )
            patient_row = self._patient_row(old.patient_id)
            v = check_visit(visit, self._patient_from_row(patient_row))
            self._check_unique_visit(patient_row[0], v, visit.visit_id)
            self._exec(
                "UPDATE visits SET visit_date = ?, label = ?, hip_pain_left_nrs = ?, "
                "hip_pain_right_nrs = ?, back_pain_nrs = ?, odi_pct = ?, walking_aid = ?, "
                "footwear = ?, pain_at_test_nrs = ?, notes = ? WHERE id = ?",
                (*self._visit_values(v), visit.visit_id),
            )
            self._write_visit_keys(visit.visit_id, v)
        return v

    def delete_visit(self, visit_id: int) -> None:
        """Delete a visit with its recordings (and the library's video copies)."""
        with self.transaction():
            self.get_visit(visit_id)
            copies = self._rows(
                "SELECT video_path FROM recordings WHERE visit_id = ? AND video_copied = 1",
                (visit_id,),
            )
            self._exec("DELETE FROM visits WHERE id = ?", (visit_id,))
            self._remove_copies_after_commit([c[0] for c in copies])

    # ------------------------------------------------------------------ recordings

    _RECORDING_COLUMNS = (
        "id, visit_id, video_path, original_path, sha256, view, status, warning, analysed_at, "
        "gaitlab_version, model_variant, model_sha256, video_copied, metrics_json"
    )

    def _recording_from_row(self, row: tuple, result_json: str | None) -> Recording:
        (
            rid,
            vid,
            path,
            original,
            sha,
            view,
            status,
            warning,
            analysed_at,
            version,
            variant,
            model_sha,
            copied,
            metrics,
        ) = row
        return Recording(
            recording_id=rid,
            visit_id=vid,
            video_path=str(self._absolute_video_path(path)),
            original_path=original,
            sha256=sha,
            view=view,
            status=status,
            warning=warning,
            analysed_at=dt.datetime.fromisoformat(analysed_at),
            gaitlab_version=version,
            model_variant=variant,
            model_sha256=model_sha,
            video_copied=bool(copied),
            metrics=json.loads(metrics),
            result=json.loads(result_json) if result_json is not None else None,
        )

    def _absolute_video_path(self, stored: str) -> Path:
        p = Path(stored)
        return p if p.is_absolute() else self.folder / p

    def _recordings_where(self, where: str, params: tuple, with_result: bool) -> list[Recording]:
        extra = ", result_json" if with_result else ""
        rows = self._rows(
            f"SELECT {self._RECORDING_COLUMNS}{extra} FROM recordings WHERE {where} ORDER BY id",
            params,
        )
        if with_result:
            return [self._recording_from_row(tuple(r[:-1]), r[-1]) for r in rows]
        return [self._recording_from_row(tuple(r), None) for r in rows]

    def get_recording(self, recording_id: int, *, with_result: bool = True) -> Recording:
        """The recording with this ID (with its analysis document by default)."""
        found = self._recordings_where("id = ?", (int(recording_id),), with_result)
        if not found:
            raise InputError(f"There is no recording {recording_id} in the library.")
        return found[0]

    def list_recordings(self, visit_id: int, *, with_result: bool = False) -> list[Recording]:
        """The recordings of a visit in import order (metrics always, documents on request)."""
        return self._recordings_where("visit_id = ?", (int(visit_id),), with_result)

    def find_recording_by_sha256(
        self, sha256: str, *, with_result: bool = False
    ) -> Recording | None:
        """The recording of the video with this SHA-256, or None (each video is stored once)."""
        return next(
            iter(self._recordings_where("sha256 = ?", (str(sha256).lower(),), with_result)), None
        )

    def describe_recording_owner(self, recording: Recording) -> tuple[str, Visit]:
        """The patient ID and visit a recording belongs to."""
        visit = self.get_visit(recording.visit_id)
        return visit.patient_id, visit

    def add_recording(
        self,
        visit_id: int,
        video_path: str | os.PathLike,
        sha256: str,
        view: str,
        result: dict[str, Any],
        *,
        status: str = "ok",
        warning: str = "",
        original_path: str | os.PathLike | None = None,
        video_copied: bool = False,
        analysed_at: dt.datetime | None = None,
    ) -> Recording:
        """Attach an analysed video to a visit.

        Parameters
        ----------
        visit_id : int
        video_path : path-like
            Where the video is kept (inside :attr:`videos_folder` when copied;
            stored relative to the library folder then, so the library can move).
        sha256 : str
            SHA-256 of the video file (64 hex digits).
        view : {"sagittal", "frontal"}
            Must equal ``result["view"]``.
        result : dict
            The analysis document (``spec/analysis-v1.md``); it is validated.
        status : {"ok", "too_little_walking"}
        warning : str
            Why the analysis is partial (for ``too_little_walking``).
        original_path : path-like, optional
            Where the video was imported from (default ``video_path``).
        video_copied : bool
            True when ``video_path`` is the library's own copy.
        analysed_at : datetime, optional
            When the analysis ran (default: now, UTC).

        Raises
        ------
        InputError
            Unknown visit, bad view or status, the video's SHA-256 differs from the
            document's, or the video is already in the library.
        ValidationError
            ``result`` is not a valid analysis document.
        """
        sha = str(sha256).strip().lower()
        if len(sha) != 64 or not set(sha) <= _SHA256_HEX:
            raise InputError(f"'{sha256}' is not a SHA-256 of a video (64 hex digits).")
        if view not in VIEWS:
            raise InputError(f"The view must be one of {', '.join(VIEWS)}; got {view!r}.")
        if status not in RECORDING_STATUSES:
            raise InputError(
                f"The recording status must be one of {', '.join(RECORDING_STATUSES)}."
            )
        if not isinstance(result, dict):
            raise ValidationError("The analysis result must be a JSON object.")
        validate_document(result)
        if result["view"] != view:
            raise InputError(
                f"The analysis was made for the {result['view']} view, not the {view} view."
            )
        doc_sha = str(result["video"].get("sha256") or "").lower()
        if doc_sha and doc_sha != sha:
            raise InputError(
                f"The video {Path(video_path).name} changed between hashing and analysis; import it again."
            )
        try:
            result_json = json.dumps(
                result, allow_nan=False, separators=(",", ":"), ensure_ascii=False
            )
            metrics_json = json.dumps(
                result.get("metrics") or {}, allow_nan=False, ensure_ascii=False
            )
        except ValueError:
            raise ValidationError("The analysis result holds NaN or infinite numbers.") from None
        model = result.get("model") or {}
        stored_path = Path(video_path)
        if video_copied:
            try:
                stored_path = stored_path.resolve().relative_to(self.folder.resolve())
            except ValueError:
                raise InputError(
                    "A copied video must be inside the library's videos folder."
                ) from None
        else:
            stored_path = stored_path.expanduser().absolute()
        when = analysed_at or _utc_now()
        if when.tzinfo is None:
            raise InputError("The analysis time must carry a time zone.")
        with self.transaction():
            self.get_visit(visit_id)
            existing = self.find_recording_by_sha256(sha)
            if existing is not None:
                owner, visit = self.describe_recording_owner(existing)
                raise InputError(
                    f"The video {Path(video_path).name} is already in the library "
                    f"(recording {existing.recording_id} of {owner}, visit {visit.date})."
                )
            cur = self._exec(
                "INSERT INTO recordings (visit_id, video_path, sha256, view, result_json, analysed_at, "
                "gaitlab_version, model_variant, model_sha256, original_path, video_copied, status, "
                "warning, metrics_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    int(visit_id),
                    str(stored_path),
                    sha,
                    view,
                    result_json,
                    when.astimezone(dt.timezone.utc).isoformat(),
                    str(result.get("gaitlab_version", "")),
                    str(model.get("variant", "")),
                    str(model.get("sha256", "")),
                    str(Path(original_path or video_path).expanduser().absolute()),
                    int(bool(video_copied)),
                    status,
                    (warning or "").strip(),
                    metrics_json,
                ),
            )
            rec_id = int(cur.lastrowid or 0)
            # A new analysis of a video (another person, another view) keeps the
            # measurements drawn on its frames at this visit.
            self._exec(
                "UPDATE measurements SET recording_id = ? "
                "WHERE recording_id IS NULL AND visit_id = ? AND video_sha256 = ?",
                (rec_id, int(visit_id), sha),
            )
        return self.get_recording(rec_id, with_result=False)

    def delete_recording(self, recording_id: int) -> None:
        """Delete a recording (and the library's copy of its video, after commit).

        Manual measurements drawn on its frames stay with the visit, without a
        recording, until the same video is analysed again for the visit.
        """
        with self.transaction():
            rec = self.get_recording(recording_id, with_result=False)
            self._exec("DELETE FROM recordings WHERE id = ?", (rec.recording_id,))
            if rec.video_copied:
                self._remove_copies_after_commit([rec.video_path])

    def _remove_copies_after_commit(self, paths: list[str]) -> None:
        videos = self.videos_folder.resolve()
        for stored in paths:
            target = self._absolute_video_path(stored).resolve()
            if target.parent != videos:  # only ever delete the library's own copies
                continue

            def remove(target: Path = target) -> None:
                try:
                    target.unlink(missing_ok=True)
                except OSError as exc:
                    log.warning("The video copy %s could not be removed: %s", target, exc)

            self.call_after_commit(remove)

    # ------------------------------------------------------------------ manual measurements

    _MEASUREMENT_COLUMNS = (
        "id, visit_id, recording_id, video_sha256, label, measurement_json, created_at"
    )

    def _measurement_from_row(self, row: tuple) -> StoredMeasurement:
        mid, vid, rid, sha, label, data, created = row
        try:
            m = Measurement.from_dict(json.loads(data))
        except (ValueError, ValidationError) as exc:
            raise StorageError(
                f"Measurement {mid} in the library {self.path} is damaged ({exc})."
            ) from None
        return StoredMeasurement(
            measurement_id=mid,
            visit_id=vid,
            recording_id=rid,
            video_sha256=sha,
            measurement=replace(m, label=label),
            created_at=dt.datetime.fromisoformat(created),
        )

    def _measurements_where(self, where: str, params: tuple) -> list[StoredMeasurement]:
        rows = self._rows(
            f"SELECT {self._MEASUREMENT_COLUMNS} FROM measurements WHERE {where} ORDER BY id",
            params,
        )
        return [self._measurement_from_row(tuple(r)) for r in rows]

    @staticmethod
    def _check_on_frame(m: Measurement, rec: Recording) -> None:
        """The frame time and the points fit the recording's video."""
        video = (rec.result or {}).get("video") or {}
        duration = float(video.get("duration_s") or 0.0)
        fps = float(video.get("fps") or 0.0)
        slack = 1.0 / fps if fps > 0 else 0.1
        if duration > 0 and m.time_s > duration + slack:
            raise InputError(
                f"The frame at {m.time_s:.2f} s is past the end of the video ({duration:.2f} s)."
            )
        width, height = float(video.get("width") or 0), float(video.get("height") or 0)
        if width > 0 and height > 0:
            for i, (x, y) in enumerate(m.points_px, 1):
                if not (0.0 <= x <= width and 0.0 <= y <= height):
                    raise InputError(
                        f"Point {i} of the measurement lies outside the video frame "
                        f"({width:.0f} x {height:.0f} pixels)."
                    )

    def add_measurement(self, recording_id: int, measurement: Measurement) -> StoredMeasurement:
        """Keep a manual measurement drawn on a frame of a recording, with its visit.

        Parameters
        ----------
        recording_id : int
            The recording whose video frame it was drawn on.
        measurement : Measurement
            Built with :meth:`Measurement.create`; its ``label`` (what the therapist
            typed, e.g. "standing pelvic tilt") is required.

        Raises
        ------
        InputError
            Unknown recording, a missing or overlong label, a frame time past the
            end of the video, or a point outside the video frame.
        ValidationError
            ``measurement`` is not a :class:`Measurement`.
        """
        if not isinstance(measurement, Measurement):
            raise ValidationError("A manual measurement must be built with Measurement.create.")
        label = check_measurement_label(measurement.label)
        m = replace(measurement, label=label)
        data = json.dumps(m.to_dict(), allow_nan=False, ensure_ascii=False)
        with self.transaction():
            rec = self.get_recording(recording_id, with_result=True)
            self._check_on_frame(m, rec)
            cur = self._exec(
                "INSERT INTO measurements (visit_id, recording_id, video_sha256, label, kind, reference, "
                "value_deg, time_s, measurement_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rec.visit_id,
                    rec.recording_id,
                    rec.sha256,
                    label,
                    m.kind,
                    m.reference,
                    m.value_deg,
                    m.time_s,
                    data,
                    _utc_now().isoformat(),
                ),
            )
            new_id = int(cur.lastrowid or 0)
        return self.get_measurement(new_id)

    def get_measurement(self, measurement_id: int) -> StoredMeasurement:
        """The measurement with this ID; :class:`InputError` if there is none."""
        found = self._measurements_where("id = ?", (int(measurement_id),))
        if not found:
            raise InputError(f"There is no measurement {measurement_id} in the library.")
        return found[0]

    def list_measurements(self, visit_id: int) -> list[StoredMeasurement]:
        """The visit's manual measurements in the order they were saved."""
        with self.transaction(write=False):
            self.get_visit(visit_id)
            return self._measurements_where("visit_id = ?", (int(visit_id),))

    def list_recording_measurements(self, recording_id: int) -> list[StoredMeasurement]:
        """The manual measurements drawn on frames of this recording, in the order saved."""
        with self.transaction(write=False):
            self.get_recording(recording_id, with_result=False)
            return self._measurements_where("recording_id = ?", (int(recording_id),))

    def update_measurement_label(self, measurement_id: int, label: str) -> StoredMeasurement:
        """Rename a measurement (its points and value stay)."""
        text = check_measurement_label(label)
        with self.transaction():
            old = self.get_measurement(measurement_id)
            m = replace(old.measurement, label=text)
            self._exec(
                "UPDATE measurements SET label = ?, measurement_json = ? WHERE id = ?",
                (text, json.dumps(m.to_dict(), allow_nan=False, ensure_ascii=False), old.measurement_id),
            )
        return self.get_measurement(measurement_id)

    def delete_measurement(self, measurement_id: int) -> None:
        """Delete a manual measurement; :class:`InputError` if there is none."""
        with self.transaction():
            self.get_measurement(measurement_id)
            self._exec("DELETE FROM measurements WHERE id = ?", (int(measurement_id),))

    # ------------------------------------------------------------------ visit summary

