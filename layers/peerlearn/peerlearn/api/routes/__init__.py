"""Routers, one per function. Each route names its models and calls one domain function.

Routers live in the layer (not in functions/*/app.py) so the docs function can include them all and
publish one OpenAPI document. Handlers inject the cold-start Context with `app.append_context(ctx=...)`;
a route declares what it uses (`who: CallerDep, ctx: ContextDep`, from peerlearn.api).
"""
