"""What gets scored: a run folder, read by `pipeline.io.run_folder`, or a file of outputs, read by `pipeline.io.inputs`.

Every record remembers where it came from (``file:line`` or ``file, row n``), so a bad value is reported
as one line that names the place to fix. An empty or whitespace-only text (an empty CSV cell) is a missing one:
it is never scored, and a blank reference of a references file replaces no reference of the input.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.io.inputs import document_id, read_rows
from pipeline.io.json_files import read_json, read_jsonl
from pipeline.io.run_folder import Manifest, StoredRun, is_run_folder, read_run_folder
from pipeline.records import Failure, OutputField

# Plain files of outputs; `.json` is read as JSON Lines, as the evaluator always has (run.py does not take it).
FILE_FORMATS = (".jsonl", ".json", ".csv", ".tsv", ".parquet")
SAVED_DATASET_FILES = ("state.json", "dataset_dict.json")  # of a Dataset, of a DatasetDict


@dataclass(frozen=True)
class Record:
    data: dict[str, Any]
    location: str

    def value(self, path: str) -> Any:
        """A field by name, else by dotted path into nested objects (``systems.bart``); None when absent."""
        if path in self.data:
            return self.data[path]
        value: Any = self.data
        for key in path.split("."):
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    def text(self, path: str) -> str | None:
        """The field's text; None when it is absent, null, empty or whitespace only."""
        value = self.value(path)
        if value is not None and not isinstance(value, str):
            raise InputError(f"{self.location}: field {path!r} must be text, not {type(value).__name__}")
        return value if value and not value.isspace() else None

    def blank(self, path: str) -> bool:
        """Whether the field is there but empty or whitespace only: missing, and counted as such in the report."""
        return self.value(path) is not None and self.text(path) is None

    def identifier(self, path: str) -> str:
        """The record's id, read by the same rule as the pipeline's inputs, so a references file joins its run."""
        identifier = document_id(self.value(path), self.location)
        if identifier is None:
            raise InputError(f"{self.location}: record has no usable {path!r} (a non-empty string or integer)")
        return identifier


@dataclass(frozen=True)
class Run:
    """The outputs of one system run as scored: a run folder's results, or a plain file's records."""

    label: str
    path: Path
    records: list[Record]
    stored: StoredRun | None = None  # the run folder; None for a plain file
    references_file: Path | None = None
    references_without_record: list[str] = field(default_factory=list)  # ids of the references file only
    records_without_references: list[str] = field(default_factory=list)  # ids of the run the file does not have

    @property
    def manifest(self) -> Manifest | None:
        return None if self.stored is None else self.stored.manifest

    @property
    def failures(self) -> list[Failure]:
        """Documents that failed a stage (errors.jsonl)."""
        return [] if self.stored is None else list(self.stored.failures.values())

    @property
    def declared_outputs(self) -> list[OutputField] | None:
        """The outputs the manifest declares; None for a plain file or a folder written before they were declared."""
        return self.stored.outputs if self.stored is not None and self.stored.declares_outputs else None


def read_run(path: Path) -> Run:
    if is_run_folder(path):
        stored = read_run_folder(path)
        _check_has_results(stored)
        records = [Record(result.to_dict(), stored.locations[result.id]) for result in stored.results]
        return Run(stored.name, path, records, stored)
    return Run(path.stem, path, read_records(path))


def _check_has_results(stored: StoredRun) -> None:
    """A run folder with no result, or only results of failed documents, has nothing to evaluate: an error, not an
    empty report (its partial results can still be scored as a file: results.jsonl)."""
    if stored.exported:
        return
    if stored.failures:
        raise InputError(
            f"{stored.path}: every document failed ({len(stored.failures)} in errors.jsonl): nothing to evaluate"
        )
    raise InputError(f"{stored.path / stored.results_name}: no results: nothing to evaluate")


def read_records(path: Path) -> list[Record]:
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_dir():
        if not any((path / name).is_file() for name in SAVED_DATASET_FILES):
            raise InputError(
                f"{path}: neither a run folder (no results.jsonl or results/) nor a `datasets` save_to_disk folder"
            )
        _check_one_split(path)
    elif path.suffix not in FILE_FORMATS:
        raise InputError(f"{path}: unknown format (expected {', '.join(FILE_FORMATS)} or a folder)")
    records = [Record(fields, where) for where, fields in _rows(path)]
    if not records:
        raise InputError(f"{path}: no records")
    return records


def _rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    if path.suffix == ".json":
        yield from read_jsonl(path, InputError)
        return
    try:
        for row in read_rows(path):
            yield row.where, row.fields
    except InputError:
        raise
    except (OSError, ValueError) as error:  # what datasets and pyarrow raise for a broken folder or file
        raise InputError(f"{path}: unreadable ({' '.join(str(error).split())})") from None


def _check_one_split(path: Path) -> None:
    """A `DatasetDict` folder of several splits is refused here, by the evaluator's option: the split's folder."""
    splits_file = path / "dataset_dict.json"
    saved = read_json(splits_file, InputError) if splits_file.is_file() else {}
    splits = saved.get("splits", []) if isinstance(saved, dict) else []
    if len(splits) > 1:
        raise InputError(f"{path}: holds the splits {', '.join(splits)}; pass one split's folder")


def index_by_id(records: list[Record], id_field: str) -> dict[str, Record]:
    """Records by id; ids must be unique, or joins and paired tests would pair the wrong documents."""
    index: dict[str, Record] = {}
    for record in records:
        key = record.identifier(id_field)
        if key in index:
            raise InputError(f"{record.location}: duplicate id {key!r} (first at {index[key].location})")
        index[key] = record
    return index


def join_references(run: Run, references_file: Path, fields: list[str], id_field: str) -> Run:
    """The run with the reference fields of the same-id records of a separate file, which win over its own.

    A blank value of the file is no reference: it replaces none of the run's, and where the run has none it is
    kept, to be counted as an empty reference. A file that matches no id of the run is an error.
    """
    by_id = index_by_id(read_records(references_file), id_field)
    records = index_by_id(run.records, id_field)
    if not by_id.keys() & records.keys():
        raise InputError(
            f"{references_file}: none of its {len(by_id)} ids matches a record of {run.path} (joined on {id_field!r})"
        )
    joined = [
        Record({**record.data, **_references(by_id.get(key), record, fields)}, record.location)
        for key, record in records.items()
    ]
    return replace(
        run,
        records=joined,
        references_file=references_file,
        references_without_record=[key for key in by_id if key not in records],
        records_without_references=[key for key in records if key not in by_id],
    )


def _references(match: Record | None, record: Record, fields: list[str]) -> dict[str, Any]:
    if match is None:
        return {}
    return {
        name: match.value(name)
        for name in fields
        if match.value(name) is not None and (match.text(name) is not None or record.text(name) is None)
    }
