"""Routers, one per function. Each route names its models and calls one domain function.

Routers live in the layer (not in functions/*/app.py) so the docs function can include them all and
publish one OpenAPI document. Handlers inject the cold-start Context with `app.append_context(ctx=...)`.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from peerlearn.context import Context


def context_of(router: Router) -> Context:
    ctx = router.context.get("ctx")
    if not isinstance(ctx, Context):
        raise RuntimeError("the handler did not append the Context")
    return ctx
