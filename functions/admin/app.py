"""Admin function: platform administration (admins only; each route checks the role)."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from peerlearn.api.function import rest_function
    from peerlearn.api.routes import admin, broadcasts, reports

    # No VAPID key here: a broadcast is only recorded by this function; the stream sends it.
    function = rest_function([admin.router, broadcasts.router, reports.router])
app, logger, lambda_handler = function.app, function.logger, function.handler
