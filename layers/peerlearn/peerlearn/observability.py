"""Logging set-up shared by handlers: domain modules log with the standard `logging` module under
`peerlearn.*`; this routes those records through the function's Powertools JSON logger, so they carry
the same service name and correlation id. Tokens, passwords and whole events are never logged.
"""

from __future__ import annotations

import logging

from aws_lambda_powertools import Logger


def route_domain_logs(logger: Logger) -> None:
    domain = logging.getLogger("peerlearn")
    domain.handlers = [logger.registered_handler]
    domain.setLevel(logger.log_level)
    domain.propagate = False
