"""The lite and heavy landmark networks from MediaPipe's npm package, for offline builds.

The ``mediapipe`` wheel on the Python package index carries only the ``full``
landmark network.  MediaPipe's legacy web solution, the npm package
``@mediapipe/pose@0.5.1675469404`` (Apache-2.0), carries all three; its full
network is byte-identical to the wheel's.  Hospital networks that reach only
package registries can therefore still build the lite and heavy pose models:
the detector comes from the wheel (:mod:`gaitlab.pose._model_offline`), the
landmark network from this package.

The package tarball is found in this order:

1. ``GAITLAB_MEDIAPIPE_NPM``, a tarball already on disk (nothing is fetched);
2. ``npm pack``, when ``npm`` is on the PATH (it follows the npm configuration,
   so the hospital's registry and proxy settings apply);
3. a plain download from the registry, ``https://registry.npmjs.org/`` unless
   ``GAITLAB_NPM_REGISTRY`` names a mirror (which ``npm pack`` is then given too).

Only the named member's bytes are read from the tarball; nothing is unpacked to
disk, and each network is checked against its sha256 before it is used.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tarfile
import urllib.parse
import zlib
from pathlib import Path

from gaitlab.errors import ModelError
from gaitlab.pose._download import download_file
from gaitlab.pose._tflite_metadata import ImageInputSpec
from gaitlab.progress import NullProgress, Progress

NPM_PACKAGE = "@mediapipe/pose"
NPM_VERSION = "0.5.1675469404"
NPM_SPEC = f"{NPM_PACKAGE}@{NPM_VERSION}"
NPM_TARBALL_NAME = f"mediapipe-pose-{NPM_VERSION}.tgz"
"""File name ``npm pack`` gives the tarball."""
NPM_TARBALL_ENV = "GAITLAB_MEDIAPIPE_NPM"
"""Environment variable naming the package tarball already on disk (skips npm and network)."""
NPM_REGISTRY_ENV = "GAITLAB_NPM_REGISTRY"
"""Environment variable naming an npm registry mirror (default :data:`DEFAULT_REGISTRY`)."""
DEFAULT_REGISTRY = "https://registry.npmjs.org/"
NPM_TIMEOUT_S = 600.0
"""How long ``npm pack`` may take (it retries on its own before giving up)."""
DOWNLOAD_TIMEOUT_S = 20.0
"""Socket timeout of the registry download: connecting, and each wait for more data."""
MAX_MEMBER_BYTES = 64 * 1024 * 1024
"""Largest landmark network read from a tarball (the heavy one has 27.7 MB)."""

_LANDMARKS_DESCRIPTION = "33 body landmarks of one person in a 256x256 RGB crop."

# Per variant: the tarball member, its sha256 and its image input.
NPM_LANDMARK_MODELS = {
    "lite": (
        "package/pose_landmark_lite.tflite",
        "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
        ImageInputSpec(
            name="Pose landmarks detector (lite)",
            description=_LANDMARKS_DESCRIPTION,
            mean=0.0,
            std=255.0,
        ),
    ),
    "heavy": (
        "package/pose_landmark_heavy.tflite",
        "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
        ImageInputSpec(
            name="Pose landmarks detector (heavy)",
            description=_LANDMARKS_DESCRIPTION,
            mean=0.0,
            std=255.0,
        ),
    ),
}
NPM_VARIANTS = tuple(NPM_LANDMARK_MODELS)


def npm_tarball_url(registry: str | None = None) -> str:
    """Address of the package tarball in an npm registry.

    Parameters
    ----------
    registry : str, optional
        The registry's base address; default ``GAITLAB_NPM_REGISTRY``, else
        :data:`DEFAULT_REGISTRY`.  npm registries and their mirrors serve a
        scoped package's tarball at ``<registry>/@scope/name/-/name-<version>.tgz``.
    """
    base = registry or os.environ.get(NPM_REGISTRY_ENV) or DEFAULT_REGISTRY
    short_name = NPM_PACKAGE.split("/", 1)[1]
    return f"{base.rstrip('/')}/{NPM_PACKAGE}/-/{short_name}-{NPM_VERSION}.tgz"


def fetch_npm_tarball(
    dest_dir: str | os.PathLike, *, progress: Progress | None = None
) -> tuple[Path, str]:
    """Fetch the ``@mediapipe/pose`` package tarball into ``dest_dir``.

    Uses ``npm pack`` when ``npm`` is on the PATH; when npm is missing or fails,
    downloads the tarball from the registry (see the module docstring).

    Parameters
    ----------
    dest_dir : path-like
        An existing, empty folder (the caller deletes it afterwards).
    progress : Progress, optional
        Receives the registry download (stage ``"download"``, bytes).

    Returns
    -------
    (pathlib.Path, str)
        The tarball, and how it came: ``"npm"`` or the registry's host name.

    Raises
    ------
    ModelError
        When neither npm nor the registry download delivers the tarball.
    """
    dest = Path(dest_dir)
    npm_problem = None
    npm = shutil.which("npm")
    if npm is not None:
        try:
            return _npm_pack(npm, dest), "npm"
        except ModelError as exc:
            npm_problem = str(exc).rstrip(".")
    url = npm_tarball_url()
    target = dest / NPM_TARBALL_NAME
    try:
        download_file(
            url, target, progress or NullProgress(), timeout_s=DOWNLOAD_TIMEOUT_S,
            what="npm registry",
        )
    except ModelError as exc:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        download_problem = str(exc).rstrip(".")
        if npm_problem:
            raise ModelError(
                f"The npm package {NPM_SPEC} could not be fetched: {npm_problem}, and its "
                f"download failed: {download_problem}."
            ) from exc
        raise ModelError(
            f"The npm package {NPM_SPEC} could not be downloaded (npm is not installed): "
            f"{download_problem}."
        ) from exc
    return target, urllib.parse.urlsplit(url).netloc


def read_npm_landmarks(tarball: str | os.PathLike, variant: str) -> bytes:
    """The landmark network of ``variant`` inside the package tarball, checked.

    Reads the tarball as a stream up to the member and returns only that
    member's bytes; nothing is written to disk.

    Parameters
    ----------
    tarball : path-like
        The ``@mediapipe/pose`` package tarball (gzip-compressed tar).
    variant : {"lite", "heavy"}

    Returns
    -------
    bytes
        The TFLite landmark network (without gaitlab's metadata).

    Raises
    ------
    ModelError
        When the tarball cannot be read, is damaged or not a tarball, lacks the
        network, or holds a different one.
    """
    inner, sha256, _spec = NPM_LANDMARK_MODELS[variant]
    path = Path(tarball)
    name = path.name
    if not path.is_file():
        raise ModelError(f"The npm package tarball {path} does not exist.")
    try:
        with tarfile.open(path, mode="r:*") as archive:
            data = _read_member(archive, inner, name)
    except ModelError:
        raise
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise ModelError(
            f"The npm package tarball {name} is damaged, incomplete or not a tarball."
        ) from exc
    except OSError as exc:
        # gzip reports a damaged stream as an OSError subclass (BadGzipFile).
        if exc.errno is None:
            raise ModelError(
                f"The npm package tarball {name} is damaged, incomplete or not a tarball."
            ) from exc
        raise ModelError(
            f"The npm package tarball {name} cannot be read ({exc.strerror or exc})."
        ) from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ModelError(
            f"The npm package tarball {name} holds a different {Path(inner).name} than "
            f"{NPM_SPEC} (its checksum differs); it is not used."
        )
    return data


# --------------------------------------------------------------------------- internals


def _read_member(archive: tarfile.TarFile, inner: str, name: str) -> bytes:
    """Bytes of the first regular file named ``inner``, read without extracting."""
    for member in archive:
        if member.name != inner:
            continue
        if not member.isfile():
            raise ModelError(
                f"The npm package tarball {name} holds {inner} as a link or folder, not a file."
            )
        if member.size > MAX_MEMBER_BYTES:
            raise ModelError(
                f"The npm package tarball {name} holds a {inner} of {member.size} bytes, "
                "far larger than any pose model."
            )
        stream = archive.extractfile(member)
        if stream is None:  # pragma: no cover - regular files always have a stream
            break
        data = stream.read()
        if len(data) != member.size:
            raise ModelError(f"The npm package tarball {name} ends inside {inner}.")
        return data
    raise ModelError(
        f"The npm package tarball {name} does not contain {inner}; gaitlab needs {NPM_SPEC}."
    )


def _npm_pack(npm: str, dest: Path) -> Path:
    """Run ``npm pack`` for the package in ``dest``; return the tarball it wrote."""
    command = [npm, "pack", NPM_SPEC, "--ignore-scripts", "--no-fund", "--no-audit"]
    registry = os.environ.get(NPM_REGISTRY_ENV)
    if registry:
        command += ["--registry", registry]
    try:
        done = subprocess.run(
            command,
            cwd=dest,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ModelError(f"npm pack did not finish within {NPM_TIMEOUT_S:.0f} s.") from exc
    except OSError as exc:
        raise ModelError(f"npm could not be started ({exc.strerror or exc}).") from exc
    tarballs = sorted(dest.glob("*.tgz"))
    if done.returncode == 0 and len(tarballs) == 1:
        return tarballs[0]
    for stray in tarballs:
        with contextlib.suppress(OSError):
            stray.unlink()
    reason = _npm_error(done.stderr or done.stdout or "")
    if not reason:
        reason = f"it exited with status {done.returncode}" if done.returncode else "no tarball"
    raise ModelError(f"npm pack failed ({reason}).")


def _npm_error(output: str) -> str:
    """The telling line of npm's error output (its message, not the stack or log hints)."""
    code = ""
    for raw in output.splitlines():
        line = raw.strip()
        for prefix in ("npm error", "npm ERR!"):
            if line.startswith(prefix):
                line = line[len(prefix):].strip()
                break
        else:
            continue
        if not line or line.startswith(("at ", "A complete log", "{", "}", "syscall", "errno")):
            continue
        if line.startswith("code "):
            code = code or line[len("code "):].strip()
            continue
        return " ".join(line.split()).rstrip(".")
    return code
