"""Peak memory of a run as its input grows (`scripts/measure_memory.py`, docs/performance.md).

A run streams its input: documents are read, processed and written batch by batch, and ids are remembered in 16
bytes each, so its peak resident memory must not grow with the number of documents. This writes Hindi news-like
corpora of two sizes, runs `scripts/run.py` on each with a model-free config (prepare + lead_k: what is left is the
readers, the runner, the run folder and the imported libraries) and compares the two peaks as a ratio measured in
the same session. It also kills a run of the larger corpus partway, resumes it, and checks that every document
was written exactly once.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.benchmarking.report import RunFailed

log = logging.getLogger(__name__)

MAX_RATIO = 1.2  # the larger run's peak RSS may be at most this multiple of the smaller run's
CONFIG = (
    "# Model-free: segments are measured in words, the summary is the first three sentences.\n"
    "stages: [prepare, lead_k]\n"
)

# Used when FLORES-200 is not beside the checkout: enough to vary the documents, not their realism.
BUILT_IN_SENTENCES = (
    "नई दिल्ली में सोमवार सुबह तेज़ बारिश हुई, जिससे कई इलाक़ों में पानी भर गया।",
    "मौसम विभाग के अनुसार अगले दो दिनों तक हल्की से मध्यम बारिश जारी रहने की संभावना है।",
    "राज्य सरकार ने किसानों के लिए नई सिंचाई योजना की घोषणा की है।",
    "इस योजना पर 1,250 करोड़ रुपये ख़र्च किए जाएंगे और इससे लगभग दो लाख किसानों को लाभ मिलेगा।",
    "भारत ने रविवार को खेले गए फ़ाइनल मुक़ाबले में ऑस्ट्रेलिया को छह विकेट से हरा दिया।",
    "कप्तान ने मैच के बाद कहा कि टीम के हर खिलाड़ी ने अपनी भूमिका अच्छी तरह निभाई।",
    "शहर के नए सरकारी अस्पताल में 300 बिस्तर हैं और यहां मुफ़्त जांच की सुविधा भी दी जाएगी।",
    "मेट्रो की नई लाइन पर शनिवार से यात्री सेवा शुरू हो जाएगी।",
    "अधिकारियों ने बताया कि परियोजना का दूसरा चरण अगले साल मार्च तक पूरा होगा।",
    "विशेषज्ञों का मानना है कि इस फ़ैसले का असर आने वाले महीनों में दिखाई देगा।",
    "पुलिस ने लोगों से अपील की कि वे ज़रूरी होने पर ही घर से निकलें।",
    "विश्वविद्यालय ने इस वर्ष प्रवेश परीक्षा के परिणाम तय समय से पहले घोषित कर दिए।",
)
CITIES = ("नई दिल्ली", "मुंबई", "लखनऊ", "जयपुर", "पटना", "भोपाल", "कोलकाता", "चेन्नई", "हैदराबाद", "अहमदाबाद")


def hindi_sentences(shared_dir: Path) -> tuple[str, list[str]]:
    """FLORES-200 Hindi devtest when present, else the built-in few, and which of the two, for the report.

    Documents of the built-in sentences are shorter, so their runs are faster: a report must say which it used.
    """
    flores = shared_dir / "data" / "flores200" / "hin_Deva.devtest"
    if flores.is_file():
        return str(flores), [line for line in flores.read_text(encoding="utf-8").split("\n") if line.strip()]
    return "built-in", list(BUILT_IN_SENTENCES)


def given_id(number: int) -> str | None:
    """Every other document carries an `id`; the others get one derived from their text."""
    return f"news-{number:07d}" if number % 2 == 0 else None


def write_corpus(path: Path, documents: int, sentences: list[str], seed: int = 0) -> None:
    """`documents` JSONL records of 1 to 4 paragraphs of 2 to 5 sentences each, the same for the same seed.

    A dateline with the story's number opens every document, so no two texts, and no two derived ids, are equal.
    """
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as corpus:
        for number in range(documents):
            paragraphs = [" ".join(rng.choices(sentences, k=rng.randint(2, 5))) for _ in range(rng.randint(1, 4))]
            paragraphs[0] = f"{rng.choice(CITIES)}, समाचार {number + 1}। {paragraphs[0]}"
            record = {"text": "\n\n".join(paragraphs)}
            if (identifier := given_id(number)) is not None:
                record = {"id": identifier, **record}
            corpus.write(json.dumps(record, ensure_ascii=False) + "\n")


@dataclass(frozen=True)
class Measured:
    """One `scripts/run.py` process: its wall time and peak resident memory."""

    label: str
    documents: int  # that it wrote: its input's, less those done before it started or after it was killed
    seconds: float
    peak_rss_mb: float
    returncode: int

    @property
    def documents_per_second(self) -> float:
        return self.documents / self.seconds


def run_measured(label: str, command: list[str], documents: int, output_file: Path,
                 stop_when: Callable[[], bool] | None = None) -> Measured:
    """Run `command` to its end, or SIGKILL it once `stop_when()` is true, and measure that one process.

    The peak comes from `os.wait4`, which reaps this child and returns its own resource usage: `ru_maxrss` is its
    peak RSS up to its last instruction. `getrusage(RUSAGE_CHILDREN)` would report the largest of all children
    reaped so far (the smaller run could never show a lower peak than the larger), and polling `VmHWM` in
    /proc misses whatever the process allocates after the last poll.
    """
    started = time.perf_counter()
    with output_file.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        # WNOWAIT: whether it has ended, without reaping it, so that wait4 below still gets its usage.
        while stop_when and os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
            if stop_when():
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    seconds = time.perf_counter() - started
    return Measured(label, documents, seconds, usage.ru_maxrss / 1024, process.returncode)  # ru_maxrss: KiB


@dataclass(frozen=True)
class Written:
    """What a run folder's results.jsonl holds, checked against the corpus it was run on."""

    documents: int  # in the corpus
    results: int  # lines in results.jsonl
    unique_ids: int
    given_ids_found: int  # of the corpus's given ids, those in results.jsonl
    derived_ids: int  # ids of the form doc-<hash>
    errors: int  # lines in errors.jsonl

    @property
    def exactly_once(self) -> bool:
        given = sum(given_id(number) is not None for number in range(self.documents))
        return (self.results == self.unique_ids == self.documents and self.errors == 0
                and self.given_ids_found == given and self.derived_ids == self.documents - given)


