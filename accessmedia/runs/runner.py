"""Running many recordings: in this process, in a pool of worker processes, or on a Ray cluster.

A worker processes whole recordings (`process.process`: every stage,
resumable) and keeps its loaded models (`runtime.LoadedModels`) for every
recording it is given: each model is loaded once per worker, not once per
recording. Progress comes back to the parent's display through a queue.

Local workers die with the parent (PR_SET_PDEATHSIG on Linux, and a watch on
the parent's pid everywhere), so a `kill -9` of the run leaves no worker
writing behind the next run's back. The next run resumes from what every
stage recorded.
"""

from __future__ import annotations

import os
import queue as queue_module
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Mapping, Sequence

from accessmedia.models import catalog as models
from accessmedia.runs import report
from accessmedia.core.errors import AccessMediaError, from_os_error
from accessmedia.runs.process import STAGE_NAMES, Job, ProcessResult, pending, process
from accessmedia.pipeline.runtime import LoadedModels
from accessmedia.core.progress import Display, ForwardingReporter

EXECUTORS = ("local", "ray")
FORWARDED_ENV = ("ACCESSMEDIA_MODELS", "ACCESSMEDIA_FFMPEG", "XDG_DATA_HOME")

_loaded: LoadedModels | None = None  # this worker's models
_sink = None  # where this worker's progress goes


