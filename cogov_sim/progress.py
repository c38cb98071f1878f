"""Progress bars: tqdm on a terminal; in a log file or CI, one plain line every few percent.

A redrawn bar written to a file is thousands of carriage-return frames; when stderr is not a
terminal, :func:`progress_bar` prints ``name:  35% | 350/1000 run [00:41<01:16, 8.5 run/s]``
as a new line each time another :data:`LOG_STEP` percent is done (and at the end).
"""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm

#: Percent between two progress lines when the output is not a terminal.
LOG_STEP = 5
#: One progress line in a log: no bar characters.
LOG_FORMAT = "{desc}: {percentage:3.0f}% | {n_fmt}/{total_fmt} {unit} [{elapsed}<{remaining}, {rate_fmt}{postfix}]"


class LineProgress(tqdm):
    """A tqdm bar that writes whole lines, one per :data:`LOG_STEP` percent (for logs)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._last_step = -1
        super().__init__(*args, **kwargs)

    def display(self, msg: str | None = None, pos: int | None = None) -> bool:
        if not self.total:
            return True
        step = int(100 * self.n / self.total) // LOG_STEP
        if step <= self._last_step:
            return True
        self._last_step = step
        self.fp.write(self.format_meter(**self.format_dict) + "\n")
        self.fp.flush()
        return True


def progress_bar(total: int, desc: str, unit: str, disable: bool = False, **kwargs: Any) -> tqdm:
    """A progress bar on stderr: tqdm if stderr is a terminal, else :class:`LineProgress`."""
    cls = tqdm if sys.stderr.isatty() else LineProgress
    extra = {} if cls is tqdm else {"mininterval": 0, "leave": True, "bar_format": LOG_FORMAT}
    return cls(total=total, desc=desc, unit=unit, disable=disable, file=sys.stderr, **{**kwargs, **extra})
