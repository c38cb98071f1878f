"""``cogov dashboard``: governance models side by side in the browser (Solara, offline).

Follows Mesa's SolaraViz conventions (``mesa.visualization``): the page's components read
``update_counter`` and are redrawn by ``force_update()`` after each step; a ModelController-like
bar steps, plays and resets; the play loop is a ``solara.lab.use_task``. Unlike SolaraViz it
drives 2–4 models at once, on the same seed, stepping together. Lever controls change a running
model as a regime switch from the current month (``parse_event`` + ``CommunityModel.apply_event``);
shock buttons fire every event kind on all models at once. Figures are Matplotlib (no CDN).

:class:`Workshop` holds the models and their history and is independent of Solara (it is what
the tests and ``benchmarks/bench_workshop.py`` drive).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd

from ..model import CommunityModel
from ..parameters import Levers
from ..run import release_model
from ..scenario import load_scenario, parse_event
from .compare import FORCE_COLUMNS, HEADLINE, Comparison, analyse, force_components

#: Workshop sizes of the shocks (one click each; the scenario files give other sizes for scripted runs).
SHOCKS: dict[str, dict[str, Any]] = {
    "emergency": {"intensity": 1.0, "duration": 6},
    "budget_cut": {"share": 0.3, "duration": 12},
    "enterprise_exit": {"share": 0.5},
    "migrant_inflow": {"share": 0.2},
    "ageing": {"share": 0.1},
}
#: While playing, redraw the page at most this often (seconds).
REDRAW_SECONDS = 0.4
#: Where the dashboard's report button writes.
REPORT_DIR = Path("runs") / "dashboard"
LEVER_FIELDS = {f.name: f for f in dataclasses.fields(Levers)}


class Workshop:
    """2–4 models on the same seed, stepped together, with their monthly outputs.

    Thread-safe: the page's play loop steps in a worker thread while buttons fire shocks and
    change levers, so every method holds the workshop's lock.
    """

    def __init__(self, scenarios: list[str], seed: int = 0, residents: int | None = None) -> None:
        self.lock = threading.RLock()
        self.scenarios = [load_scenario(s) for s in scenarios]
        self.names = [sc.name for sc in self.scenarios]
        self.seed, self.residents = seed, residents
        self.models: list[CommunityModel] = []
        self.reset()

    def reset(self) -> None:
        """New models at month 0 (the same seed: the same population and network in each)."""
        with self.lock:
            for m in self.models:
                release_model(m)
            self.models = [CommunityModel(sc, seed=self.seed, residents=self.residents) for sc in self.scenarios]
            self.rows: list[list[dict[str, float]]] = [[] for _ in self.models]
            self.fired: list[tuple[int, str]] = []

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return len(self.rows[0])

    def step(self) -> None:
        """Advance every model by one month."""
        with self.lock:
            for model, rows in zip(self.models, self.rows, strict=True):
                model.step()
                rows.append(dict(model.metrics))

    def fire(self, kind: str) -> None:
        """Fire a shock (an event kind of ``SHOCKS``) on every model, now."""
        with self.lock:
            event = parse_event({"month": self.month, "kind": kind, **SHOCKS[kind]}, where=f"shock {kind}")
            for model in self.models:
                model.apply_event(event)
            self.fired.append((self.month, kind))

    def levers(self, index: int) -> dict[str, Any]:
        """The levers model ``index`` runs under from its next month: those of a switch in progress (the
        scenario's scheduled one, or changes made this month) or else its current ones."""
        with self.lock:
            model = self.models[index]
            path = model.shocks.lever_path
            return dataclasses.asdict(path[1] if path is not None else model.levers)

    def set_lever(self, index: int, name: str, value: Any) -> None:
        """Change one lever of model ``index``: a regime switch from this month, no ramp. The other levers
        keep the values :meth:`levers` shows, so two changes in one month both hold and a scheduled switch
        already under way is not undone (it completes at once, with the change)."""
        with self.lock:
            kind = type(LEVER_FIELDS[name].default)
            levers = {**self.levers(index), name: kind(value)}
            event = parse_event({"month": self.month, "kind": "regime_switch", "levers": levers,
                                 "ramp_months": 0}, where=f"lever {name}")
            self.models[index].apply_event(event)

    def series(self) -> pd.DataFrame:
        """Headline outcomes by month, in the figures' band layout (lo = hi: one seed)."""
        with self.lock:
            frames = []
            for name, rows in zip(self.names, self.rows, strict=True):
                if not rows:
                    continue
                f = pd.DataFrame(rows, columns=list(HEADLINE))
                for o in HEADLINE:
                    frames.append(pd.DataFrame({"scenario": name, "outcome": o, "month": range(1, len(f) + 1),
                                                "mean": f[o], "lo": f[o], "hi": f[o]}))
            return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
                columns=["scenario", "outcome", "month", "mean", "lo", "hi"])

    def forces(self) -> pd.DataFrame:
        """This month's field forces along the main line, per model."""
        with self.lock:
            frames = []
            for name, rows in zip(self.names, self.rows, strict=True):
                last = rows[-1] if rows else {c: 0.0 for c in FORCE_COLUMNS}
                frames.append(force_components(last).assign(scenario=name))
            return pd.concat(frames, ignore_index=True)

    def comparison(self) -> Comparison:
        """What is on screen as a one-seed :class:`Comparison` (means over the last 12 months shown)."""
        with self.lock:
            summaries, series = [], []
            for name, rows in zip(self.names, self.rows, strict=True):
                f = pd.DataFrame(rows)
                f.insert(0, "month", range(1, len(f) + 1))
                f.insert(0, "scenario", name)
                series.append(f)
                tail = f.iloc[-12:].drop(columns=["scenario", "month"]).mean()
                summaries.append({"scenario": name, "months": len(f), **tail.to_dict()})
            return analyse(pd.DataFrame(summaries), pd.concat(series, ignore_index=True), self.names, self.names[0])


