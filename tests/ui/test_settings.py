"""The app's settings file: defaults, round trip, migrations from every earlier version, refusal of newer files."""

from __future__ import annotations

import json
import os

import pytest

from ui.settings import (
    MIGRATIONS,
    SCHEMA_VERSION,
    AppSettings,
    SettingsError,
    load_settings,
    migrate_settings,
    save_settings,
    settings_path,
)


def test_settings_live_in_the_test_folder_not_the_users(tmp_path):
    assert settings_path().parent == tmp_path / "settings"
    assert str(settings_path()).startswith(str(tmp_path))


def test_defaults_when_there_is_no_file():
    assert not settings_path().exists()
    assert load_settings() == AppSettings()


def test_round_trip_writes_the_current_version():
    s = AppSettings(model_variant="heavy", lowpass_hz=4.5, library_path="/data/lib.sqlite", copy_videos=True)
    path = save_settings(s)
    data = json.loads(path.read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert load_settings() == s


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_every_earlier_version_migrates(version):
    old = {"model_variant": "lite", "lowpass_hz": 8, "library_path": "/x/lib.sqlite"}
    if version > 0:
        old["schema_version"] = version
    if version >= 2:
        old["copy_videos"] = True
    migrated = migrate_settings(old)
    assert migrated["schema_version"] == SCHEMA_VERSION
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps(old))
    loaded = load_settings()
    assert (loaded.model_variant, loaded.lowpass_hz, loaded.library_path) == ("lite", 8.0, "/x/lib.sqlite")
    assert loaded.copy_videos is False  # version 2 introduced it, off by default


def test_every_version_step_has_a_migration():
    assert sorted(MIGRATIONS) == list(range(SCHEMA_VERSION))


def test_a_newer_file_is_refused_and_left_untouched():
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"schema_version": SCHEMA_VERSION + 1, "model_variant": "full", "future": 1})
    settings_path().write_text(text)
    before = os.stat(settings_path()).st_mtime_ns
    with pytest.raises(SettingsError, match="newer gaitlab"):
        load_settings()
    assert settings_path().read_text() == text
    assert os.stat(settings_path()).st_mtime_ns == before


@pytest.mark.parametrize(
    "content, match",
    [
        ("{not json", "not readable JSON"),
        ("[1, 2]", "does not hold gaitlab settings"),
        (json.dumps({"schema_version": 2, "model_variant": "huge"}), "pose model must be one of"),
        (json.dumps({"schema_version": 2, "lowpass_hz": 40}), "between 2 and 15 Hz"),
        (json.dumps({"schema_version": 2, "lowpass_hz": "fast"}), "number of hertz"),
        (json.dumps({"schema_version": "two"}), "unreadable version"),
    ],
)
def test_bad_files_give_one_sentence(content, match):
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(content)
    with pytest.raises(SettingsError, match=match) as info:
        load_settings()
    assert "\n" not in str(info.value)


def test_saving_to_an_unwritable_place_is_a_settings_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SettingsError, match="could not be saved"):
        save_settings(AppSettings(), blocker / "settings.json")
