"""Uploading an export folder to the Hugging Face Hub.

Only the card and the Parquet shards go up: that is what the Hub's viewer and `load_dataset(repo)` read.
Errors from the hub client come from several layers (token lookup, offline mode, the HTTP library it
happens to use, HTTP status), so they are all turned into one HubError with a readable message.
"""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import HfApi
from huggingface_hub.errors import LocalTokenNotFoundError, OfflineModeIsEnabled

from pipeline.errors import PipelineError
from pipeline.export.folder import CARD_FILE, PARQUET_DIR

NO_TOKEN = "no Hugging Face token: pass --token, set HF_TOKEN or run `hf auth login`"
OFFLINE = "HF_HUB_OFFLINE is set, so the Hub cannot be reached"


class HubError(PipelineError, RuntimeError):
    """The Hub refused or could not be reached (exit status 1, as for an export that cannot be written)."""


def check_access(api: HfApi) -> str:
    """The user the token belongs to; asked before anything is written, so a bad token costs nothing."""
    try:
        return api.whoami()["name"]
    except LocalTokenNotFoundError as error:
        raise HubError(NO_TOKEN) from error
    except OfflineModeIsEnabled as error:
        raise HubError(OFFLINE) from error
    except Exception as error:  # noqa: BLE001 - any transport or HTTP failure means the same to the user
        raise HubError(f"cannot check the token with the Hub: {_describe(error)}") from error


def upload(api: HfApi, folder: Path, repo_id: str, private: bool) -> str:
    """Replace the repo's Parquet shards with the export's; `private` applies when the repo is created."""
    parquet = f"{PARQUET_DIR}/*.parquet"
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id,
            repo_type="dataset",
            folder_path=folder,
            allow_patterns=[CARD_FILE, parquet],
            delete_patterns=[parquet],
            commit_message="Export hindi-pipeline runs",
        )
    except Exception as error:  # noqa: BLE001 - see the module docstring
        raise HubError(f"upload to {repo_id} failed: {_describe(error)}") from error
    return commit.commit_url


def _describe(error: Exception) -> str:
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__
