"""The ``.task`` bundle of MediaPipe's pose landmarker: write it and check it.

A bundle is a zip archive holding two TFLite models, stored uncompressed:
``pose_detector.tflite`` (finds people) and ``pose_landmarks_detector.tflite``
(the 33 landmarks of one person).  Gaitlab writes each member's data at a
multiple of :data:`ZIP_ALIGNMENT_BYTES` from the start of the file, so the
runtime can use the weights where they lie instead of copying them.
"""

from __future__ import annotations

import os
import struct
import zipfile
from collections.abc import Mapping
from pathlib import Path

from gaitlab.errors import ModelError

DETECTOR_MEMBER = "pose_detector.tflite"
LANDMARKS_MEMBER = "pose_landmarks_detector.tflite"
BUNDLE_MEMBERS = (DETECTOR_MEMBER, LANDMARKS_MEMBER)
ZIP_ALIGNMENT_BYTES = 64
_FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # same bytes for the same models, on every machine
_LOCAL_HEADER_BYTES = 30
_ALIGN_EXTRA_ID = 0xD935  # zip "alignment" extra field (id, size, alignment, zero padding)


def write_task_bundle(path: str | os.PathLike, members: Mapping[str, bytes]) -> None:
    """Write ``members`` (name -> TFLite model bytes) as an uncompressed zip.

    The output is byte-for-byte reproducible: fixed timestamps, members in the
    given order, each member's data aligned to :data:`ZIP_ALIGNMENT_BYTES`.

    Parameters
    ----------
    path : path-like
        The file to write (overwritten).  Callers wanting an atomic update
        write to a temporary name and rename.
    members : mapping of str to bytes
        Member name -> content.
    """
    with open(path, "wb") as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # unix, so the archive is the same whichever OS wrote it
            info.external_attr = 0o644 << 16
            data_start = handle.tell() + _LOCAL_HEADER_BYTES + len(name.encode("utf-8"))
            info.extra = _alignment_extra(data_start)
            archive.writestr(info, data)


def member_data_offsets(path: str | os.PathLike) -> dict[str, int]:
    """Byte offset of each member's data from the start of the bundle file."""
    offsets = {}
    with open(path, "rb") as handle, zipfile.ZipFile(handle) as archive:
        for info in archive.infolist():
            handle.seek(info.header_offset)
            header = handle.read(_LOCAL_HEADER_BYTES)
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            offsets[info.filename] = info.header_offset + _LOCAL_HEADER_BYTES + name_len + extra_len
    return offsets


def check_task_bundle(path: str | os.PathLike) -> None:
    """Check that a file is an intact pose landmarker bundle.

    Checks the zip structure, every member's CRC, that both models are present
    and that each starts with the TFLite identifier ``TFL3``.

    Raises
    ------
    ModelError
        With one sentence naming the file and what is wrong with it.
    """
    name = Path(path).name
    try:
        with zipfile.ZipFile(path) as archive:
            present = set(archive.namelist())
            missing = [m for m in BUNDLE_MEMBERS if m not in present]
            if missing:
                raise ModelError(
                    f"The pose model {name} is not a pose landmarker bundle: "
                    f"it lacks {' and '.join(missing)}."
                )
            damaged = archive.testzip()
            if damaged is not None:
                raise ModelError(f"The pose model {name} is damaged ({damaged} fails its checksum).")
            for member in BUNDLE_MEMBERS:
                with archive.open(member) as stream:
                    head = stream.read(8)
                if len(head) < 8 or head[4:8] != b"TFL3":
                    raise ModelError(
                        f"The pose model {name} is damaged ({member} is not a TFLite model)."
                    )
    except zipfile.BadZipFile as exc:
        raise ModelError(
            f"The pose model {name} is not a complete pose landmarker bundle "
            "(it is truncated or not a .task file)."
        ) from exc
    except (EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise ModelError(f"The pose model {name} is damaged and cannot be read.") from exc
    except OSError as exc:
        raise ModelError(f"The pose model {name} cannot be read ({exc.strerror or exc}).") from exc


def _alignment_extra(data_start: int) -> bytes:
    """A zip extra field that moves data starting at ``data_start`` to an aligned offset."""
    minimum = 6  # id (2) + size (2) + alignment (2)
    pad = (-(data_start + minimum)) % ZIP_ALIGNMENT_BYTES
    return struct.pack("<HHH", _ALIGN_EXTRA_ID, 2 + pad, ZIP_ALIGNMENT_BYTES) + bytes(pad)
