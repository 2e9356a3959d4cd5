"""Cursor pagination: DynamoDB's LastEvaluatedKey, opaque to clients (base64url JSON).

pynamodb's `limit` keeps reading pages until `limit` items pass the filter, and its
`last_evaluated_key` resumes after the last item returned even when a page was cut short.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from pynamodb.exceptions import QueryError
from pynamodb.pagination import ResultIterator

from peerlearn.errors import BadRequest

T = TypeVar("T")


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().replace("=", "")


_BAD_CURSOR = "The cursor is not valid; start from the first page."
_NUMBER = re.compile(r"-?\d{1,38}(\.\d{1,38})?")


def _key_value(value: Any) -> bool:
    """One key attribute as DynamoDB writes it: {"S": text} or {"N": a decimal number}."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    kind, text = next(iter(value.items()))
    if kind == "S":
        return isinstance(text, str) and 0 < len(text) <= 1024
    return kind == "N" and isinstance(text, str) and _NUMBER.fullmatch(text) is not None


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        # RecursionError: deeply nested JSON ("[[[[...") is refused, not a crash.
        raise BadRequest(_BAD_CURSOR, field="cursor") from exc
    # A LastEvaluatedKey holds the table's and at most one index's keys: four attributes.
    valid = isinstance(key, dict) and 0 < len(key) <= 4 and all(_key_value(v) for v in key.values())
    if not valid:
        raise BadRequest(_BAD_CURSOR, field="cursor")
    return key


def page(query: Callable[[dict[str, Any] | None], Any], cursor: str | None) -> tuple[list[Any], str | None]:
    """Runs `query(start_key)` (a pynamodb result iterator with a limit): the items and the next cursor."""
    result = query(decode_cursor(cursor))
    try:
        items = list(result)
    except QueryError as exc:
        if cursor and exc.cause_response_code == "ValidationException":
            raise BadRequest("The cursor does not belong to this list.", field="cursor") from exc
        raise
    return items, encode_cursor(result.last_evaluated_key)


def one_page(
    query: Callable[[dict[str, Any] | None], Any], model: Any, cursor: str | None
) -> tuple[list[Any], str | None]:
    """Runs `query(start_key)` (a pynamodb result iterator with `page_size`, without `limit`) for one
    DynamoDB page only: the items of it that passed the filter (perhaps none) and the cursor after all it
    read. A rare match costs the caller more pages, never one request that reads the whole partition."""
    result = query(decode_cursor(cursor))
    try:
        raw = next(result.page_iter)
    except StopIteration:
        return [], None
    except QueryError as exc:
        if cursor and exc.cause_response_code == "ValidationException":
            raise BadRequest("The cursor does not belong to this list.", field="cursor") from exc
        raise
    items = [model.from_raw_data(item) for item in raw.get("Items", [])]
    return items, encode_cursor(result.page_iter.last_evaluated_key)


def stored_query(
    index: Any,
    hash_key: str,
    range_key_condition: Any = None,
    *,
    filter_condition: Any = None,
    scan_index_forward: bool | None = None,
    limit: int,
    last_evaluated_key: dict[str, Any] | None,
    attributes: list[str],
) -> ResultIterator[dict[str, Any]]:
    """`index.query(...)` yielding only `attributes` of each item (and its keys), as DynamoDB sends them
    ({"title": {"S": "..."}}), instead of models of whole items. Same pages and cursors as index.query;
    for an index (or partition) that holds one item type only, as no discriminator filter is added."""
    model = index._model
    keys = [model._hash_keyname, model._range_keyname, *(a.attr_name for a in index.Meta.attributes.values())]
    return ResultIterator(
        model._get_connection().query,
        (hash_key,),
        {
            "range_key_condition": range_key_condition,
            "filter_condition": filter_condition,
            "index_name": index.Meta.index_name,
            "exclusive_start_key": last_evaluated_key,
            "scan_index_forward": scan_index_forward,
            "limit": limit,
            # with the keys, so a page cut short can still give its cursor
            "attributes_to_get": list(dict.fromkeys([*keys, *attributes])),
        },
        limit=limit,
    )


def timeline_page(
    index: Any, partition: str, sort_key: Any, *, when: str, now_iso: str, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    """One page of an index partition whose sort keys (`sort_key`) read "<time>#<id>": upcoming soonest
    first, past newest first. "~" sorts after "#", so a key at exactly now counts as past."""
    bound = f"{now_iso}~"
    ascending = when == "upcoming"
    key = sort_key > bound if ascending else sort_key <= bound

    def run(start: dict[str, Any] | None) -> Any:
        return index.query(
            partition, key, scan_index_forward=ascending, limit=limit, last_evaluated_key=start
        )

    return page(run, cursor)