# --- the Solara page ------------------------------------------------------------------------

def _config() -> dict[str, Any]:
    """The dashboard's settings, passed by :func:`serve` to the Solara server through the environment."""
    from ..errors import CogovError

    raw = os.environ.get("COGOV_DASHBOARD_SCENARIOS", "")
    if not raw:
        raise CogovError("the dashboard's models are not set: start it with 'cogov dashboard'")
    residents = os.environ.get("COGOV_DASHBOARD_RESIDENTS", "")
    return {"scenarios": raw.split(","),
            "seed": int(os.environ.get("COGOV_DASHBOARD_SEED", "0")),
            "residents": int(residents) if residents else None,
            "lang": os.environ.get("COGOV_DASHBOARD_LANG", "en")}


def serve(scenarios: list[str], *, residents: int | None = None, seed: int = 0, lang: str = "en",
          host: str = "127.0.0.1", port: int = 8765) -> int:
    """Become the Solara server of the dashboard (this process is replaced; it serves until stopped)."""
    import importlib.util

    from ..errors import CogovError

    for s in scenarios:
        load_scenario(s)  # a bad name gets its one-line error here, not in the browser
    if importlib.util.find_spec("solara") is None:
        raise CogovError("the dashboard needs Solara: pip install -e '.[dashboard]' (make install does)")
    print(f"cogov dashboard: http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    env = {**os.environ, "COGOV_DASHBOARD_SCENARIOS": ",".join(scenarios), "COGOV_DASHBOARD_SEED": str(seed),
           "COGOV_DASHBOARD_RESIDENTS": str(residents or ""), "COGOV_DASHBOARD_LANG": lang,
           "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no request leaves the machine
           # Mesa's own SolaraViz trips Solara's hook check on import; not this page's concern
           "PYTHONWARNINGS": "ignore::UserWarning:solara.validate_hooks"}
    cmd = [sys.executable, "-m", "solara", "run", "cogov_sim.workshop.dashboard", "--host", host, "--port", str(port),
           "--production", "--no-open", "--no-check-version"]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, cmd, env)  # one process: stopping it (Ctrl-C, SIGTERM) stops the server
    return 0


