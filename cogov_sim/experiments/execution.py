"""Execution: run the design's runs in this process, a local process pool or on a Dask cluster.

Every backend calls the same top-level worker function :func:`execute_run` on a
:class:`RunTask` (picklable, so it crosses process and machine boundaries) and yields
:class:`RunOutcome` objects as runs finish, in whatever order they finish. A run that
raises becomes a ``failed`` outcome with its error; it never stops the sweep. Results do
not depend on the backend or the number of workers: each run gets its own spawned seed.
"""

from __future__ import annotations

import abc
import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import queue
import re
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CogovError
from ..run import Results, release_model, run_scenario
from ..scenario import Scenario
from .design import Run, format_spawn_key
from .spec import SUMMARY_EXTRA, Experiment, Outputs
from .tables import arrow_table

#: Runs submitted ahead of the workers (per worker): enough to keep them busy, few enough
#: that a huge design is never held as futures all at once.
WINDOW_PER_WORKER = 2
#: Environment of pool worker processes: one BLAS/OpenMP thread each, since the pool is the
#: parallelism (OpenBLAS threads would only oversubscribe the cores). Values already set win.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: Columns ``run_scenario`` adds that the sweep replaces by its own identifiers.
REPLACED_COLUMNS = ("scenario", "seed")
#: Attempts of a run whose local worker process was lost (killed, out of memory) before it is
#: recorded as failed (a later ``--resume`` tries it again). Dask retries lost workers' runs itself
#: (its ``distributed.scheduler.allowed-failures``).
MAX_ATTEMPTS = 3
#: Seconds a Dask cluster may have no worker before the sweep stops (finished runs are kept).
NO_WORKERS_TIMEOUT = 60.0


class RunTimeout(Exception):
    """A run exceeded its time limit (``run_timeout`` / ``--run-timeout``)."""


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run (the base scenario travels with it)."""

    run: Run
    scenario: Scenario
    overrides: dict[str, Any]
    outputs: Outputs
    factor_keys: tuple[str, ...]
    #: Optional picklable function of the finished run (its model kept on ``Results.model``)
    #: returning more tables by name, computed in the worker (e.g. ledger totals).
    extra: Callable[[Results], dict[str, pd.DataFrame]] | None = None
    #: Seconds the run may take (``None``: no limit); a run over it becomes a ``failed`` outcome.
    timeout: float | None = None


@dataclass
class RunOutcome:
    """A finished run: its result tables (``summary``, ``series``, ``survey``) or its error.

    The tables are Arrow tables, converted in the worker so that the process writing the
    store only concatenates and encodes them.
    """

    run: Run
    status: str  # "done" or "failed"
    frames: dict[str, Any] = field(default_factory=dict)
    error_type: str = ""
    error_message: str = ""
    error_traceback: str = ""
    seconds: float = 0.0
    worker: str = ""
    #: How many times the run was started (more than 1 after its worker process was lost).
    attempts: int = 1


def make_tasks(exp: Experiment, runs: Iterable[Run], timeout: float | None = None) -> Iterator[RunTask]:
    """The tasks of ``runs``: the experiment's fixed values plus each run's design values.

    ``timeout``: seconds per run (default: the experiment's ``run_timeout``; 0 or ``None``: no limit).
    """
    keys = tuple(f.key for f in exp.factors)
    limit = (timeout if timeout is not None else exp.run_timeout) or None
    for run in runs:
        yield RunTask(run, exp.scenario(run.scenario), {**exp.fixed, **run.values}, exp.outputs, keys, timeout=limit)


def id_columns(run: Run, factor_keys: tuple[str, ...]) -> dict[str, Any]:
    """The identifying columns every row of a run carries, in order."""
    return {"run_id": run.run_id, "design_row": run.design_row, "replication": run.replication,
            "scenario": run.scenario, **{k: run.values[k] for k in factor_keys},
            "seed_entropy": run.seed_entropy, "seed_spawn_key": format_spawn_key(run.seed_spawn_key)}


def execute_run(task: RunTask) -> RunOutcome:
    """Run one task and shape its outputs; an exception becomes a ``failed`` outcome (the worker function)."""
    start = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        with _time_limit(task.timeout) as check:
            results = run_scenario(task.scenario, seed=task.run.seed_sequence(), overrides=task.overrides or None,
                                   keep_model=task.extra is not None, progress=check)
        shaped = shape_frames(results, task)
        if task.extra is not None:
            shaped.update({name: _with_ids(frame, id_columns(task.run, task.factor_keys))
                           for name, frame in task.extra(results).items()})
            release_model(results.model)  # type: ignore[arg-type]
        frames = {name: arrow_table(frame) for name, frame in shaped.items()}
    except Exception as exc:
        return failed_outcome(task.run, exc, time.perf_counter() - start, worker, traceback.format_exc())
    return RunOutcome(task.run, "done", frames, seconds=time.perf_counter() - start, worker=worker)


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[Any]:
    """Raise :class:`RunTimeout` in the block after ``seconds``; yields a per-month progress callback.

    Two guards: the callback checks the clock after every simulated month (works in any thread,
    e.g. on Dask), and in a process's main thread a ``SIGALRM`` timer also stops a month that hangs.
    """
    if not seconds:
        yield None
        return
    deadline = time.monotonic() + seconds
    message = f"the run exceeded its time limit of {seconds:g} s (run_timeout / --run-timeout)"

    def check(month: int) -> None:
        if time.monotonic() > deadline:
            raise RunTimeout(f"{message}; stopped after month {month}")

    def alarm(signum: int, frame: Any) -> None:
        raise RunTimeout(message)

    timer = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if timer:
        previous = signal.signal(signal.SIGALRM, alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield check
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def failed_outcome(run: Run, exc: BaseException, seconds: float = 0.0, worker: str = "",
                   trace: str = "") -> RunOutcome:
    """A ``failed`` outcome recording the error's type and one-line message."""
    message = " | ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return RunOutcome(run, "failed", error_type=type(exc).__name__, error_message=message,
                      error_traceback=trace[-4000:], seconds=seconds, worker=worker)


