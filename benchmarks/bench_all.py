"""Every speed figure with its target beside it, in one run (``make bench``).

    python benchmarks/bench_all.py                        # all figures
    python benchmarks/bench_all.py --against /path/tree   # also time another source tree, paired
    python benchmarks/bench_all.py --readme README.md     # also rewrite the README's speed table
    python benchmarks/bench_all.py --quick                # smaller repeats, no 1M run, no sweep

Every measurement runs in a fresh child process pinned to one core (``taskset -c 0``) with BLAS
on one thread, and is CPU time (``time.process_time`` inside the child, or the child's
``getrusage`` for whole processes), so another job on the machine slows the wall clock but barely
these figures. With ``--against`` the two trees alternate run by run, so both meet the same load.

Figures (scenario ``co_governance``, the busiest reference scenario, data collection on):

* the step's cost in µs per resident-month at 2,000, 10,000, 100,000 and 1,000,000 residents
  (steps only; setup apart), its flatness from 10k to 1M, and peak memory (``ru_maxrss`` of the child);
* a whole 2,000 × 120 run as a user starts it (a fresh interpreter: imports, setup, steps, results);
* ``cogov --help`` and ``import cogov_sim``;
* the residents' whole month (benchmarks/resident_rules.py: every per-resident operation of the step)
  per-agent in Mesa and fused (numba) beside the project's step: the per-agent / project ratio — for the
  idiomatic Mesa 3 reference (residents on a ``Network`` cell space, ``shuffle_do``, a ``DataCollector``),
  which the targets are about, and for the lean one (neighbour lists, no space) as a lower bound — and the
  project / fused ratio;
* a whole street (23 communities) × 120 months on one core;
* sweep throughput with 2 worker processes vs 1 (benchmarks/bench_sweep.py).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCENARIO = "co_governance"
STEP_SIZES = {2_000: 120, 10_000: 120, 100_000: 24}
MILLION = 1_000_000
RULE_SIZES = {2_000: 10, 10_000: 4, 100_000: 1}


# ---------------------------------------------------------------------- children (run in a fresh process)
def child_steps(residents: int, months: int) -> dict:
    """Setup and monthly steps of one model; CPU times and peak memory."""
    import numpy as np  # noqa: F401  (imported before timing, like the package's own imports)

    from cogov_sim.model import CommunityModel

    c0 = time.process_time()
    model = CommunityModel(SCENARIO, seed=0, residents=residents)
    c1 = time.process_time()
    for _ in range(months):
        model.step()
    c2 = time.process_time()
    return {"setup_cpu": c1 - c0, "steps_cpu": c2 - c1, "us": (c2 - c1) / (residents * months) * 1e6,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}


def child_warm(residents: int, months: int) -> dict:
    """A whole run (setup, steps, results) in a process that has already run one, as a sweep worker or
    a workshop's server runs them: the imports and first-run costs are paid before timing."""
    from cogov_sim.run import run_scenario

    run_scenario(SCENARIO, seed=1, months=months, residents=residents)
    c0 = time.process_time()
    run_scenario(SCENARIO, seed=0, months=months, residents=residents)
    return {"cpu": time.process_time() - c0}


def child_street(months: int) -> dict:
    """A whole street × ``months`` as ``run_scenario`` runs it (results included)."""
    from cogov_sim.run import run_scenario

    c0 = time.process_time()
    results = run_scenario(SCENARIO, seed=0, months=months, residents="street")
    return {"cpu": time.process_time() - c0, "residents": int(results.summary["residents_final"].iloc[0])}


