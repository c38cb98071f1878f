"""Make the README's workshop pictures: the printed one-page report and the dashboard.

    .venv/bin/python benchmarks/bench_workshop.py --out runs/bench_compare   # the full comparison
    .venv/bin/python docs/generate_workshop_images.py runs/bench_compare

Writes docs/figures/workshop_report.png (the report as printed on A4, Chinese and English
side by side pages: ``workshop_report.png`` English, ``workshop_report_zh.png`` Chinese) and
docs/figures/dashboard.png (four models after two simulated years, an emergency fired in
month 12), using Debian's chromium through Playwright, with every request kept on this machine.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from cogov_sim.cli import REFERENCE_MODELS
from cogov_sim.experiments import load_results
from cogov_sim.workshop.browser import free_port, guard, launch, pdf_pages, wait_for_port
from cogov_sim.workshop.compare import analyse
from cogov_sim.workshop.report import write_report

FIGURES = Path(__file__).resolve().parent / "figures"
A4_PIXELS = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 dpi


def report_images(browser, folder: Path) -> None:
    tables = load_results(folder / "runs", tables=("summary", "series"))
    cmp = analyse(tables["summary"], tables["series"], list(REFERENCE_MODELS), REFERENCE_MODELS[0])
    for lang, name in (("en", "workshop_report.png"), ("zh", "workshop_report_zh.png")):
        write_report(cmp, folder / lang, lang)
        page = browser.new_page(viewport=A4_PIXELS)
        outside = guard(page)
        page.goto((folder / lang / "report.html").as_uri())
        page.emulate_media(media="print")
        assert pdf_pages(page.pdf(format="A4", print_background=True)) == 1, "report does not fit one A4 page"
        page.screenshot(path=FIGURES / name, full_page=False)
        assert not outside, outside
        print(f"wrote {FIGURES / name}")


def dashboard_image(browser) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "cogov_sim.cli", "dashboard", *REFERENCE_MODELS, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "MPLBACKEND": "Agg"})
    try:
        wait_for_port(port, proc)
        page = browser.new_page(viewport={"width": 1500, "height": 1150})
        outside = guard(page)
        page.goto(f"http://127.0.0.1:{port}/")
        month = page.locator(".cogov-month")
        expect(month).to_have_text(re.compile(r"\b0$"), timeout=90_000)
        for target, action in ((12, "emergency"), (24, None)):
            page.locator(".cogov-play").click()
            page.wait_for_function(f"() => parseInt(document.querySelector('.cogov-month').textContent.split(':')[1]) "
                                   f">= {target}", timeout=120_000)
            page.locator(".cogov-play").click()
            if action:
                page.locator(f".cogov-shock-{action}").click()
        page.wait_for_timeout(3000)
        page.screenshot(path=FIGURES / "dashboard.png")
        assert not outside, outside
        print(f"wrote {FIGURES / 'dashboard.png'}")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/bench_compare").resolve()
    with sync_playwright() as p:
        browser = launch(p)
        report_images(browser, folder)
        dashboard_image(browser)
        browser.close()


if __name__ == "__main__":
    main()
