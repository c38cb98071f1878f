"""The results store: Parquet chunks written as runs finish, a JSON manifest, resume.

Layout of a sweep folder::

    DIR/manifest.json              experiment hash, package version and source hashes, root seed, design rows,
                                   run status (as of the last open or close)
    DIR/manifest.log               run status of each chunk written since (one JSON line per chunk)
    DIR/experiment.toml            a copy of the experiment file
    DIR/runs/part-000000.parquet   one row per run: identifiers, varied parameters, status, error
    DIR/summary/part-000000.parquet  one row per finished run
    DIR/series/part-000000.parquet   one row per finished run × kept month
    DIR/survey/part-000000.parquet   one row per finished run × survey year × question × answer

A *chunk* is the set of ``part-NNNNNN.parquet`` files with one number. Each file is
written to a hidden temporary file and moved into place with :func:`os.replace`; the
``runs`` part is written last and commits the chunk. Readers (and ``--resume``) only trust
committed chunks, so a process killed at any moment leaves at most an uncommitted,
ignored (and on resume deleted) data part — never a half-written file or a duplicated row.
Every part of a table has the same columns, so ``pandas.read_parquet("DIR/summary")`` and
``polars.read_parquet("DIR/summary/*.parquet")`` read a table directly.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import CogovError
from .execution import RunOutcome, id_columns
from .tables import arrow_table

#: Result tables besides ``runs``.
DATA_TABLES = ("summary", "series", "survey")
TABLES = ("runs", *DATA_TABLES)
MANIFEST = "manifest.json"
#: Run status of the chunks written since ``manifest.json`` was last rewritten, one JSON line per
#: chunk: flushing a chunk appends a line instead of rewriting the manifest (whose design rows
#: may be large); :func:`load_manifest` merges it, and closing the store folds it into the manifest.
STATUS_LOG = "manifest.log"
EXPERIMENT_COPY = "experiment.toml"
FORMAT = "cogov-sweep/1"
#: The package whose source files :func:`provenance` hashes.
PACKAGE_DIR = Path(__file__).resolve().parent.parent
_PART = re.compile(r"^part-(\d{6})\.parquet$")


class SweepStore:
    """Writes one sweep's results folder; see the module docstring for the layout.

    Args:
        root: the results folder.
        chunk_runs: flush after this many finished runs.
        flush_seconds: ... or when the oldest unflushed run finished this many seconds ago.
    """

    def __init__(self, root: str | os.PathLike[str], chunk_runs: int = 25, flush_seconds: float = 30.0) -> None:
        self.root = Path(root)
        self.chunk_runs = max(1, chunk_runs)
        self.flush_seconds = flush_seconds
        #: Seconds spent writing chunks and the manifest (the store's overhead).
        self.write_seconds = 0.0
        self.chunks_written = 0
        self._buffer: list[RunOutcome] = []
        self._oldest = 0.0
        self._status: dict[int, dict[str, str]] = {}
        self._next_chunk = 0
        self._header: dict[str, Any] = {}
        self._lock: Any = None
        #: Chunks found damaged on opening and set aside (their runs run again).
        self.damaged_chunks: list[int] = []

    # --- opening ---------------------------------------------------------------------

    def open(self, header: dict[str, Any], *, resume: bool = False, force: bool = False,
             experiment_text: bytes | None = None) -> None:
        """Lock the folder, check it belongs to this experiment, tidy it and read the finished runs.

        ``header`` is the manifest without run status (see :func:`manifest_header`). Without
        ``resume`` an existing sweep is refused (or, with ``force``, deleted); with ``resume``
        a sweep of a different experiment file is refused unless ``force``.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        self._acquire_lock()
        try:
            self._open(header, resume, force, experiment_text)
        except BaseException:
            self._release_lock()
            raise

    def _open(self, header: dict[str, Any], resume: bool, force: bool, experiment_text: bytes | None) -> None:
        manifest = load_manifest(self.root, missing_ok=True)
        existing = bool(_parts(self.root, "runs"))  # a manifest without committed runs holds nothing to lose
        if existing and not resume:
            if not force:
                raise CogovError(f"{self.root} already holds a sweep; add --resume to continue it, --force to "
                                 f"delete it and start over, or choose another --out")
            self._clear()
            manifest = None
        elif existing:
            header = self._check_resume(manifest or {}, header, force)
        self._tidy()
        self.damaged_chunks = self._verify()
        runs = _read_runs(self.root)
        self._status = {int(r.run_id): _status_entry(r) for r in runs.itertuples()}
        numbers = [n for table in TABLES for n in _parts(self.root, table)]
        self._next_chunk = max(numbers, default=-1) + 1
        self._header = {**header, "created": (manifest or {}).get("created", _now())}
        if experiment_text is not None:
            _atomic_write(self.root / EXPERIMENT_COPY, experiment_text)
        self.write_manifest()

    def _check_resume(self, manifest: dict[str, Any], header: dict[str, Any], force: bool) -> dict[str, Any]:
        """Refuse to resume a different design (always) or with different code (unless ``force``)."""
        old = manifest.get("experiment", {}).get("sha256")
        new = header["experiment"]["sha256"]
        if old != new:
            what = f"sha256 {old[:12]}…" if old else "no manifest"
            same = _plain(manifest.get("design")) == _plain(header["design"]) \
                and manifest.get("root_seed") == header["root_seed"]
            if not same:
                raise CogovError(f"{self.root} was created from a different experiment file with another design "
                                 f"({what}, this one is {new[:12]}…); use another --out, or --force without --resume "
                                 f"to delete it and start over")
            if not force:
                raise CogovError(f"{self.root} was created from a different experiment file ({what}, this one is "
                                 f"{new[:12]}…; same design); use another --out, or add --force to resume anyway")
        changed = changed_files(manifest.get("provenance"), header["provenance"])
        if changed and not force:
            more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
            raise CogovError(f"{self.root} holds results of different code or scenario files ({', '.join(changed[:3])}"
                             f"{more} changed); use another --out, or add --force to mix them")
        if changed:  # --force: keep a record of every code version whose results the folder holds
            earlier = [*manifest.get("earlier_provenance", []), manifest.get("provenance", {}).get("sha256")]
            header = {**header, "earlier_provenance": earlier}
        return header

    def _verify(self) -> list[int]:
        """Check every committed chunk's files can be opened (a truncated Parquet file cannot).

        A damaged chunk is moved to ``DIR/damaged/`` whole, so that its runs count as not done and
        run again; returns the numbers of the chunks moved.
        """
        import pyarrow.parquet as pq

        damaged = []
        for number in _parts(self.root, "runs"):
            paths = [p for table in TABLES if (p := _parts(self.root, table).get(number)) is not None]
            try:
                for path in paths:
                    pq.read_metadata(path)
            except Exception:  # pyarrow raises several types for a damaged file
                damaged.append(number)
                for path in paths:
                    target = self.root / "damaged" / path.parent.name
                    target.mkdir(parents=True, exist_ok=True)
                    os.replace(path, target / path.name)
        return damaged

    def done_ids(self) -> set[int]:
        """Run ids finished in committed chunks."""
        return {i for i, s in self._status.items() if s["status"] == "done"}

    def counts(self) -> dict[str, int]:
        """``done``, ``failed`` and ``remaining`` runs of the design."""
        return _counts(self._status, self._header["runs_total"])

    # --- writing ---------------------------------------------------------------------

    def add(self, outcome: RunOutcome) -> None:
        """Buffer a finished run; flush when the chunk is full or old enough."""
        if not self._buffer:
            self._oldest = time.monotonic()
        self._buffer.append(outcome)
        self.tick()

    def tick(self) -> None:
        """Flush if the buffer is full or its oldest run waited ``flush_seconds``."""
        if self._buffer and (len(self._buffer) >= self.chunk_runs
                             or time.monotonic() - self._oldest >= self.flush_seconds):
            self.flush()

    def flush(self) -> None:
        """Write the buffered runs as one chunk (data parts first, the ``runs`` part commits), then the manifest."""
        if not self._buffer:
            return
        start = time.perf_counter()
        number, outcomes = self._next_chunk, self._buffer
        for table in DATA_TABLES:
            parts = [o.frames[table] for o in outcomes if table in o.frames]
            if parts:
                _write_part(self.root, table, number, _concat(parts))
        _write_part(self.root, "runs", number, arrow_table(runs_frame(outcomes, self._header["design"]["factor_keys"])))
        self._next_chunk += 1
        self.chunks_written += 1
        self._buffer = []
        for o in outcomes:
            if self._status.get(o.run.run_id, {}).get("status") != "done":
                self._status[o.run.run_id] = _status_entry(o)
        self._append_status(number, outcomes)
        self.write_seconds += time.perf_counter() - start

    def _append_status(self, number: int, outcomes: list[RunOutcome]) -> None:
        """Append the chunk's run status to :data:`STATUS_LOG` (one JSON line; the manifest is not rewritten)."""
        line = json.dumps({"chunk": number, "updated": _now(),
                           "runs": {str(o.run.run_id): _status_entry(o) for o in outcomes}}) + "\n"
        with (self.root / STATUS_LOG).open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def write_manifest(self) -> None:
        """Rewrite ``manifest.json`` atomically with the whole run status, then drop the status log it holds."""
        manifest = {**self._header, "updated": _now(), **_status_summary(self._status, self._header["runs_total"])}
        indent = 1 if len(self._header["design"]["rows"]) <= 1000 else None  # the C encoder only writes without
        _atomic_write(self.root / MANIFEST, json.dumps(manifest, indent=indent, default=_json_default).encode())
        (self.root / STATUS_LOG).unlink(missing_ok=True)

    def close(self) -> None:
        """Flush what is buffered, write the whole manifest once and release the lock."""
        try:
            self.flush()
            if self._header:
                self.write_manifest()
        finally:
            self._release_lock()

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    # --- internals -------------------------------------------------------------------

    def _acquire_lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return
        fh = (self.root / ".lock").open("a")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise CogovError(f"{self.root} is in use by another running sweep") from None
        self._lock = fh

    def _clear(self) -> None:
        for table in TABLES:
            shutil.rmtree(self.root / table, ignore_errors=True)
        for name in (MANIFEST, STATUS_LOG, EXPERIMENT_COPY):
            with suppress(FileNotFoundError):
                (self.root / name).unlink()

    def _tidy(self) -> None:
        """Delete temporary files and data parts of chunks that were never committed."""
        committed = set(_parts(self.root, "runs"))
        for table in TABLES:
            folder = self.root / table
            for tmp in folder.glob(".part-*.tmp"):
                tmp.unlink(missing_ok=True)
            for number, path in _parts(self.root, table).items():
                if number not in committed:
                    path.unlink(missing_ok=True)


