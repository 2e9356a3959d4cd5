"""A function's cold start: its imports and set-up run without the cyclic garbage collector, and
two Powertools packages whose `__init__` imports everything they offer are opened lazily.

Nothing a cold start creates is garbage (modules, classes, the resolver live as long as the process),
yet the collector kept walking the ever-growing heap while the function imported: a seventh of the
import's CPU. Afterwards those objects are frozen (moved where no later collection walks them), so
the first requests do not pay for the walk instead.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# `event_handler/__init__` imports every resolver (AppSync's brings asyncio and ssl); `data_classes`
# imports some forty event classes to offer two. Together a tenth of a REST function's import.
LAZY_PACKAGES = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")
_REEXPORT = r"^from (?:\.|{package}\.)([\w.]+) import (\([^)]*\)|[\w ,]+?)[ ]*(?:#.*)?$"


def reexports(package: str, source: str) -> dict[str, str]:
    """The names a package's `__init__` re-exports from its own submodules: name -> submodule."""
    found: dict[str, str] = {}
    for submodule, names in re.findall(_REEXPORT.format(package=re.escape(package)), source, re.MULTILINE):
        for name in re.findall(r"\w+", names):
            found[name] = submodule
    return found


def open_lazily(package: str) -> None:
    """Put `package` in `sys.modules` without running its `__init__`: its submodules import as usual,
    and each name the `__init__` re-exports loads from its submodule on first use (PEP 562)."""
    if package in sys.modules:
        return
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None or spec.submodule_search_locations is None:
        return
    with open(spec.origin, encoding="utf-8") as init:
        found_in = reexports(package, init.read())
    module = importlib.util.module_from_spec(spec)

    def __getattr__(name: str) -> object:
        submodule = found_in.get(name)
        if submodule is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{submodule}"), name)
        setattr(module, name, value)
        return value

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__dict__["__all__"] = list(found_in)
    sys.modules[package] = module


@contextmanager
def cold_start() -> Iterator[None]:
    """`with cold_start():` around a function module's imports and set-up."""
    gc.disable()
    for package in LAZY_PACKAGES:
        open_lazily(package)
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
