"""The analysis result contract (``spec/analysis-v1.md``): its JSON Schema and checks.

The schema ships in the package (``gaitlab/schema/analysis-v1.schema.json``).
:func:`validate_document` checks a document against it and adds what a JSON Schema
cannot say: every series is as long as ``time_s``, and time strictly increases.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

from gaitlab.errors import ValidationError

SCHEMA_ID = "gaitlab.analysis/1"


@lru_cache(maxsize=1)
def load_schema() -> dict:
    """The JSON Schema of an analysis document."""
    text = resources.files("gaitlab").joinpath("schema/analysis-v1.schema.json").read_text("utf-8")
    return json.loads(text)


def validate_document(doc: dict) -> None:
    """Raise :class:`ValidationError` unless ``doc`` is a valid analysis document."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(document)"
        raise ValidationError(f"The analysis document is invalid at {where}: {first.message}.")
    times = doc["time_s"]
    if any(b <= a for a, b in zip(times, times[1:])):
        raise ValidationError("The analysis document's time_s is not strictly increasing.")
    for name, values in doc["series"].items():
        if values and len(values) != len(times):
            raise ValidationError(
                f"The series {name} has {len(values)} values for {len(times)} frame times."
            )


def json_ready(value, ndigits: int | None = None):
    """Turn numpy scalars/arrays and NaN into plain JSON values (NaN becomes null).

    ``ndigits`` rounds floats (e.g. 3: a thousandth of a degree or second, well
    below what video can resolve, and it keeps documents small).
    """
    if isinstance(value, dict):
        return {str(k): json_ready(v, ndigits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v, ndigits) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return json_ready(value.tolist(), ndigits)
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(f):
        return None
    return round(f, ndigits) if ndigits is not None else f
