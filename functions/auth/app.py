"""Auth function: sign-up, sign-in, refresh, sign-out, email verification, password reset and change."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    import jwt  # noqa: F401 - sign-in, refresh and the emailed links make or read tokens: import it here

    from peerlearn.api.function import rest_function
    from peerlearn.api.routes import auth

    function = rest_function([auth.router])
app, logger, lambda_handler = function.app, function.logger, function.handler
