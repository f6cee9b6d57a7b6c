"""Typed errors of gaitlab's core.

Every error carries one sentence a clinician understands (``str(error)``).  The
command line prints it and exits with ``exit_code``; the app shows it in a dialog.
"""

from __future__ import annotations


class GaitlabError(Exception):
    """Base of every error gaitlab raises on purpose.

    Attributes
    ----------
    exit_code : int
        Exit status of the ``gaitlab`` command for this error (2 = bad input).
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # one clear sentence, no repr noise
        return self.message


class InputError(GaitlabError):
    """A file, option or value given by the user cannot be used."""


class VideoError(InputError):
    """The video is missing, is not a video, cannot be decoded or has no frames."""


class NoPersonError(InputError):
    """No person was found in the video (or the requested person does not exist)."""


class TooLittleWalkingError(GaitlabError):
    """A person was found, but there is too little walking to measure gait.

    Exit code 3: the analysis document is still written with a warning.
    """

    exit_code = 3


class ModelError(GaitlabError):
    """The pose model cannot be found, downloaded, built or loaded."""


class StorageError(GaitlabError):
    """The patient library cannot be opened or written."""


class ValidationError(GaitlabError):
    """Data handed to a gaitlab type breaks its shape, unit or ordering rules."""


class CancelledError(GaitlabError):
    """Long work was cancelled by the user."""

    exit_code = 130