def shape_frames(results: Results, task: RunTask) -> dict[str, pd.DataFrame]:
    """Keep the requested tables, months and metrics, with the run's identifiers in front."""
    out, ids = task.outputs, id_columns(task.run, task.factor_keys)
    frames: dict[str, pd.DataFrame] = {}
    if out.summary:
        summary = results.summary
        if out.metrics:
            summary = summary[[*REPLACED_COLUMNS, *SUMMARY_EXTRA, *out.metrics]]
        frames["summary"] = summary
    if out.series:
        series = results.series
        last = int(series["month"].iloc[-1])
        series = series[(series["month"] % out.series_every == 0) | (series["month"] == last)]
        if out.metrics:
            series = series[[*REPLACED_COLUMNS, "month", *out.metrics]]
        frames["series"] = series
    if out.survey and not results.survey.empty:
        frames["survey"] = results.survey
    return {name: _with_ids(frame, ids) for name, frame in frames.items()}


def _with_ids(frame: pd.DataFrame, ids: dict[str, Any]) -> pd.DataFrame:
    body = frame.drop(columns=list(REPLACED_COLUMNS), errors="ignore").reset_index(drop=True)
    head = pd.DataFrame({key: [value] * len(body) for key, value in ids.items()})
    return pd.concat([head, body], axis=1)