def result_ids(folder: Path) -> list[str]:
    with (folder / "results.jsonl").open(encoding="utf-8") as results:
        return [json.loads(line)["id"] for line in results]


def check_written(folder: Path, documents: int) -> Written:
    ids = result_ids(folder)
    unique = set(ids)
    given = {given_id(number) for number in range(documents)} - {None}
    with (folder / "errors.jsonl").open(encoding="utf-8") as errors:
        error_lines = sum(1 for _ in errors)
    return Written(documents, len(ids), len(unique), len(given & unique),
                   sum(identifier.startswith("doc-") for identifier in unique), error_lines)


def complete_lines(path: Path) -> int:
    """Whole lines in a file being appended to (a line cut by a kill does not count)."""
    with path.open("rb") as lines:
        return sum(1 for line in lines if line.endswith(b"\n"))


@dataclass(frozen=True)
class Options:
    sizes: tuple[int, int]  # documents in the smaller and the larger corpus
    work_dir: Path  # corpora, run folders and logs
    shared_dir: Path  # FLORES-200 is read from here when present
    run_script: Path  # scripts/run.py


class MemoryMeasurement:
    """Generates the corpora and runs `scripts/run.py` on them, one measured process at a time."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.config = options.work_dir / "model-free.yaml"

    def _corpus(self, documents: int, sentences: list[str]) -> Path:
        path = self.options.work_dir / f"corpus-{documents}.jsonl"
        log.info(f"writing {documents} documents to {path}")
        write_corpus(path, documents, sentences)
        return path

    def _run(self, label: str, corpus: Path, documents: int, output: Path, *extra: str,
             stop_when: Callable[[], bool] | None = None) -> Measured:
        log.info(f"run: {label}")
        command = [sys.executable, str(self.options.run_script), "--config", str(self.config), "--input", str(corpus),
                   "--output", str(output), "--no-progress", *extra]
        measured = run_measured(label, command, documents, output.with_suffix(".log"), stop_when)
        expected = -signal.SIGKILL if stop_when else 0
        if measured.returncode != expected:
            tail = output.with_suffix(".log").read_text(encoding="utf-8")[-3000:]
            raise RunFailed(f"{label}: scripts/run.py exited with {measured.returncode}, not {expected}:\n{tail}")
        return measured

    def _interrupt_and_resume(self, corpus: Path, documents: int, finished: Path) -> tuple[Measured, Measured, dict]:
        """Kill a run once its results.jsonl is half as long as the `finished` run's, resume it, check what it wrote."""
        half = (finished / "results.jsonl").stat().st_size // 2
        interrupted = finished.with_name(finished.name + "-interrupted")
        results = interrupted / "results.jsonl"
        killed = self._run(f"{documents} documents, killed partway", corpus, documents, interrupted,
                           stop_when=lambda: results.is_file() and results.stat().st_size >= half)
        done_at_kill = complete_lines(results)
        resumed = self._run(f"{documents} documents, --resume", corpus, documents, interrupted, "--resume")
        counts = json.loads((interrupted / "manifest.json").read_text(encoding="utf-8"))["counts"]
        written = check_written(interrupted, documents)
        resume = {
            "done_at_kill": done_at_kill,
            "skipped_on_resume": counts["resumed"],
            "manifest_results": counts["results"],
            "written": asdict(written),
            "same_ids_as_uninterrupted_run": set(result_ids(interrupted)) == set(result_ids(finished)),
        }
        resume["passed"] = (written.exactly_once and resume["same_ids_as_uninterrupted_run"]
                            and 0 < done_at_kill == counts["resumed"] < documents and counts["results"] == documents)
        # Each session's documents/s counts what it wrote.
        return (replace(killed, documents=done_at_kill), replace(resumed, documents=documents - counts["resumed"]),
                resume)

    def run(self) -> dict[str, Any]:
        work, (small, large) = self.options.work_dir, self.options.sizes
        self.config.write_text(CONFIG, encoding="utf-8")
        source, sentences = hindi_sentences(self.options.shared_dir)
        log.info(f"documents drawn from {len(sentences)} Hindi sentences: {source}")
        corpora = {size: self._corpus(size, sentences) for size in (1, small, large)}
        baseline = self._run("one document (imports)", corpora[1], 1, work / "run-1")
        runs = [self._run(f"{size} documents", corpora[size], size, work / f"run-{size}") for size in (small, large)]
        written = [check_written(work / f"run-{size}", size) for size in (small, large)]
        killed, resumed, resume = self._interrupt_and_resume(corpora[large], large, work / f"run-{large}")
        ratio = runs[1].peak_rss_mb / runs[0].peak_rss_mb
        return {
            "cpus": os.cpu_count(),
            "sentences": {"source": source, "count": len(sentences)},
            "baseline": _row(baseline),
            "runs": [{**_row(run), "written": asdict(check), "exactly_once": check.exactly_once}
                     for run, check in zip(runs, written, strict=True)],
            "ratio": round(ratio, 3),
            "max_ratio": MAX_RATIO,
            "killed": _row(killed),
            "resumed": _row(resumed),
            "resume": resume,
            "passed": ratio <= MAX_RATIO and all(check.exactly_once for check in written) and resume["passed"],
        }


