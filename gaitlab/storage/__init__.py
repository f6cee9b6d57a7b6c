"""The patient library: patients, visits and analysed recordings in one SQLite file.

Open it with :class:`Library` (a context manager).  The file lives at
``$GAITLAB_LIBRARY`` or ``library.sqlite`` in the user data folder
(:func:`default_library_path`).  Records are frozen dataclasses
(:class:`Patient`, :class:`Surgery`, :class:`Visit`, :class:`Recording`,
:class:`StoredMeasurement`); bad
values raise :class:`gaitlab.errors.InputError`, library problems
:class:`gaitlab.errors.StorageError`.
"""

from gaitlab.storage.library import LIBRARY_ENV, Library, default_library_path
from gaitlab.storage.records import (
    RED_FLAGS,
    TREATMENTS,
    VIEWS,
    WALKING_AIDS,
    Patient,
    Recording,
    StoredMeasurement,
    Surgery,
    Visit,
    check_measurement_label,
    check_patient,
    check_visit,
    days_since_surgery,
    parse_date,
)
from gaitlab.storage.schema import SCHEMA_VERSION

__all__ = [
    "LIBRARY_ENV",
    "RED_FLAGS",
    "SCHEMA_VERSION",
    "TREATMENTS",
    "VIEWS",
    "WALKING_AIDS",
    "Library",
    "Patient",
    "Recording",
    "StoredMeasurement",
    "Surgery",
    "Visit",
    "check_measurement_label",
    "check_patient",
    "check_visit",
    "days_since_surgery",
    "default_library_path",
    "parse_date",
]
