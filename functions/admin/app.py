"""Admin function: platform administration (admins only; each route checks the role)."""

from __future__ import annotations

from functools import cache

from peerlearn.coldstart import cold_start

with cold_start():
    from peerlearn.adapters.groq import GroqChat
    from peerlearn.api.function import rest_function
    from peerlearn.api.routes import admin, assistant, broadcasts, reports
    from peerlearn.config import AssistantSettings

    @cache
    def groq_chat() -> GroqChat:
        """The assistant's model, made on the first question (the key is read from SSM then)."""
        return GroqChat(AssistantSettings.from_env())

    # No VAPID key here: a broadcast is only recorded by this function (the stream sends it); its
    # test send is an email to the admin.
    function = rest_function(
        [admin.router, broadcasts.router, assistant.router, reports.router],
        extra_context={"assistant": groq_chat},
    )
app, logger, lambda_handler = function.app, function.logger, function.handler