class Executor(abc.ABC):
    """Runs tasks somewhere and yields their outcomes as they finish (use as a context manager)."""

    #: Number of runs that can execute at the same time.
    workers: int = 1
    #: Human-readable description, e.g. ``"2 local processes"``.
    description: str = ""

    @abc.abstractmethod
    def map_unordered(self, tasks: Iterable[RunTask], tick: float = 1.0) -> Iterator[RunOutcome | None]:
        """Yield an outcome per task as runs finish, and ``None`` every ``tick`` seconds while none does
        (so that the caller can flush results on time)."""

    @abc.abstractmethod
    def close(self, wait: bool = True) -> None:
        """Release workers and connections; ``wait=False`` abandons runs in flight (after Ctrl-C)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InProcessExecutor(Executor):
    """Runs one task after the other in this process (for debugging: breakpoints, profilers)."""

    workers = 1
    description = "in-process"

    def map_unordered(self, tasks: Iterable[RunTask], tick: float = 1.0) -> Iterator[RunOutcome | None]:
        for task in tasks:
            yield execute_run(task)

    def close(self, wait: bool = True) -> None:
        pass


class FutureExecutor(Executor):
    """An executor of futures: keeps a bounded window of runs submitted and yields them as they finish."""

    #: Exceptions from a future that mean the worker running it was lost (the run itself did not fail).
    lost_worker: tuple[type[BaseException], ...] = ()

    def map_unordered(self, tasks: Iterable[RunTask], tick: float = 1.0) -> Iterator[RunOutcome | None]:
        todo = iter(tasks)
        pending: dict[Any, RunTask] = {}
        attempts: dict[int, int] = {}
        try:
            self._fill(pending, todo)
            while pending:
                done = self._wait(list(pending), tick)
                if not done:
                    yield None
                for future in done:
                    task = pending.pop(future)
                    outcome, lost = self._outcome(future, task)
                    outcome.attempts = attempts.pop(task.run.run_id, 1)
                    if lost and outcome.attempts < MAX_ATTEMPTS:  # start it again on a fresh worker
                        attempts[task.run.run_id] = outcome.attempts + 1
                        pending[self._submit(task)] = task
                        continue
                    yield outcome
                self._fill(pending, todo)
        finally:
            for future in pending:
                future.cancel()

    def _fill(self, pending: dict[Any, RunTask], todo: Iterator[RunTask]) -> None:
        while len(pending) < WINDOW_PER_WORKER * self.workers:
            task = next(todo, None)
            if task is None:
                return
            pending[self._submit(task)] = task

    def _outcome(self, future: Any, task: RunTask) -> tuple[RunOutcome, bool]:
        """The future's outcome, and whether its worker was lost (rather than the run failing)."""
        try:
            return future.result(), False
        except Exception as exc:  # the worker itself was lost (killed, out of memory, cancelled)
            lost = isinstance(exc, self.lost_worker)
            if lost:
                exc = type(exc)(f"the worker process running this run was lost (killed or out of memory): {exc}")
            return failed_outcome(task.run, exc, trace=traceback.format_exc()), lost

    @abc.abstractmethod
    def _submit(self, task: RunTask) -> Any:
        """Start ``execute_run(task)``; return its future."""

    @abc.abstractmethod
    def _wait(self, futures: list[Any], timeout: float) -> list[Any]:
        """The futures that are done, waiting at most ``timeout`` seconds for the first."""


