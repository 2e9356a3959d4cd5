"""Dashboards function: the learner's and the mentor's dashboards (read-only: Queries and batch reads
of the caller's own items)."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from peerlearn.api.function import rest_function
    from peerlearn.api.routes import dashboards

    function = rest_function([dashboards.router])
app, logger, lambda_handler = function.app, function.logger, function.handler
