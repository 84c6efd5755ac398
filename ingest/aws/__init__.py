"""One module per AWS service, each holding that service's collect and transform side by side.

A service module declares `SCOPE` ("organization", "account" or "region") and defines
`collect(ctx)` and `transform(snapshot)`. Modules are discovered, so adding a service is adding a
module.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType

_NOT_SERVICES = {"collect"}


@cache
def service_modules() -> tuple[ModuleType, ...]:
    """Every service module of this package, in a stable order."""
    modules = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in _NOT_SERVICES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "transform") and hasattr(module, "SCOPE"):
            modules.append(module)
    return tuple(modules)
