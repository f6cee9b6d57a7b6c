"""The app's persisted settings: a small versioned JSON file, migrated on load.

The file lives in ``GAITLAB_SETTINGS_DIR`` when that is set (tests always set it),
otherwise in the user's config folder (platformdirs).  Every file carries
``schema_version``; :data:`MIGRATIONS` turns any earlier version into the current one,
step by step.  A file written by a newer gaitlab is never overwritten: the app runs
with defaults and says why.

This module has no Qt import, so the settings can be tested and used headless.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import platformdirs

from gaitlab.errors import GaitlabError

#: Version of the settings file this gaitlab writes.
SCHEMA_VERSION = 2

#: Pose model variants the user can choose (``gaitlab models list``).
MODEL_VARIANTS = ("lite", "full", "heavy")

#: Range of the low-pass filter cutoff the app accepts, in hertz.
LOWPASS_RANGE_HZ = (2.0, 15.0)

SETTINGS_FILE_NAME = "settings.json"


class SettingsError(GaitlabError):
    """The settings file or a settings value cannot be used."""


@dataclass(frozen=True)
class AppSettings:
    """What the user can set in the app.

    Attributes
    ----------
    model_variant : {"lite", "full", "heavy"}
        Pose model used for new analyses.
    lowpass_hz : float
        Cutoff of the zero-lag low-pass filter applied to the landmark tracks, in hertz.
    library_path : str
        The patient library file; empty means gaitlab's default location
        (``GAITLAB_LIBRARY`` or the user's data folder).
    copy_videos : bool
        Copy imported videos into the library folder instead of leaving them where they are.
    """

    model_variant: str = "full"
    lowpass_hz: float = 6.0
    library_path: str = ""
    copy_videos: bool = False

    def validated(self) -> AppSettings:
        """Return ``self`` when every value is usable; raise :class:`SettingsError` otherwise."""
        if self.model_variant not in MODEL_VARIANTS:
            raise SettingsError(
                f"The pose model must be one of {', '.join(MODEL_VARIANTS)}; got {self.model_variant!r}."
            )
        lo, hi = LOWPASS_RANGE_HZ
        try:
            cutoff = float(self.lowpass_hz)
        except (TypeError, ValueError):
            raise SettingsError(f"The filter cutoff must be a number of hertz; got {self.lowpass_hz!r}.") from None
        if not (lo <= cutoff <= hi):
            raise SettingsError(f"The filter cutoff must be between {lo:g} and {hi:g} Hz; got {cutoff:g} Hz.")
        if not isinstance(self.library_path, str):
            raise SettingsError("The library location must be a file path.")
        return replace(self, lowpass_hz=cutoff, copy_videos=bool(self.copy_videos))

    def to_json(self) -> dict:
        return {"schema_version": SCHEMA_VERSION, **asdict(self)}


def _migrate_0_to_1(data: dict) -> dict:
    """Unversioned files (hand-written, or from before versioning): keep known keys only."""
    known = {"model_variant", "lowpass_hz", "library_path"}
    return {k: v for k, v in data.items() if k in known}


def _migrate_1_to_2(data: dict) -> dict:
    """Version 2 adds the choice of copying imported videos into the library folder."""
    return {**data, "copy_videos": False}


#: ``MIGRATIONS[n]`` turns a version-``n`` dict into a version-``n + 1`` dict.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {0: _migrate_0_to_1, 1: _migrate_1_to_2}


def settings_dir() -> Path:
    """The folder of the settings file (``GAITLAB_SETTINGS_DIR`` or the user's config folder)."""
    override = os.environ.get("GAITLAB_SETTINGS_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("gaitlab", appauthor=False))


def settings_path() -> Path:
    return settings_dir() / SETTINGS_FILE_NAME


def migrate_settings(data: dict) -> dict:
    """Bring a settings dict of any earlier version to :data:`SCHEMA_VERSION`.

    Raises
    ------
    SettingsError
        When the dict is from a newer gaitlab or its version is not a number.
    """
    version = data.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise SettingsError(f"The settings file has an unreadable version ({version!r}).")
    if version > SCHEMA_VERSION:
        raise SettingsError(
            f"The settings file was written by a newer gaitlab (version {version}); "
            f"this gaitlab reads up to version {SCHEMA_VERSION}."
        )
    body = {k: v for k, v in data.items() if k != "schema_version"}
    while version < SCHEMA_VERSION:
        body = MIGRATIONS[version](body)
        version += 1
    return {"schema_version": SCHEMA_VERSION, **body}


def settings_from_dict(data: dict) -> AppSettings:
    """Validated settings from a dict of any supported version (unknown keys ignored)."""
    current = migrate_settings(data)
    fields = {k: current[k] for k in AppSettings.__dataclass_fields__ if k in current}
    return AppSettings(**fields).validated()


def load_settings(path: str | os.PathLike | None = None) -> AppSettings:
    """Read the settings file; defaults when there is none.

    Raises
    ------
    SettingsError
        When the file is not JSON, is from a newer gaitlab or holds an unusable value.
    """
    p = Path(path) if path is not None else settings_path()
    if not p.exists():
        return AppSettings()
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise SettingsError(f"The settings file {p} is not readable JSON.") from None
    if not isinstance(data, dict):
        raise SettingsError(f"The settings file {p} does not hold gaitlab settings.")
    return settings_from_dict(data)


def save_settings(settings: AppSettings, path: str | os.PathLike | None = None) -> Path:
    """Write the settings atomically (temporary file, then rename); returns the path."""
    settings = settings.validated()
    p = Path(path) if path is not None else settings_path()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=p.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(settings.to_json(), fh, indent=2)
        os.replace(tmp, p)
    except OSError as exc:
        raise SettingsError(f"The settings could not be saved to {p} ({exc.strerror}).") from None
    return p
