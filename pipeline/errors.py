"""The errors the pipeline reports to its users: one family, each kind with the exit status of the scripts.

A script catches `PipelineError`, prints its message (one line naming the file, key or model, and what to do)
and exits with `exit_code`; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from typing import ClassVar


class PipelineError(Exception):
    """Base of every error a user can act on."""

    exit_code: ClassVar[int] = 1
    resumable: bool = False  # set when it stopped a run that had started writing: `--resume` continues it


class ConfigError(PipelineError, ValueError):
    """A config that cannot be run, with the key path and the file in its message."""

    exit_code = 2


class UnknownNameError(PipelineError, ValueError):
    """A config or option named something no module registered (a stage, a backend, a model family)."""

    exit_code = 2


class InputError(PipelineError, ValueError):
    """A file that cannot be read as it stands (documents to run, a run folder to score or export, references).

    The message starts with the file, and the line or row where it helps.
    """

    exit_code = 2


class OutputError(PipelineError, ValueError):
    """The run folder cannot be used or written: a file in its place, in use by another run, a full disk."""

    exit_code = 2


class OutputExistsError(OutputError):
    """The output folder already holds results and the run was not asked to resume."""


class ResumeMismatchError(OutputError):
    """`--resume` of a run folder made with another config or input: its outputs would be mixed."""


class DeviceError(PipelineError, ValueError):
    """A device or precision this machine or model cannot run."""

    exit_code = 2


class ModelLoadError(PipelineError, RuntimeError):
    """A model or tokenizer that could not be loaded; the message says what to do about it."""

    exit_code = 3


class RunFault(PipelineError):
    """A fault of the run, not of a document: it would fail every document, so the run stops at once."""

    exit_code = 4


class FlaggedResult(PipelineError):
    """A result has a quality flag the run was told to stop on (`--fail-on-flag`); it is written, the run stops."""

    exit_code = 5


class DocumentError(PipelineError):
    """A problem with one document (an empty text, a failed generation); the run records it and goes on."""