def _page() -> Any:
    """Build the Solara page component (Solara is imported only when the dashboard runs)."""
    import solara
    import solara.lab
    from mesa.visualization.utils import force_update, update_counter

    from .figures import forces_figure, png_bytes, series_figure
    from .i18n import label, ui
    from .report import write_report

    config = _config()
    lang = solara.reactive(config["lang"])

    @solara.component
    def Controller(workshop: Workshop) -> None:
        """Step, play/pause, reset (Mesa's ModelController pattern)."""
        update_counter.get()
        playing = solara.use_reactive(False)

        def play() -> None:
            # Models step as fast as they can; the page is redrawn at most every REDRAW_SECONDS
            # (Mesa's render_interval idea: drawing costs more than a month of two models).
            drawn = 0.0
            while playing.value:
                workshop.step()
                if time.perf_counter() - drawn > REDRAW_SECONDS:
                    force_update()
                    drawn = time.perf_counter()
            force_update()

        solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

        def do_step() -> None:
            workshop.step()
            force_update()

        def do_reset() -> None:
            playing.value = False
            workshop.reset()
            force_update()

        with solara.Row():
            solara.Button(ui("step", lang.value), on_click=do_step, color="primary", disabled=playing.value,
                          classes=["cogov-step"])
            solara.Button(ui("pause" if playing.value else "play", lang.value),
                          on_click=lambda: playing.set(not playing.value), classes=["cogov-play"])
            solara.Button(ui("reset", lang.value), on_click=do_reset, classes=["cogov-reset"])
            solara.Text(f"{ui('month', lang.value)}: {workshop.month}", classes=["cogov-month"])

    @solara.component
    def Shocks(workshop: Workshop) -> None:
        def fire(kind: str) -> None:
            workshop.fire(kind)
            force_update()

        update_counter.get()
        solara.Markdown(f"**{ui('shocks', lang.value)}**")
        with solara.Row(style={"flex-wrap": "wrap"}):
            for kind in SHOCKS:
                solara.Button(label(kind, lang.value, "events"), on_click=lambda k=kind: fire(k), color="warning",
                              classes=[f"cogov-shock-{kind}"])
        if workshop.fired:
            fired = "; ".join(f"{ui('month', lang.value)} {m}: {label(k, lang.value, 'events')}" for m, k in workshop.fired)
            solara.Text(f"{ui('fired', lang.value)}: {fired}", classes=["cogov-fired"])

    @solara.component
    def LeverControls(workshop: Workshop) -> None:
        update_counter.get()
        index, set_index = solara.use_state(0)
        solara.Markdown(f"**{ui('levers', lang.value)}**")
        names = [label(n, lang.value, "scenarios") for n in workshop.names]
        solara.ToggleButtonsSingle(value=names[index], values=names, on_value=lambda n: set_index(names.index(n)),
                                   style={"flex-wrap": "wrap"})
        for name, spec in LEVER_FIELDS.items():
            value = workshop.levers(index)[name]
            text = label(name, lang.value, "levers")

            def change(v: Any, name: str = name) -> None:
                workshop.set_lever(index, name, v)
                force_update()

            if isinstance(spec.default, bool):
                solara.Checkbox(label=text, value=bool(value), on_value=change)
            else:
                lo, hi = spec.metadata["range"]
                solara.SliderFloat(text, value=float(value), min=lo, max=hi, step=(hi - lo) / 100, on_value=change)

    @solara.component
    def Plots(workshop: Workshop) -> None:
        update_counter.get()
        series = series_figure(workshop.series(), workshop.names, HEADLINE, lang.value, size=(9.5, 4.2))
        forces = forces_figure(workshop.forces(), workshop.names, lang.value, size=(9.5, 1.9))
        solara.Image(png_bytes(series, dpi=96), classes=["cogov-series"])
        solara.Image(png_bytes(forces, dpi=96), classes=["cogov-forces"])

    @solara.component
    def ReportButton(workshop: Workshop) -> None:
        written, set_written = solara.use_state("")

        def write() -> None:
            if workshop.month == 0:
                workshop.step()
            out = REPORT_DIR / f"month{workshop.month}"
            write_report(workshop.comparison(), out, lang.value)
            set_written(str(out / "report.html"))

        with solara.Row():
            solara.Button(ui("report", lang.value), on_click=write, classes=["cogov-report"])
            if written:
                solara.Text(f"{ui('written', lang.value)}: {written}", classes=["cogov-report-path"])
                solara.FileDownload(Path(written).read_bytes(), filename="report.html", label=ui("download", lang.value))

    @solara.component
    def Page() -> None:
        update_counter.get()
        workshop = solara.use_memo(lambda: Workshop(config["scenarios"], config["seed"], config["residents"]), [])
        solara.Title(ui("dashboard", lang.value))
        with solara.Sidebar():
            solara.Button(ui("language", lang.value), on_click=lambda: lang.set("en" if lang.value == "zh" else "zh"),
                          classes=["cogov-lang"])
            LeverControls(workshop)
        with solara.Column():
            solara.Markdown(f"## {ui('dashboard', lang.value)}: " +
                            " · ".join(label(n, lang.value, "scenarios") for n in workshop.names))
            Controller(workshop)
            Shocks(workshop)
            Plots(workshop)
            ReportButton(workshop)

    return Page


def __getattr__(name: str) -> Any:
    """``Page`` is built on first access, so importing this module does not import Solara."""
    if name == "Page":
        page = _page()
        globals()["Page"] = page
        return page
    raise AttributeError(name)


__all__ = ["SHOCKS", "Workshop", "serve"]