def design_record(exp: Any, rows: list[Any]) -> dict[str, Any]:
    """The design as the manifest stores it (and :mod:`~cogov_sim.experiments.analysis` reads it)."""
    from .design import problem

    design: dict[str, Any] = {
        "method": exp.method, "factor_keys": [f.key for f in exp.factors],
        "factors": [{"key": f.key, "kind": f.kind.__name__, "values": list(f.values) or None,
                     "bounds": list(f.bounds) if f.bounds else None} for f in exp.factors],
        "scenarios": [sc.name for sc in exp.scenarios], "replications": exp.replications, "fixed": exp.fixed,
        "outputs": {"tables": list(exp.outputs.tables()), "series_every": exp.outputs.series_every,
                    "metrics": list(exp.outputs.metrics)},
        "rows": [{"design_row": r.index, "scenario": r.scenario, "values": r.values} for r in rows],
    }
    if exp.method in ("lhs", "sobol", "morris"):
        design.update(samples=exp.samples, design_seed=exp.design_seed, problem=problem(exp))
    if exp.method == "sobol":
        design["second_order"] = exp.second_order
    if exp.method == "morris":
        design["levels"] = exp.levels
    return design


def manifest_header(exp: Any, rows: list[Any], runs_total: int, version: str) -> dict[str, Any]:
    """The manifest's fixed part: experiment file and hash, package version and source, root seed, design rows."""
    return {"format": FORMAT, "experiment": {"name": exp.name, "path": str(exp.path), "sha256": exp.sha256,
                                             "description": exp.description},
            "package_version": version, "provenance": provenance(exp), "root_seed": exp.seed,
            "runs_total": runs_total, "design": design_record(exp, rows)}