def child_rules(residents: int, months: int) -> dict:
    """The residents' whole month three ways on the same inputs and draws: µs per resident-month
    (after one untimed month each, so that caches are warm as in a long run)."""
    import numpy as np

    sys.path.insert(0, HERE)
    import resident_rules as rr

    from cogov_sim.model import CommunityModel

    model = CommunityModel(SCENARIO, seed=0, residents=residents)
    for _ in range(12):
        model.step()
    world, population = rr.from_model(model)
    rng = np.random.default_rng(1)
    month_draws = [rr.draws(rng, residents) for _ in range(months + 1)]

    def timed(runner) -> float:
        runner.step_with(month_draws[0])
        c0 = time.process_time()
        for d in month_draws[1:]:
            runner.step_with(d)
        return (time.process_time() - c0) / (residents * months) * 1e6

    vectorised = rr.Vectorised(world, population)
    out = {"vectorised": timed(vectorised)}
    expected = vectorised.snapshot()
    runners = {"agent": lambda: rr.AgentModel(world, population), "lean": lambda: rr.LeanModel(world, population)}
    kernels = rr.fused_kernels()
    if kernels is not None:
        runners["fused"] = lambda: rr.Fused(kernels, world, population)
    for key, make in runners.items():
        runner = make()
        out[key] = timed(runner)
        out[f"{key}_diff"], out[f"{key}_flips"] = rr.max_difference(expected, runner.snapshot())
    return out


CHILDREN = {"steps": child_steps, "warm": child_warm, "street": child_street, "rules": child_rules}


# ---------------------------------------------------------------------- the parent
def env_for(tree: str | None) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(p for p in (tree or ROOT, os.environ.get("PYTHONPATH")) if p)}
    return env


