"""The Ray engine: the same stage plan as a Ray Data job, on a local Ray instance or on a cluster.

The runner reads and checks the input as for every engine (one reader, so ids, refusals and errors are the same)
and hands over the documents still to do. They are staged as Parquet shards in a folder every worker can read,
read back with `ray.data.read_parquet`, and sent through one `map_batches` step per group of stages: stages
without a model as tasks, stages with a model as a pool of actors that each load it once (asking for `num_gpus`
when the run uses CUDA). Stages that share a model share a step (prepare measures segments with the translator's
tokenizer, so it runs in the translator's actors). Documents travel between steps as Python objects in one
column; finished and failed ones come back to this process, which the runner writes to the run folder as for the
local engine. A worker that dies is replaced and its batch run again by Ray, so nothing is lost or written twice.

Ray is imported only when this engine starts: `pip install .[ray]` adds it.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import signal
import socket
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
from pydantic import Field

from pipeline.config import RunConfig, Section
from pipeline.engines.base import ENGINES, BatchOutcome, Executor, refuse, run_stages
from pipeline.errors import ConfigError, DeviceError, ModelLoadError, PipelineError, RunFault
from pipeline.records import Document, Failure
from pipeline.stages import Stage, StagePlan
from pipeline.stages.base import StageProgress

CONNECT_TIMEOUT_S = 5
ITEM = "item"  # the column documents (or their failures) travel in between steps
STAGING_COLUMNS = ("id", "source", "references")
# Workers print what the driver shows: no progress bar per weight file, no transformers notices.
WORKER_QUIET = {"HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error"}


class RayStepSettings(Section):
    """How the step that runs a stage is placed: its workers, their resources and its batch size."""

    min_actors: int = Field(1, ge=1, description="actors of a model stage kept running")
    max_actors: int | None = Field(None, ge=1, description="autoscale up to this many; default: min_actors")
    num_gpus: float | None = Field(
        None, ge=0, description="per actor, fractions share a GPU; default: 1 when the run uses CUDA, else 0"
    )
    num_cpus: float | None = Field(
        None, gt=0, description="per actor or task; default: an equal share of the CPUs, at most 1, so all fit"
    )
    batch_size: int | None = Field(None, ge=1, description="documents per call; default: the run's batch_size")


class RaySettings(Section):
    """`engine.ray.*`: where the Ray instance is, and how each stage is placed on it."""

    address: str | None = Field(
        None, description="None: start a local instance; `auto` or `ray://host:10001`: join a running cluster"
    )
    num_cpus: int | None = Field(None, ge=1, description="CPUs of a local instance; default: the machine's")
    num_gpus: int | None = Field(None, ge=0, description="GPUs of a local instance; default: the machine's")
    object_store_memory: int | None = Field(
        None, ge=78_643_200, description="bytes of a local instance's object store (Ray's minimum: 75 MiB)"
    )
    staging_dir: str | None = Field(
        None, description="folder or URI every node can read, for the documents to do; default: a local temp folder"
    )
    shard_documents: int = Field(1000, ge=1, description="documents per staged Parquet file (one read task each)")
    preserve_order: bool = Field(True, description="results in input order, as the local engine writes them")
    stages: dict[str, RayStepSettings] = Field(default_factory=dict, description="stage name -> its placement")


@dataclass(frozen=True)
class Step:
    """Consecutive stages run by one `map_batches`: tasks when they load no model, else a pool of actors."""

    stages: tuple[str, ...]
    models: frozenset[str]  # config sections whose models its stages load
    settings: RayStepSettings

    @property
    def name(self) -> str:
        return "+".join(self.stages)


def plan_steps(plan: StagePlan, settings: RaySettings) -> list[Step]:
    """Group the plan's stages: a stage joins the step before it when they load a model in common."""
    groups: list[tuple[list[str], set[str]]] = []  # (stage names, model sections they load)
    for stage in plan.stage_classes:
        models = stage.model_sections(plan.config)
        if groups and models & groups[-1][1]:
            groups[-1][0].append(stage.name)
            groups[-1][1].update(models)
        else:
            groups.append(([stage.name], set(models)))
    steps = []
    for names, models in groups:
        given = [settings.stages[name] for name in names if name in settings.stages]
        steps.append(Step(tuple(names), frozenset(models), given[0] if given else RayStepSettings()))
    return steps


RAY_MISSING = "engine: ray needs Ray Data: pip install '.[ray]' (or 'ray[data]'), or run with --engine local"


