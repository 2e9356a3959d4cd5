"""Admin function: platform administration (admins only; each route checks the role)."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from peerlearn.api.function import rest_function
    from peerlearn.api.routes import admin, broadcasts
    from peerlearn.config import PushSettings

    # Broadcasts reach devices too: the VAPID key.
    function = rest_function([admin.router, broadcasts.router], push=PushSettings.from_env())
app, logger, lambda_handler = function.app, function.logger, function.handler