def _init_worker(parent: int) -> None:
    """Pool worker initialiser: die with the parent, leave Ctrl-C to it (it flushes finished runs).

    On Linux the kernel kills the worker when the parent dies (``PR_SET_PDEATHSIG``), even by
    ``kill -9``; elsewhere a watchdog thread exits when the parent is gone. The parent then
    cannot leave workers (or, through them, the resource tracker) behind holding its output.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _die_with_parent():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="cogov-parent-watch").start()
    if os.getppid() != parent:  # the parent died before the guard was set
        os._exit(1)


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; ``False`` where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


#: ``prctl`` option: signal delivered to this process when its parent dies (linux/prctl.h).
PR_SET_PDEATHSIG = 1


class PoolExecutor(FutureExecutor):
    """A local pool of ``workers`` processes (spawned, so it behaves the same on every OS).

    Workers die with this process (see :func:`_init_worker`). A worker lost mid-run breaks the
    pool: its runs (and the others in flight) are started again on a fresh pool, up to
    :data:`MAX_ATTEMPTS` times each, and recorded as failed after that.
    """

    lost_worker = (cf.BrokenExecutor,)

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self.description = f"{self.workers} local process{'es' if self.workers > 1 else ''}"
        self._pool: cf.ProcessPoolExecutor | None = None

    def warm_up(self) -> None:
        """Start every worker process now (imports included), e.g. before timing a benchmark."""
        pool, seen = self._ensure_pool(), set()
        for _ in range(20):
            with _worker_environment():
                futures = [pool.submit(_ping, 0.05) for _ in range(self.workers)]
            seen |= {f.result() for f in futures}
            if len(seen) >= self.workers:
                return

    def close(self, wait: bool = True) -> None:
        if self._pool is None:
            return
        if not wait:  # interrupted: do not wait for the runs in flight
            threading.excepthook = _quiet_broken_pool_hook(threading.excepthook)
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()
        self._pool.shutdown(wait=wait, cancel_futures=True)
        self._pool = None

    def _ensure_pool(self) -> cf.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = cf.ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_init_worker, initargs=(os.getpid(),))
        return self._pool

    def _submit(self, task: RunTask) -> Any:
        with _worker_environment():  # worker processes are started inside submit()
            try:
                return self._ensure_pool().submit(execute_run, task)
            except cf.BrokenExecutor:  # a worker died (killed, out of memory): start a fresh pool
                self._pool.shutdown(wait=False, cancel_futures=True)  # type: ignore[union-attr]
                self._pool = None
                return self._ensure_pool().submit(execute_run, task)

    def _wait(self, futures: list[Any], timeout: float) -> list[Any]:
        done, _ = cf.wait(futures, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        if not done and self._lost_a_worker():
            return self._abandon_pool(futures)
        return list(done)

    def _lost_a_worker(self) -> bool:
        """Whether a worker process of the pool has died.

        Python 3.11's pool notices a killed worker through its manager thread, but not always:
        when the worker dies while the manager thread waits on an older set of processes, the
        pool waits for ever. The sweep therefore also looks at the processes itself.
        """
        processes = getattr(self._pool, "_processes", None) or {}
        return any(p.exitcode is not None for p in list(processes.values()))

    def _abandon_pool(self, futures: list[Any]) -> list[Any]:
        """A worker died: end the pool and fail its unfinished runs as lost (they are retried)."""
        lost = cf.BrokenExecutor("a worker process died")
        for future in futures:
            if not future.done():
                with contextlib.suppress(cf.InvalidStateError):
                    future.set_exception(lost)
        self.close(wait=False)
        return [f for f in futures if f.done()]


def _quiet_broken_pool_hook(previous: Any) -> Any:
    """A ``threading.excepthook`` that drops the pool manager thread's ``InvalidStateError``.

    When workers are terminated after Ctrl-C, Python 3.11's pool manager thread marks every
    pending future broken, including the ones already cancelled, and that raises
    ``InvalidStateError`` in the thread: a traceback about nothing after a clean stop.
    """
    def hook(args: Any) -> None:
        if not isinstance(args.exc_value, cf.InvalidStateError):
            previous(args)

    return hook


@contextlib.contextmanager
def _worker_environment() -> Iterator[None]:
    """Set :data:`WORKER_ENV` (where unset) while pool workers are being started."""
    added = {k: v for k, v in WORKER_ENV.items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)


def _ping(pause: float) -> int:
    """Warm-up task (unpickling it imports the model code in the worker)."""
    time.sleep(pause)
    return os.getpid()


class DaskExecutor(FutureExecutor):
    """Runs on a Dask distributed cluster; ``cogov_sim`` must be installed on its workers."""

    def __init__(self, address: str) -> None:
        if not re.fullmatch(r"([a-z]+://)?[^\s:/]+:\d+|[a-z]+://\[[0-9a-fA-F:]+\]:\d+", address):
            raise CogovError(f"--scheduler {address!r}: expected a Dask scheduler address such as tcp://host:8786")
        from distributed import Client

        try:
            self.client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise CogovError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        self.address = address
        self.workers = max(1, sum(self.client.nthreads().values()))
        self._finished: queue.Queue[Any] = queue.Queue()
        self._no_workers_since: float | None = None
        self.description = f"Dask cluster at {address} ({self.workers} worker threads)"

    def close(self, wait: bool = True) -> None:
        with contextlib.suppress(Exception):  # a scheduler already gone
            self.client.close(timeout=5)

    def _lost_scheduler(self, exc: BaseException) -> CogovError:
        return CogovError(f"lost the Dask scheduler at {self.address} ({type(exc).__name__}: {exc}); finished runs "
                          f"are saved, --resume continues")

    def _submit(self, task: RunTask) -> Any:
        key = f"cogov-run-{task.run.run_id}-{uuid.uuid4().hex[:8]}"
        try:
            future = self.client.submit(execute_run, task, pure=False, key=key)
        except Exception as exc:  # the scheduler is gone (ClosedClientError, CommClosedError, ...)
            raise self._lost_scheduler(exc) from None
        future.add_done_callback(self._finished.put)  # called from the client's thread
        return future

    def _outcome(self, future: Any, task: RunTask) -> tuple[RunOutcome, bool]:
        if self.client.status != "running":  # runs "failed" because the scheduler went away
            raise self._lost_scheduler(RuntimeError(f"client {self.client.status}"))
        return super()._outcome(future, task)

    def _wait(self, futures: list[Any], timeout: float) -> list[Any]:
        try:
            done = [self._finished.get(timeout=timeout)]
        except queue.Empty:
            self._check_workers()
            return []
        with contextlib.suppress(queue.Empty):
            while True:
                done.append(self._finished.get_nowait())
        keys = {f.key for f in futures}
        return [f for f in done if f.key in keys]


    def _check_workers(self) -> None:
        """Stop (with a message) when the scheduler is gone or has had no worker for :data:`NO_WORKERS_TIMEOUT` s."""
        if self.client.status != "running":
            raise self._lost_scheduler(RuntimeError(f"client {self.client.status}"))
        try:
            workers = self.client.scheduler_info().get("workers", {})
        except Exception as exc:
            raise self._lost_scheduler(exc) from None
        if workers:
            self._no_workers_since = None
            return
        now = time.monotonic()
        self._no_workers_since = self._no_workers_since or now
        if now - self._no_workers_since > NO_WORKERS_TIMEOUT:
            raise CogovError(f"the Dask scheduler at {self.address} has had no workers for {NO_WORKERS_TIMEOUT:g} s; "
                             f"finished runs are saved, start workers and --resume")


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class BatchRun:
    """One run of a batch: a scenario (loaded once by the caller), overrides, a seed, and optionally
    the run length and population size (``None``: the scenario's)."""

    scenario: Scenario
    seed: int | np.random.SeedSequence
    overrides: Mapping[str, Any] = field(default_factory=dict)
    months: int | None = None
    residents: int | None = None


def run_batch(batch: Sequence[BatchRun], executor: Executor, outputs: Outputs,
              extra: Callable[[Results], dict[str, pd.DataFrame]] | None = None,
              progress: Callable[[int], None] | None = None) -> list[dict[str, pd.DataFrame]]:
    """Run every run of ``batch`` on ``executor`` and return each run's tables, in the order of ``batch``.

    The entry point for callers that need every run of a batch before they go on (calibration,
    validation), as :func:`~cogov_sim.experiments.sweep.run_sweep` is for experiment files. Each
    run's tables (``summary``, ``series``, ``survey`` as chosen by ``outputs``, plus those of
    ``extra``) are pandas DataFrames led by the identifying columns of :func:`id_columns`
    (``run_id`` is the position in ``batch``). Seeds are used as given: pass children of
    ``numpy.random.SeedSequence(root).spawn(n)`` (or the same child for runs that must share
    common random numbers). ``progress`` is called with 1 per finished run. A failed run raises
    :class:`~cogov_sim.errors.CogovError` with its error, after the runs in flight finish.
    """
    tasks = []
    for i, item in enumerate(batch):
        seq = item.seed if isinstance(item.seed, np.random.SeedSequence) else np.random.SeedSequence(item.seed)
        run = Run(i, i, 0, item.scenario.name, {}, int(seq.entropy), tuple(int(k) for k in seq.spawn_key))
        overrides = {**item.overrides, **({"months": item.months} if item.months is not None else {}),
                     **({"population.residents": item.residents} if item.residents is not None else {})}
        tasks.append(RunTask(run, item.scenario, overrides, outputs, (), extra))
    tables: list[dict[str, pd.DataFrame]] = [{} for _ in tasks]
    failure: RunOutcome | None = None
    for outcome in executor.map_unordered(tasks):
        if outcome is None:
            continue
        if outcome.status != "done":
            failure = failure or outcome
        else:
            tables[outcome.run.run_id] = {name: table.to_pandas() for name, table in outcome.frames.items()}
        if progress is not None:
            progress(1)
    if failure is not None:
        raise CogovError(f"run {failure.run.run_id} of the batch ({failure.run.scenario}) failed: "
                         f"{failure.error_type}: {failure.error_message}")
    return tables


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """``scheduler`` (a Dask address) wins; else ``workers`` = 0 runs in-process, N a pool (default: all cores)."""
    if scheduler:
        return DaskExecutor(scheduler)
    if workers == 0:
        return InProcessExecutor()
    return PoolExecutor(default_workers() if workers is None else workers)
