"""A path parameter that matches any characters, newlines included.

Starlette's `{name:path}` is `.*`, which stops at a newline: a request for `/api/x%0A` then falls
through every route to a plain-text 404 that API Gateway would never send. `{name:anypath}` doesn't.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor


class AnyPathConvertor(Convertor[str]):
    regex = "(?s:.*)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anypath", AnyPathConvertor())
