"""Headless Debian Chromium driven by Playwright, kept on this machine (tests and docs images).

Chromium is Debian's ``/usr/bin/chromium`` (``apt-get install chromium``; Playwright's own
browser download is never used), started without background networking, and every page gets
a guard that aborts and records any request leaving localhost.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about", "file"}


def chromium_path() -> Path | None:
    """Debian's chromium, if installed."""
    return CHROMIUM if CHROMIUM.exists() else (Path(p) if (p := shutil.which("chromium")) else None)


def launch(playwright: Any) -> Any:
    """A headless Chromium browser from Debian's package (a fresh, empty profile each launch)."""
    return playwright.chromium.launch(executable_path=str(chromium_path()), args=CHROMIUM_ARGS)


def is_local(url: str) -> bool:
    """True for addresses on this machine (and data:, blob:, about:, file: URLs)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.hostname in LOCAL_HOSTS or (parts.hostname or "").startswith("127.")


def guard(page: Any) -> list[str]:
    """Abort every request that leaves localhost; return the (live) list of such addresses."""
    outside: list[str] = []

    def route(r: Any) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("websocket", lambda ws: None if is_local(ws.url) else outside.append(ws.url))
    page.on("request", lambda req: None if is_local(req.url) or req.url in outside else outside.append(req.url))
    return outside


def pdf_pages(pdf: bytes) -> int:
    """Number of pages of a PDF written by Chromium."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[Any], timeout: float = 120.0) -> None:
    """Wait until a server listens on ``port`` (or fail if ``proc`` ended first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise TimeoutError(f"nothing listens on port {port} after {timeout:.0f} s")