def _import_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise ConfigError(RAY_MISSING) from None
    return ray


def _objects(items: list[Any]):
    """A NumPy column of arbitrary objects (np.array would try to look inside them)."""
    column = np.empty(len(items), dtype=object)
    column[:] = items
    return {ITEM: column}


def _to_documents(batch: dict[str, Any], max_chars: int) -> dict[str, Any]:
    """Staged rows into documents, those not to run at all already failed."""
    documents = [
        Document(identifier, source, json.loads(references))
        for identifier, source, references in zip(*(batch[column] for column in STAGING_COLUMNS), strict=True)
    ]
    live, refused = refuse(documents, max_chars)
    return _objects([*live, *refused])


def _advance(stages: list[Stage], batch: dict[str, Any]) -> dict[str, Any]:
    """Run stages on a batch's documents; failures of earlier steps pass through untouched."""
    items = list(batch[ITEM])
    finished, failed = run_stages(stages, [item for item in items if isinstance(item, Document)])
    return _objects([*finished, *(item for item in items if isinstance(item, Failure)), *failed])


def _run_step_task(batch: dict[str, Any], plan: StagePlan, names: tuple[str, ...]) -> dict[str, Any]:
    """Stages without a model build in no time, so a task builds them for each batch."""
    return _advance(plan.build(names), batch)


class _StepActor:
    """One worker of a model step: it loads the step's models once, then runs batch after batch."""

    def __init__(self, plan: StagePlan, names: tuple[str, ...]) -> None:
        self._stages = plan.build(names)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        return _advance(self._stages, batch)


