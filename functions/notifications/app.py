"""Notifications function: a person's notifications (list, unread count, mark read), their
preferences, the user channel's ticket, push subscriptions and the one-click unsubscribe."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from peerlearn.api.function import rest_function
    from peerlearn.api.routes import channel, notifications, push, unsubscribe
    from peerlearn.config import PushSettings

    function = rest_function(
        [notifications.router, channel.router, push.router, unsubscribe.router], push=PushSettings.from_env()
    )
app, logger, lambda_handler = function.app, function.logger, function.handler
