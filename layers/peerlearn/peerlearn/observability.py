"""Logging and tracing set-up shared by handlers: domain modules log with the standard `logging` module
under `peerlearn.*`, routed through the function's Powertools JSON logger (same service name and
correlation id); the X-Ray tracer exists only where tracing is on. Tokens, passwords and whole events
are never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Tracer

F = TypeVar("F", bound=Callable[..., Any])


def route_domain_logs(logger: Logger) -> None:
    domain = logging.getLogger("peerlearn")
    domain.handlers = [logger.registered_handler]
    domain.setLevel(logger.log_level)
    domain.propagate = False


class Untraced:
    """What a function gets instead of a Tracer when tracing is off: the same decorators, doing nothing.

    Powertools' Tracer imports the X-Ray SDK and patches every library it knows even when it is
    disabled (~50 ms of CPU at each cold start); a function that will not trace should not pay for it.
    """

    def capture_lambda_handler(self, handler: F) -> F:
        return handler

    def capture_method(self, method: F) -> F:
        return method

    def put_annotation(self, key: str, value: Any) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None:
        pass


def tracing_enabled() -> bool:
    """Powertools' own rule, so the cloud is traced exactly as before: on in Lambda (where the
    template's `Tracing: Active` applies), off where POWERTOOLS_TRACE_DISABLED is true (the local
    stack, the tests) and off outside Lambda or under SAM local."""
    return not Tracer._is_tracer_disabled()


# Every call a function makes goes through boto3's clients or pynamodb, both traced as AWS calls.
# Patching all that X-Ray supports also looked for a dozen other libraries and imported and patched
# sqlite3, which no function uses, at every cold start (the traces lose nothing).
TRACED_LIBRARIES = ("botocore", "pynamodb")


def make_tracer() -> Tracer | Untraced:
    """Call once at cold start, like the logger."""
    return Tracer(patch_modules=TRACED_LIBRARIES) if tracing_enabled() else Untraced()