def _describe_step(plan: StagePlan, names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Load a step's models where its actors will run, before any work: a model that cannot load stops the run
    here, and the manifest gets what each stage loaded."""
    described = {stage.name: stage.describe() for stage in plan.build(names)}
    return {name: description for name, description in described.items() if description is not None}


def _host_and_port(address: str | None) -> tuple[str, int] | None:
    """Where a cluster address points (None: a local instance, or `auto`: the cluster this machine is part of)."""
    if address is None or address == "auto":
        return None
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"engine.ray.address: {address!r} is not auto, HOST:PORT or ray://HOST:PORT")
    return host.strip("[]"), int(port)


def _check_reachable(address: str | None) -> None:
    """A cluster address that nothing answers at is refused in seconds (Ray itself would wait for minutes)."""
    if (target := _host_and_port(address)) is None:
        return
    try:
        socket.create_connection(target, timeout=CONNECT_TIMEOUT_S).close()
    except OSError as error:
        raise DeviceError(
            f"engine.ray.address: nothing answers at {address} ({error.strerror or error}); start the cluster "
            "(ray start --head) or correct the address"
        ) from None


@ENGINES.register("ray")
class RayExecutor(Executor):
    name = "ray"
    config_model = RaySettings

    @classmethod
    def check_config(cls, config: RunConfig) -> None:
        if config.engine.name == "ray" and importlib.util.find_spec("ray") is None:
            raise ValueError(RAY_MISSING)
        settings = config.engine.settings.get("ray") or RaySettings()
        _host_and_port(settings.address)
        plan = StagePlan.of(config)
        for name, step in settings.stages.items():
            if name not in config.stages:
                raise ValueError(f"engine.ray.stages.{name}: not a stage of this run ({', '.join(config.stages)})")
            if step.max_actors is not None and step.max_actors < step.min_actors:
                raise ValueError(f"engine.ray.stages.{name}.max_actors: less than min_actors ({step.min_actors})")
        for step in plan_steps(plan, settings):
            given = [name for name in step.stages if name in settings.stages]
            if len(given) > 1:
                raise ValueError(
                    f"engine.ray.stages.{given[1]}: runs in one step with {given[0]} (they share a model); "
                    f"place them once, under engine.ray.stages.{given[0]}"
                )

    def __init__(self, plan: StagePlan, progress: StageProgress | None = None) -> None:
        super().__init__(plan, progress)  # not heard: the stages run in Ray's workers, which report per batch
        self.settings: RaySettings = plan.config.engine.settings.get("ray") or RaySettings()
        self._ray = None
        self._started_ray = False
        self._staging: tuple[Any, str] | None = None  # (pyarrow filesystem, folder) of this run's staged documents
        self._steps: list[tuple[Step, dict[str, Any]]] = []  # each step and where it runs

    def start(self) -> dict[str, dict[str, Any]]:
        self._ray = ray = _import_ray()
        self._connect()
        resources = ray.cluster_resources()
        steps = plan_steps(self.plan, self.settings)
        gpus = self._gpus_per_model_actor(resources.get("GPU", 0))
        # Every model step's actors must fit beside one whole CPU for the tasks (reading the staged documents
        # asks for one), or the job would wait for CPUs for ever.
        actors = sum(step.settings.min_actors for step in steps if step.models)
        total = resources.get("CPU", 1)
        actor_cpus = min(1.0, max(total - 1, total / 2) / actors) if actors else 1.0
        self._steps = [(step, self._placed(step, gpus, actor_cpus if step.models else 1.0)) for step in steps]
        if self._started_ray:
            self._check_fits(resources)
        return self._load_remotely()

    def _connect(self) -> None:
        ray = self._ray
        if ray.is_initialized():  # a caller (a notebook, a test) connected already: use that instance
            return
        settings = self.settings
        options: dict[str, Any] = {
            "include_dashboard": False, "logging_level": logging.ERROR, "runtime_env": {"env_vars": WORKER_QUIET},
        }
        if settings.address is None:
            options.update(num_cpus=settings.num_cpus, num_gpus=settings.num_gpus,
                           object_store_memory=settings.object_store_memory)
        _check_reachable(settings.address)
        on_sigterm = signal.getsignal(signal.SIGTERM)
        try:
            ray.init(address=settings.address, **options)
        except (ConnectionError, ValueError, RuntimeError) as error:
            where = settings.address or "a local instance"
            raise DeviceError(f"engine.ray: cannot connect to {where}: {str(error).splitlines()[0]}") from None
        finally:
            if threading.current_thread() is threading.main_thread():
                # ray.init makes SIGTERM exit at once; the caller's handler (finish the batch in flight) stays
                signal.signal(signal.SIGTERM, on_sigterm)
        self._started_ray = True

    def _gpus_per_model_actor(self, cluster_gpus: float) -> float:
        """GPUs each model actor asks for when its step does not say: one where the run is meant to use CUDA."""
        device = self.plan.config.device
        if device.startswith("cuda") and not cluster_gpus:
            raise DeviceError(f"device: {device}, but the Ray cluster has no GPU; set device: cpu (or auto)")
        return 1.0 if device != "cpu" and cluster_gpus else 0.0

    def _placed(self, step: Step, default_gpus: float, default_cpus: float) -> dict[str, Any]:
        """Where a step runs, as the manifest records it: its workers, their resources, its batch size."""
        settings = step.settings
        return {
            "stages": list(step.stages),
            "workers": "actors" if step.models else "tasks",
            "actors": [settings.min_actors, settings.max_actors or settings.min_actors] if step.models else None,
            "num_gpus": (settings.num_gpus if settings.num_gpus is not None else default_gpus) if step.models else 0.0,
            "num_cpus": settings.num_cpus if settings.num_cpus is not None else default_cpus,
            "batch_size": settings.batch_size or self.plan.config.batch_size,
        }

    def _check_fits(self, resources: dict[str, float]) -> None:
        """On an instance of its own (no autoscaler to add nodes), the actors asked for must fit in it, beside the
        one CPU that reading the staged documents takes."""
        for resource, key, beside in (("CPU", "num_cpus", 1.0), ("GPU", "num_gpus", 0.0)):
            needed = beside + sum(placed["actors"][0] * placed[key] for _, placed in self._steps if placed["actors"])
            if needed > resources.get(resource, 0) + 1e-9:
                raise DeviceError(
                    f"engine.ray.stages: the model stages' actors (min_actors x {key}){' and reading' * bool(beside)} "
                    f"ask for {needed:g} {resource}s, and this machine's Ray instance has "
                    f"{resources.get(resource, 0):g}; lower them, or join a larger cluster with engine.ray.address"
                )

    def _worker_plan(self, gpus: float) -> StagePlan:
        """The plan as a worker runs it: Ray gives a GPU worker its own GPUs, seen as `cuda`; others see none."""
        return self.plan.on_device("cuda" if gpus else "cpu")

    def _load_remotely(self) -> dict[str, dict[str, Any]]:
        """Each model step's stages built once where its actors will run, all at once, before any work."""
        ray = self._ray
        loading = {}
        for step, placed in self._steps:
            if step.models:
                describe = ray.remote(num_gpus=placed["num_gpus"], num_cpus=placed["num_cpus"], max_retries=0)
                loading[step.name] = describe(_describe_step).remote(self._worker_plan(placed["num_gpus"]), step.stages)
        models: dict[str, dict[str, Any]] = {}
        for name, pending in loading.items():
            try:
                models.update(ray.get(pending))
            except ray.exceptions.RayTaskError as error:
                cause = error.cause
                if isinstance(cause, PipelineError):
                    raise cause from None
                raise ModelLoadError(f"{name}: cannot load on a Ray worker: {type(cause).__name__}: {cause}") from None
        return models

    def _alive_nodes(self) -> int:
        return sum(1 for node in self._ray.nodes() if node.get("Alive"))

    def describe(self) -> dict[str, Any]:
        ray = self._ray
        resources = ray.cluster_resources()
        return {
            "name": self.name,
            "ray": ray.__version__,
            "address": self.settings.address or "local",
            "nodes": self._alive_nodes(),
            "resources": {key: resources[key] for key in ("CPU", "GPU", "memory", "object_store_memory")
                          if key in resources},
            "steps": [placed for _, placed in self._steps],
        }

    def run(self, documents: Iterable[Document]) -> Iterator[BatchOutcome]:
        if not self._stage(documents):
            return
        ray = self._ray
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = self.settings.preserve_order
        context.enable_progress_bars = False  # the runner's bar counts documents written
        context.enable_fallback_to_arrow_object_ext_type = True  # documents are objects, on purpose: no warning
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # not a line per dataset started, finished, configured
        filesystem, folder = self._staging
        dataset = ray.data.read_parquet(folder, filesystem=filesystem).map_batches(
            _to_documents, fn_kwargs={"max_chars": self.plan.config.input.max_document_chars},
            batch_format="numpy",
        )
        for step, placed in self._steps:
            dataset = self._add_step(dataset, step, placed)
        try:
            for batch in dataset.iter_batches(batch_size=self.plan.config.batch_size, batch_format="numpy"):
                items = list(batch[ITEM])
                yield BatchOutcome([item.to_result() for item in items if isinstance(item, Document)],
                                   [item for item in items if isinstance(item, Failure)])
        except ray.exceptions.RayError as error:
            raise RunFault(
                f"the Ray job failed and Ray could not recover it ({type(error).__name__}: "
                f"{str(error).splitlines()[0]})\n  what to do: check the cluster, then continue with --resume"
            ) from None

    def _add_step(self, dataset, step: Step, placed: dict[str, Any]):
        plan = self._worker_plan(placed["num_gpus"])
        common = {"batch_size": placed["batch_size"], "batch_format": "numpy", "num_cpus": placed["num_cpus"]}
        if not step.models:
            return dataset.map_batches(_run_step_task, fn_kwargs={"plan": plan, "names": step.stages}, **common)
        low, high = placed["actors"]
        return dataset.map_batches(
            _StepActor, fn_constructor_kwargs={"plan": plan, "names": step.stages},
            compute=self._ray.data.ActorPoolStrategy(min_size=low, max_size=high), num_gpus=placed["num_gpus"],
            **common,
        )

    def _stage(self, documents: Iterable[Document]) -> int:
        """Write the documents to do as Parquet shards in a folder of their own; how many there are."""
        import pyarrow as pa
        import pyarrow.parquet as pq
        from pyarrow import fs

        root = self.settings.staging_dir
        if root is None:
            if self._alive_nodes() > 1:
                raise DeviceError(
                    "engine.ray.staging_dir: needed on a cluster of several nodes: a folder or URI that every node "
                    "can read (a shared file system, s3://...), where the documents to do are staged"
                )
            import tempfile

            root = tempfile.gettempdir()
        filesystem, base = fs.FileSystem.from_uri(root) if "://" in root else (fs.LocalFileSystem(), root)
        folder = f"{base.rstrip('/')}/pipeline-staging-{uuid.uuid4().hex}"
        filesystem.create_dir(folder)
        self._staging = (filesystem, folder)
        stream, staged, shard = iter(documents), 0, 0
        while batch := list(islice(stream, self.settings.shard_documents)):
            table = pa.table({
                "id": [document.id for document in batch],
                "source": [document.source for document in batch],
                "references": [json.dumps(document.references, ensure_ascii=False) for document in batch],
            })
            pq.write_table(table, f"{folder}/part-{shard:06d}.parquet", filesystem=filesystem)
            staged, shard = staged + len(batch), shard + 1
        return staged

    def close(self) -> None:
        if self._staging is not None:
            filesystem, folder = self._staging
            filesystem.delete_dir(folder)
            self._staging = None
        if self._started_ray:
            self._ray.shutdown()
            self._started_ray = False
