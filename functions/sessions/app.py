"""Sessions function: the catalog, discovery, booking, waitlist, joining, feedback and history."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from peerlearn.api.function import rest_function
    from peerlearn.api.routes import recordings, sessions

    function = rest_function([sessions.router, recordings.router])
app, logger, lambda_handler = function.app, function.logger, function.handler