def _row(measured: Measured) -> dict[str, Any]:
    return {
        "label": measured.label,
        "documents": measured.documents,
        "seconds": round(measured.seconds, 1),
        "documents_per_second": round(measured.documents_per_second, 1),
        "peak_rss_mb": round(measured.peak_rss_mb, 1),
    }


def table(report: dict[str, Any]) -> str:
    """The report as a Markdown table, then the sentences' source, the ratio against its criterion and the checks."""
    rows = [report["baseline"], *report["runs"], report["killed"], report["resumed"]]
    lines = ["| run | documents | wall s | documents/s | peak RSS MB |", "|---|---|---|---|---|"]
    lines += [f"| {row['label']} | {row['documents']} | {row['seconds']:.1f} | {row['documents_per_second']:.1f} | "
              f"{row['peak_rss_mb']:.0f} |" for row in rows]
    resume = report["resume"]
    small, large = report["runs"]
    lines += [
        "",
        f"documents drawn from {report['sentences']['count']} Hindi sentences: {report['sentences']['source']}",
        f"peak RSS {large['documents']} / {small['documents']} documents: {report['ratio']:.3f} "
        f"(at most {report['max_ratio']}: {'yes' if report['ratio'] <= report['max_ratio'] else 'NO'})",
        f"written exactly once: {small['exactly_once']} ({small['documents']}), {large['exactly_once']} "
        f"({large['documents']}); "
        f"resume: killed after {resume['done_at_kill']} results, {resume['skipped_on_resume']} skipped on resume, "
        f"{resume['written']['results']} written, {resume['written']['unique_ids']} unique, "
        f"same ids as the uninterrupted run: {resume['same_ids_as_uninterrupted_run']} "
        f"({'passed' if resume['passed'] else 'FAILED'})",
    ]
    return "\n".join(lines)