def provenance(exp: Any) -> dict[str, Any]:
    """SHA-256 of every source file of the package and of every scenario file in the experiment's
    scenario folders (the files a run can read), and one hash over them all."""
    files = {f"cogov_sim/{p.relative_to(PACKAGE_DIR).as_posix()}": p for p in sorted(PACKAGE_DIR.rglob("*.py"))}
    for folder in sorted({Path(sc.source).resolve().parent for sc in exp.scenarios if sc.source != "<defaults>"}):
        files.update({f"scenarios:{p.resolve()}": p for p in sorted(folder.glob("*.toml"))})
    hashes = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in files.items()}
    total = hashlib.sha256("".join(f"{k}={v}\n" for k, v in hashes.items()).encode()).hexdigest()
    return {"sha256": total, "files": hashes}


def changed_files(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Files whose hash differs between two :func:`provenance` records (all, if ``old`` is missing)."""
    if not old or old.get("sha256") == new["sha256"]:
        return [] if old else ["(no source record: made by an older version)"]
    before, after = old.get("files", {}), new["files"]
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def _plain(value: Any) -> Any:
    """``value`` as JSON would give it back (tuples become lists, numpy scalars numbers)."""
    return json.loads(json.dumps(value, default=_json_default))


def runs_frame(outcomes: list[RunOutcome], factor_keys: list[str]) -> pd.DataFrame:
    """One row per outcome: identifiers, varied parameters, status and error."""
    keys = tuple(factor_keys)
    return pd.DataFrame([{**id_columns(o.run, keys), "status": o.status, "error_type": o.error_type,
                          "error_message": o.error_message, "error_traceback": o.error_traceback,
                          "seconds": o.seconds, "worker": o.worker, "attempts": o.attempts} for o in outcomes])


def load_manifest(root: str | os.PathLike[str], missing_ok: bool = False) -> dict[str, Any] | None:
    """The sweep's manifest (``None`` if absent and ``missing_ok``)."""
    path = Path(root) / MANIFEST
    try:
        return _merge_status_log(Path(root), json.loads(path.read_text()))
    except FileNotFoundError:
        if missing_ok:
            return None
        raise CogovError(f"{root}: not a sweep results folder (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise CogovError(f"{path}: cannot read the manifest: {exc}") from None


def _merge_status_log(root: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest with the status of chunks appended to :data:`STATUS_LOG` since it was written."""
    try:
        lines = (root / STATUS_LOG).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return manifest
    runs = manifest.get("runs", {})
    status = {i: {"status": "done"} for i in parse_ranges(runs.get("done", []))}
    status.update({int(i): {"status": "failed", **s} for i, s in runs.get("failed", {}).items()})
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:  # a line cut short by a kill: its chunk is read from the runs table on resume
            continue
        for i, s in entry["runs"].items():
            if status.get(int(i), {}).get("status") != "done":
                status[int(i)] = s
        manifest["updated"] = entry.get("updated", manifest.get("updated"))
    return {**manifest, **_status_summary(status, manifest["runs_total"])}


def _counts(status: dict[int, dict[str, str]], total: int) -> dict[str, int]:
    statuses = [s["status"] for i, s in status.items() if i < total]  # (a --force resume may shrink it)
    done, failed = statuses.count("done"), statuses.count("failed")
    return {"done": done, "failed": failed, "remaining": total - done - failed}


def _status_summary(status: dict[int, dict[str, str]], total: int) -> dict[str, Any]:
    """The manifest's ``counts`` and ``runs`` (done as id ranges, failed with their errors)."""
    done = sorted(i for i, s in status.items() if s["status"] == "done")
    failed = {str(i): {"error_type": s["error_type"], "error_message": s["error_message"]}
              for i, s in sorted(status.items()) if s["status"] == "failed"}
    return {"counts": _counts(status, total), "runs": {"done": _ranges(done), "failed": failed}}


def load_results(root: str | os.PathLike[str], tables: tuple[str, ...] = TABLES) -> dict[str, pd.DataFrame]:
    """Read a sweep folder into tidy DataFrames: ``runs``, ``summary``, ``series``, ``survey``.

    Only committed chunks are read. Each run appears once: its first finished record wins
    (a run that failed and was re-run on resume shows as done), so the tables hold no
    duplicated run even if chunks overlap. Rows are sorted by ``run_id`` (then month).
    """
    root = Path(root)
    if not root.is_dir():
        raise CogovError(f"{root}: no such results folder")
    runs = _read_table(root, "runs", committed=None)
    if runs.empty:
        return {t: pd.DataFrame() for t in tables}
    done = runs["status"] == "done"
    first_done = runs[done].groupby("run_id")["_chunk"].min()
    last_failed = runs[~done & ~runs["run_id"].isin(first_done.index)].groupby("run_id")["_chunk"].max()
    winner = pd.concat([first_done, last_failed]).rename("_winner")
    out: dict[str, pd.DataFrame] = {}
    for table in tables:
        frame = runs if table == "runs" else _read_table(root, table, committed=set(_parts(root, "runs")))
        if frame.empty:
            out[table] = pd.DataFrame()
            continue
        keep = frame["_chunk"].to_numpy() == frame["run_id"].map(winner).to_numpy()
        frame = frame[keep]
        if table == "runs":
            frame = frame.drop_duplicates("run_id")
        order = ["run_id", "month"] if table == "series" else ["run_id"]
        frame = frame.sort_values(order, kind="stable").drop(columns="_chunk").reset_index(drop=True)
        out[table] = frame
    return out


# --- file helpers ------------------------------------------------------------------------

def _parts(root: Path, table: str) -> dict[int, Path]:
    folder = root / table
    if not folder.is_dir():
        return {}
    found = {}
    for path in folder.iterdir():
        match = _PART.match(path.name)
        if match:
            found[int(match.group(1))] = path
    return dict(sorted(found.items()))


def _read_table(root: Path, table: str, committed: set[int] | None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    frames = []
    for number, path in _parts(root, table).items():
        if committed is not None and number not in committed:
            continue
        try:
            frame = pq.read_table(path).to_pandas()
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise CogovError(f"{path}: cannot read this chunk: {exc}") from None
        frame["_chunk"] = number
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _read_runs(root: Path) -> pd.DataFrame:
    runs = _read_table(root, "runs", committed=None)
    if runs.empty:
        return runs
    # done beats failed; among equals the latest record wins
    runs = runs.sort_values(["run_id", "_chunk"], kind="stable")
    runs["_rank"] = (runs["status"] == "done").astype(int)
    return runs.sort_values(["run_id", "_rank"], kind="stable").groupby("run_id").tail(1)


def _concat(tables: list[Any]) -> Any:
    import pyarrow as pa

    return pa.concat_tables(tables, promote_options="permissive")


def _write_part(root: Path, table: str, number: int, data: Any) -> None:
    import pyarrow.parquet as pq

    folder = root / table
    folder.mkdir(exist_ok=True)
    tmp = folder / f".part-{number:06d}.parquet.tmp"
    with tmp.open("wb") as fh:
        pq.write_table(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / f"part-{number:06d}.parquet")


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _status_entry(run: Any) -> dict[str, str]:
    """Status of a run outcome or a row of the runs table."""
    return {"status": str(run.status), "error_type": str(run.error_type or ""),
            "error_message": str(run.error_message or "")}


def _ranges(ids: list[int]) -> list[str]:
    """``[0, 1, 2, 5]`` -> ``["0-2", "5"]``."""
    out: list[str] = []
    start = prev = None
    for i in ids:
        if start is None:
            start = prev = i
        elif i == prev + 1:
            prev = i
        else:
            out.append(f"{start}-{prev}" if start != prev else f"{start}")
            start = prev = i
    if start is not None:
        out.append(f"{start}-{prev}" if start != prev else f"{start}")
    return out


def parse_ranges(ranges: list[str]) -> set[int]:
    """Inverse of the manifest's compact run-id ranges."""
    ids: set[int] = set()
    for item in ranges:
        lo, _, hi = item.partition("-")
        ids.update(range(int(lo), int(hi or lo) + 1))
    return ids


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"not JSON serialisable: {value!r}")
