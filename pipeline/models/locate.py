"""Where a model's files are, found without loading them or going online, and what to do when they are not there.

A model id is a local folder in the hub layout or a hub id. Loading (`pipeline.models.loading`) and a dry run
(`scripts/run.py --dry-run`, which loads nothing) tell a model that cannot be had in the same words, from here.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import ModelLoadError


def looks_like_path(model_id: str) -> bool:
    return model_id.startswith((".", "/", "~")) or Path(model_id).expanduser().exists()


def explain(model_id: str, stage: str, error: Exception) -> str:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if looks_like_path(model_id):
        hint = (
            "the local folder is missing or incomplete; for the offline tiny models run "
            "`python scripts/make_tiny_models.py .tiny-models`"
        )
    else:
        hint = (
            f"without access to the Hugging Face hub, download it once elsewhere "
            f"(`hf download {model_id} --local-dir DIR`) and set `{stage}.model: DIR` in the config, "
            f"or set HF_HUB_OFFLINE=1 with a cache that already holds it; with access, check the id"
        )
    return f"cannot load model {model_id!r} for stage {stage!r}: {reason}\n  what to do: {hint}"


def locate_files(model_id: str, revision: str | None, stage: str, files: tuple[str, ...]) -> Path:
    """The folder holding `files` of the model: the local folder, or its snapshot in the local Hugging Face cache
    (never downloaded). A `ModelLoadError` that says what to do when one is missing."""
    if looks_like_path(model_id):
        folder = Path(model_id).expanduser()
        missing = [name for name in files if not (folder / name).is_file()]
        if not missing:
            return folder
        reason = f"{folder} holds no {', '.join(missing)}" if folder.is_dir() else f"no folder {folder}"
    else:
        from huggingface_hub import try_to_load_from_cache

        cached = [try_to_load_from_cache(model_id, name, revision=revision) for name in files]
        if all(isinstance(path, str) for path in cached):
            return Path(cached[0]).parent
        reason = "not in the local Hugging Face cache (a dry run looks only there, it never downloads)"
    raise ModelLoadError(explain(model_id, stage, FileNotFoundError(reason)))