def run_child(kind: str, args: list, tree: str | None) -> dict:
    out = subprocess.run(["taskset", "-c", "0", sys.executable, os.path.abspath(__file__), "--child", kind,
                          json.dumps(args)], capture_output=True, text=True, env=env_for(tree), cwd=tree or ROOT)
    if out.returncode:
        raise RuntimeError(f"child {kind} {args} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def process_cpu(argv: list[str], tree: str | None) -> tuple[float, float]:
    """A whole process's CPU time (user + system, from getrusage of children) and wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(["taskset", "-c", "0", *argv], check=True, capture_output=True, env=env_for(tree),
                   cwd=tree or ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, wall


def cogov_help() -> list[str]:
    """``cogov --help`` through the installed console script (PYTHONPATH picks the tree)."""
    return [os.path.join(os.path.dirname(sys.executable), "cogov"), "--help"]


class Table:
    """Rows of (figure, this tree, other tree or '', target, verdict)."""

    def __init__(self, against: bool) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []
        self.against = against

    def add(self, figure: str, value: str, other: str = "", *, target: str = "", met: bool | None = None) -> None:
        verdict = "—" if met is None else ("met" if met else "NOT met")
        self.rows.append((figure, value, other, target, verdict))
        cols = [f"{figure:<58}", f"{value:>16}"] + ([f"{other:>16}"] if self.against else []) + \
               [f"  {target:<26}", verdict]
        print(" ".join(cols), flush=True)

    def markdown(self) -> str:
        head = ["Figure", "Measured"] + (["Before (same run)"] if self.against else []) + ["Target", "Met"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for figure, value, other, target, verdict in self.rows:
            cells = [figure, value] + ([other] if self.against else []) + [target, verdict]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"


def median_runs(kind: str, args: list, trees: dict, repeat: int) -> dict[str, dict]:
    """Median of each field over ``repeat`` runs per tree, the trees alternating run by run. A figure the
    other tree cannot produce (an older tree without the feature) is left out for it, with its error on
    stderr, so the rest of the benchmark still runs."""
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(repeat):
        for name, tree in trees.items():
            try:
                runs[name].append(run_child(kind, args, tree))
            except RuntimeError as error:
                if name == "this":
                    raise
                print(f"{kind} {args}: the other tree cannot run it: {str(error).splitlines()[-1]}", file=sys.stderr)
    return {name: {k: statistics.median(r[k] for r in rs) for k in rs[0] if isinstance(rs[0][k], (int, float))}
            for name, rs in runs.items() if rs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", metavar="DIR", help="another source tree of the package, timed in the same run")
    ap.add_argument("--repeat", type=int, default=3, help="fresh processes per figure and tree (default 3)")
    ap.add_argument("--quick", action="store_true", help="one repeat, no million-resident run, no sweep")
    ap.add_argument("--no-million", action="store_true", help="skip the 1,000,000 × 120 run")
    ap.add_argument("--markdown", metavar="PATH", help="also write the table as Markdown")
    ap.add_argument("--readme", metavar="PATH", help="replace the table between the bench markers of this README")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child[0]](*json.loads(args.child[1]))))
        return
    repeat = 1 if args.quick else args.repeat
    trees = {"this": None} if not args.against else {"this": None, "other": os.path.abspath(args.against)}
    other = "other" in trees
    load = os.getloadavg()[0]
    print(f"make bench: {SCENARIO}, CPU time in fresh processes on one core, medians of {repeat}; "
          f"load average {load:.2f} at start" + (f"; before = {args.against}" if other else ""), flush=True)
    table = Table(other)

    def pair(values: dict[str, dict], key: str, fmt: str) -> tuple[str, str]:
        return fmt.format(values["this"][key]), (fmt.format(values["other"][key]) if "other" in values else "")

    # --- the step at each size
    steps = {n: median_runs("steps", [n, m], trees, repeat) for n, m in STEP_SIZES.items()}
    for n, m in STEP_SIZES.items():
        table.add(f"step, {n:,} residents (µs per resident-month, {m} months)", *pair(steps[n], "us", "{:.3f}"))
    million = None
    if not (args.quick or args.no_million):
        million = median_runs("steps", [MILLION, 120], trees, 1)
        table.add("step, 1,000,000 residents (µs per resident-month)", *pair(million, "us", "{:.3f}"))
        total = {k: v["setup_cpu"] + v["steps_cpu"] for k, v in million.items()}
        table.add("1,000,000 × 120 run, CPU s (setup + steps)", f"{total['this']:.1f}",
                  f"{total['other']:.1f}" if other else "", target="≤ 60 s", met=total["this"] <= 60)
        table.add("1,000,000 × 120 run, peak memory (MiB)", *pair(million, "peak_mb", "{:.0f}"), target="≤ 1024 MiB",
                  met=million["this"]["peak_mb"] <= 1024)
        flat = million["this"]["us"] / steps[10_000]["this"]["us"]
        table.add("cost per resident-month, 1M vs 10k", f"{flat:.2f}×", target="≤ 1.3×", met=flat <= 1.3)
    else:
        flat = steps[100_000]["this"]["us"] / steps[10_000]["this"]["us"]
        table.add("cost per resident-month, 100k vs 10k (1M skipped)", f"{flat:.2f}×", target="≤ 1.3× (10k to 1M)")
    table.add("peak memory, 100,000 residents (MiB)", *pair(steps[100_000], "peak_mb", "{:.0f}"))

    # --- whole runs and start-up
    whole = {name: [] for name in trees}
    helps = {name: [] for name in trees}
    imports = {name: [] for name in trees}
    run_code = ("from cogov_sim.run import run_scenario; "
                f"run_scenario({SCENARIO!r}, seed=0, months=120, residents=2000)")
    for _ in range(max(repeat, 3)):
        for name, tree in trees.items():
            whole[name].append(process_cpu([sys.executable, "-c", run_code], tree)[0])
            helps[name].append(process_cpu(cogov_help(), tree))
            imports[name].append(process_cpu([sys.executable, "-c", "import cogov_sim"], tree))
    med = {name: statistics.median(v) for name, v in whole.items()}
    table.add("whole run 2,000 × 120, CPU s (fresh interpreter: imports, setup, steps, results)",
              f"{med['this']:.2f}", f"{med['other']:.2f}" if other else "")
    if other:
        table.add("  speed-up of the fresh-interpreter run vs before", f"{med['other'] / med['this']:.2f}×")
    warm = median_runs("warm", [2_000, 120], trees, max(repeat, 3))
    table.add("whole run 2,000 × 120, CPU s (warm process: a sweep worker, a workshop server)",
              *pair(warm, "cpu", "{:.3f}"), target="≥ 3× faster than before")
    if other:
        speedup = warm["other"]["cpu"] / warm["this"]["cpu"]
        table.add("  speed-up of the warm run vs before", f"{speedup:.2f}×", target="≥ 3×", met=speedup >= 3)
    for label, values in (("cogov --help", helps), ("import cogov_sim", imports)):
        cpu = {name: statistics.median(c for c, _ in v) for name, v in values.items()}
        wall = {name: statistics.median(w for _, w in v) for name, v in values.items()}
        table.add(f"{label}, s (CPU / wall)", f"{cpu['this']:.2f} / {wall['this']:.2f}",
                  f"{cpu['other']:.2f} / {wall['other']:.2f}" if other else "", target="< 0.5 s",
                  met=wall["this"] < 0.5)

    # --- the residents' whole month: per-agent Mesa and fused kernels beside the project's step
    def agreement(rules: dict, key: str) -> str:
        flips = int(rules[f"{key}_flips"])
        return f"diff {rules[f'{key}_diff']:.0e}" + (f", {flips} discrete values differ" if flips else "")

    for n, m in RULE_SIZES.items():
        rules = run_child("rules", [n, m], None)
        project = steps[n]["this"]["us"]
        table.add(f"per-agent Mesa, residents' month (cell space, DataCollector), {n:,} (µs/res-month; "
                  f"{agreement(rules, 'agent')})", f"{rules['agent']:.2f}")
        target = {2_000: 30, 10_000: 100}.get(n)
        ratio = rules["agent"] / project
        table.add(f"  per-agent ÷ project step, {n:,}", f"{ratio:.1f}×", target=f"≥ {target}×" if target else "",
                  met=ratio >= target if target else None)
        table.add(f"lean per-agent (lists, no space), {n:,} (µs/res-month; {agreement(rules, 'lean')})",
                  f"{rules['lean']:.2f}")
        table.add(f"  lean per-agent ÷ project step, {n:,} (lower bound)", f"{rules['lean'] / project:.1f}×")
        table.add(f"  project's residents' month alone (vectorised, with outputs), {n:,} (µs/res-month)",
                  f"{rules['vectorised']:.3f}")
        if "fused" in rules:
            table.add(f"fused kernels (numba), residents' month, {n:,} (µs/res-month; {agreement(rules, 'fused')})",
                      f"{rules['fused']:.3f}")
            ratio = project / rules["fused"]
            table.add(f"  project step ÷ fused kernels, {n:,}", f"{ratio:.1f}×",
                      target="≤ 2× at 100,000" if n == 100_000 else "", met=ratio <= 2 if n == 100_000 else None)
        elif n == 100_000:
            table.add("fused kernels", "numba not installed", target="≤ 2× at 100,000")

    # --- a street on one core
    street = median_runs("street", [120], trees, repeat)
    table.add(f"street ({int(street['this']['residents']):,} residents) × 120, CPU s, one core",
              *pair(street, "cpu", "{:.2f}"), target="≤ 5 s", met=street["this"]["cpu"] <= 5)

    # --- sweep throughput
    if not args.quick:
        out = subprocess.run([sys.executable, os.path.join(HERE, "bench_sweep.py"), "--runs", "8", "--repeats", "2"],
                             capture_output=True, text=True, env=env_for(None), cwd=ROOT, check=True).stdout
        speedup = next(float(line.split(":")[1].split("×")[0]) for line in out.splitlines()
                       if line.startswith("speed-up"))
        table.add("sweep throughput, 2 workers ÷ 1 (2,000 × 120 runs)", f"{speedup:.2f}×",
                  target="≥ 1.9× (2 free cores)", met=speedup >= 1.9)
    load_end = os.getloadavg()[0]
    print(f"load average {load_end:.2f} at the end (2 cores; CPU times hold under load, the sweep's speed-up does not)")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(table.markdown())
    if args.readme:
        write_readme(args.readme, table.markdown(), f"{time.strftime('%B %Y')}, load average {load:.1f}–{load_end:.1f}")


BEGIN, END = "<!-- bench:begin (benchmarks/bench_all.py --readme) -->", "<!-- bench:end -->"


def write_readme(path: str, table: str, when: str) -> None:
    """Replace the text between the bench markers of ``path`` with ``table``."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"{head}{BEGIN}\n_Measured by `make bench`, {when}._\n\n{table}{END}{tail}")


if __name__ == "__main__":
    main()
