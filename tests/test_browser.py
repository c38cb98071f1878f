"""The dashboard and the printed report in a real browser: Debian's Chromium driven by Playwright.

Every page is guarded: a request that leaves localhost is aborted and fails the test (the
dashboard must work with no internet). The README's pictures are made the same way by
``docs/generate_workshop_images.py``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cogov_sim.workshop.browser import chromium_path, free_port, guard, launch, pdf_pages, wait_for_port
from cogov_sim.workshop.i18n import label, ui

pytestmark = [pytest.mark.xdist_group("browser"),
              pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed "
                                 "(bash .ci/system-packages installs it as root)")]
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def dashboard(tmp_path: Path):
    """``cogov dashboard`` serving two models on a free port, from ``tmp_path``; yields its URL."""
    port = free_port()
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.Popen([sys.executable, "-m", "cogov_sim.cli", "dashboard", "administrative_led", "co_governance",
                             "--residents", "600", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_dashboard_steps_shocks_switches_language_and_writes_the_report(browser, dashboard: str, tmp_path: Path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside = guard(page)
    page.goto(dashboard)
    month = page.locator(".cogov-month")
    expect(month).to_have_text(re.compile(r"\b0$"), timeout=90_000)
    series, forces = page.locator(".cogov-series"), page.locator(".cogov-forces")
    expect(series).to_be_visible()
    before = series.screenshot(), forces.screenshot()

    page.locator(".cogov-step").click()
    expect(month).to_have_text(re.compile(r"\b1$"), timeout=60_000)
    page.locator(".cogov-step").click()
    expect(month).to_have_text(re.compile(r"\b2$"), timeout=60_000)
    page.wait_for_timeout(500)
    stepped = series.screenshot(), forces.screenshot()
    assert stepped[0] != before[0] and stepped[1] != before[1]          # both plots follow both models

    page.locator(".cogov-shock-emergency").click()
    expect(page.locator(".cogov-fired")).to_contain_text(label("emergency", "en", "events"), timeout=60_000)
    page.locator(".cogov-step").click()
    expect(month).to_have_text(re.compile(r"\b3$"), timeout=60_000)
    page.wait_for_timeout(500)
    assert series.screenshot() != stepped[0]

    page.locator(".cogov-lang").click()
    expect(page.locator(".cogov-step")).to_contain_text(ui("step", "zh"), timeout=60_000)
    expect(page.get_by_text(label("co_governance", "zh", "scenarios")).first).to_be_visible()
    expect(page.get_by_text(label("council", "zh", "levers")).first).to_be_visible()
    expect(page.locator(".cogov-fired")).to_contain_text(label("emergency", "zh", "events"))

    page.locator(".cogov-report").click()
    expect(page.locator(".cogov-report-path")).to_contain_text("report.html", timeout=60_000)
    reports = list((tmp_path / "runs" / "dashboard").glob("*/report.html"))
    assert len(reports) == 1 and label("co_governance", "zh", "scenarios") in reports[0].read_text(encoding="utf-8")
    with page.expect_download() as download:
        page.get_by_text(ui("download", "zh")).click()
    assert Path(download.value.path()).read_bytes() == reports[0].read_bytes()       # the participant takes it home
    assert outside == [], f"requests left localhost: {outside}"


def test_report_prints_on_one_a4_page(browser, tmp_path: Path):
    from cogov_sim.cli import REFERENCE_MODELS
    from cogov_sim.workshop.compare import run_comparison
    from cogov_sim.workshop.report import write_report

    cmp = run_comparison(list(REFERENCE_MODELS), tmp_path / "c", seeds=2, residents=200, months=13, workers=0,
                         quiet=True)
    for lang in ("en", "zh"):
        write_report(cmp, tmp_path / lang, lang)
        page = browser.new_page()
        outside = guard(page)
        page.goto((tmp_path / lang / "report.html").as_uri())
        expect(page.locator("h1")).to_contain_text(label("co_governance", lang, "scenarios"))
        assert page.locator("img").evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth > 0)")
        assert pdf_pages(page.pdf(format="A4", print_background=True)) == 1
        assert outside == []
        page.close()
