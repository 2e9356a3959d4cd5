"""Users function: the signed-in user's profile, avatar upload URLs, public profiles."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from peerlearn.api.function import rest_function
    from peerlearn.api.routes import users

    function = rest_function([users.router])
app, logger, lambda_handler = function.app, function.logger, function.handler
