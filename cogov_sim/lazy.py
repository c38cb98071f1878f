"""Lazy package exports (PEP 562): a package names its public objects without importing the
modules that define them, so ``import cogov_sim`` and ``cogov --help`` stay cheap and Mesa,
pandas, SALib, Dask and Matplotlib load only when something that needs them is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module-level ``__getattr__`` and ``__dir__`` for ``package``.

    ``exports`` maps each public name to the package-relative module defining it
    (``{"CommunityModel": ".model"}``); a name is imported on first access and cached in the
    package's namespace.
    """
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name], package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