def threads_per_worker(workers: int) -> int:
    """CPU threads for each worker's models: the cores shared out, so workers do not fight over them."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def _failed(job: Job, message: str, started: float) -> ProcessResult:
    return ProcessResult(job.name, job.folder, (), time.monotonic() - started, f"pid {os.getpid()}", {}, message)


def work(job: Job, loaded: LoadedModels, sink) -> ProcessResult:
    """One recording in a worker: every stage that is not up to date; a failure is a result, not a crash,
    so the other recordings go on."""
    started = time.monotonic()
    reporter = ForwardingReporter(sink, job.name)
    try:
        result = process(job, loaded, reporter, on_stage=reporter.stage)
    except AccessMediaError as exc:
        return _failed(job, exc.one_line(), started)
    except OSError as exc:  # the system: disk full, no permission
        return _failed(job, from_os_error(exc).one_line(), started)
    except Exception as exc:  # a bug, or the system (disk full): one line, the details in a file, and the run goes on
        import traceback

        details = job.folder / ".accessmedia" / "last-error.txt"
        try:
            details.parent.mkdir(parents=True, exist_ok=True)
            details.write_text(traceback.format_exc(), encoding="utf-8")
        except OSError:
            details = None
        where = f" (details in {details})" if details else ""
        return _failed(job, f"unexpected {type(exc).__name__}: {exc}{where}", started)
    for s in result.stages:
        if not s.ran:
            reporter.stage(s.stage, "skipped")
    return result


# -- local pool -------------------------------------------------------------------

def _die_with_parent(parent: int) -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="accessmedia-parent-watch").start()


def _thread_lock_for_tqdm() -> None:
    """faster-whisper makes a (disabled) tqdm bar, and tqdm a cross-process lock for it: a semaphore that
    a killed worker leaves behind, and the resource tracker then complains about. A thread lock does."""
    try:
        from tqdm import tqdm
    except ImportError:
        return
    tqdm.set_lock(threading.RLock())


def _init_worker(events, parent: int) -> None:
    global _loaded, _sink
    _die_with_parent(parent)
    _thread_lock_for_tqdm()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _loaded = LoadedModels()
    _sink = events.put


def _pool_work(job: Job) -> ProcessResult:
    return work(job, _loaded, _sink)


class _Drain:
    """Moves progress events from a queue to the display, in a thread of the parent."""

    def __init__(self, get, display: Display):
        self.get = get
        self.display = display
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="accessmedia-progress")
        self.thread.start()

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                event = self.get(timeout=0.2)
            except (queue_module.Empty, EOFError, OSError):
                continue
            except Exception:  # Ray's queue raises its own Empty
                continue
            self.display.handle(event)

    def stop(self) -> None:
        time.sleep(0.3)  # let the last events arrive
        self.stopped.set()
        self.thread.join(timeout=2)


def _run_pool(jobs: Sequence[Job], workers: int, display: Display) -> list[ProcessResult]:
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # no fork: the models' thread pools do not survive it
    events = context.Queue()
    drain = _Drain(events.get, display)
    results: list[ProcessResult] = []
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(events, os.getpid()))
    try:
        futures = {pool.submit(_pool_work, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                results.append(future.result())
            except Exception as exc:  # the worker process died (out of memory?)
                results.append(_failed(job, f"its worker process died ({type(exc).__name__}); run again to resume", time.monotonic()))
    except BaseException:  # Ctrl-C: stop now, not when the workers' recordings are done (the next run resumes)
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.kill()
        pool.shutdown(wait=True, cancel_futures=True)  # quick: its workers are gone
        raise
    else:
        pool.shutdown()
    finally:
        drain.stop()
        events.close()
        events.join_thread()
    return results


# -- Ray -----------------------------------------------------------------------------

class RayWorker:
    """A Ray actor: one worker with its own loaded models, processing the recordings it is given."""

    def __init__(self, events):
        _thread_lock_for_tqdm()
        self.loaded = LoadedModels()
        self.events = events

    def _put(self, event) -> None:
        try:
            self.events.put(event, block=False)
        except Exception:  # progress is best effort; the work is not
            pass

    def process(self, job: Job) -> ProcessResult:
        result = work(job, self.loaded, self._put)
        return replace(result, worker=f"ray {result.worker} on {os.uname().nodename}")


def check_executor(executor: str, workers: int, address: str | None = None, seconds: float = 5.0) -> None:
    """Fail now, before any work or file, on an unknown executor, a bad worker count, or a Ray cluster
    that does not answer: Ray itself would retry for many minutes, printing its own log lines."""
    import socket

    if executor not in EXECUTORS:
        raise AccessMediaError(f"unknown executor {executor!r}", f"use one of: {', '.join(EXECUTORS)}")
    if workers < 1:
        raise AccessMediaError(f"workers must be at least 1, not {workers}", "pass --workers 1 or more")
    if executor != "ray" or not address or address == "auto":
        return
    host, _, port = address.split("://", 1)[-1].rpartition(":")
    try:
        with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=seconds):
            return
    except ValueError:
        raise AccessMediaError(f"{address!r} is not a Ray address like 10.0.0.5:6379", "pass --ray-address HOST:PORT or auto") from None
    except OSError as exc:
        raise AccessMediaError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}",
                               "start it with `ray start --head`, or check --ray-address") from None


def _run_ray(jobs: Sequence[Job], workers: int, threads: int, address: str | None, display: Display) -> list[ProcessResult]:
    try:
        import ray
        from ray.util import ActorPool
        from ray.util.queue import Queue
    except ImportError:
        raise AccessMediaError("the Ray executor needs Ray, which is not installed", "pip install 'accessmedia[ray]'") from None
    import logging

    env = {k: os.environ[k] for k in FORWARDED_ENV if os.environ.get(k)}
    try:
        ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False,
                 runtime_env={"env_vars": env} if env else None, configure_logging=True)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise AccessMediaError(f"cannot reach the Ray cluster at {address or 'a new local instance'}: {str(exc).splitlines()[0]}",
                               "start it with `ray start --head`, or check --ray-address") from None
    try:
        events = Queue()
        actor = ray.remote(num_cpus=threads)(RayWorker)
        pool = ActorPool([actor.remote(events) for _ in range(max(1, min(workers, len(jobs))))])
        drain = _Drain(lambda timeout: events.get(timeout=timeout), display)
        try:
            results = list(pool.map_unordered(lambda a, job: a.process.remote(job), list(jobs)))
        except ray.exceptions.RayError as exc:  # an actor died (its node was lost, out of memory)
            raise AccessMediaError(f"a Ray worker failed: {str(exc).splitlines()[0]}",
                                   "run again: finished stages are kept and the rest resumes") from None
        finally:
            drain.stop()
        for result in results:
            if result.error is None and not result.folder.exists():
                raise AccessMediaError(
                    f"the Ray workers wrote {result.folder} on another machine",
                    "put the recordings and the output folder on storage every node shares, at the same path",
                )
        return results
    finally:
        ray.shutdown()


# -- the entry point ---------------------------------------------------------------------

def run(jobs: Sequence[Job], workers: int = 1, executor: str = "local", address: str | None = None,
        display: Display | None = None) -> list[ProcessResult]:
    """Process `jobs`, in the order given where it matters; returns one result per job, failures included."""
    check_executor(executor, workers)
    display = display or Display([j.name for j in jobs], len(STAGE_NAMES))
    if not jobs:
        return []
    if executor == "local" and workers == 1:
        loaded = LoadedModels()
        return [work(job, loaded, display.handle) for job in jobs]
    threads = threads_per_worker(workers)
    jobs = [replace(j, settings=j.settings.with_threads(threads)) for j in jobs]
    # the longest recordings first (by size), so that no worker is left with a long one at the end
    queue = sorted(jobs, key=lambda j: j.recording.stat().st_size if j.recording.exists() else 0, reverse=True)
    if executor == "ray":
        results = _run_ray(queue, workers, threads, address, display)
    else:
        results = _run_pool(queue, min(workers, len(jobs)), display)
    by_name = {r.name: r for r in results}
    return [by_name[j.name] for j in jobs]


@dataclass(frozen=True)
class RunOutcome:
    results: tuple[ProcessResult, ...]
    report: dict
    report_files: tuple[Path, Path]

    @property
    def failed(self) -> list[ProcessResult]:
        return [r for r in self.results if r.error]


def process_all(
    jobs: Sequence[Job], report_dir: Path, title: str, titles: Mapping[str, str] | None = None,
    workers: int = 1, executor: str = "local", address: str | None = None,
    display: Callable[[list[str], int], Display] = Display,
) -> RunOutcome:
    """Every recording through every stage it needs, then the run report (REPORT_DIR/report.json and .html).

    Recordings with nothing to do are not sent to a worker, so a rerun of a
    finished event loads no model and takes seconds.
    """
    check_executor(executor, workers, address)
    started_wall, started = time.time(), time.monotonic()
    display = display([j.name for j in jobs], len(STAGE_NAMES))  # the command line's shows it on the terminal
    try:
        plan = {j.name: pending(j) for j in jobs}
        todo = [j for j in jobs if plan[j.name]]
        if any("transcribe" in plan[j.name] for j in todo):
            # the default model installs itself on first use: once, here, not in every worker at once
            models.resolve_asr_model(todo[0].settings.recognition.load.model, lambda m: display.handle(("note", "models", m)))
        results = {r.name: r for r in run(todo, workers, executor, address, display)}
        loaded = LoadedModels()  # recordings that are up to date load nothing
        for job in jobs:
            if job.name not in results:
                results[job.name] = work(job, loaded, display.handle)
    finally:
        display.close()
    ordered = tuple(results[j.name] for j in jobs)
    sessions = [report.session(j, results[j.name], (titles or {}).get(j.name)) for j in jobs]
    built = report.build(title, sessions, started_wall, time.monotonic() - started, executor, workers)
    return RunOutcome(ordered, built, report.write(built, report_dir))
