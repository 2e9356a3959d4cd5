"""/api/admin/assistant: an admin's question to the assistant (admins only; rate limited per admin).

The answer comes back whole; its text also streams to the admin's open tabs over the user channel
(`assistant.delta` messages with the request id), since a REST API can't stream a Lambda response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.request import Request

from peerlearn.api import SECURED, CallerDep
from peerlearn.assistant import chat
from peerlearn.assistant.schemas import AssistantAnswer, AssistantRequest
from peerlearn.notify.live import push_to_user

router = Router()


MakeModel = Callable[[], chat.ChatModel]


def model_maker(request: Request) -> MakeModel:
    """What makes the chat model (`extra_context={"assistant": ...}` in the admin function): called
    only once the caller is known to be an admin, so the Groq key is read for admins' questions only."""
    make = request.context.get("assistant")
    if not callable(make):
        raise RuntimeError("the handler did not append the assistant")
    return make


ModelDep = Annotated[MakeModel, Depends(model_maker)]


@router.post(
    "/api/admin/assistant",
    summary="Ask the assistant: figures, users, mentors, sessions at risk, refunds, email drafts",
    tags=["admin"],
    security=SECURED,
)
def ask(body: AssistantRequest, who: CallerDep, make_model: ModelDep) -> AssistantAnswer:
    who.require_role("admin")
    return chat.ask(make_model(), admin_id=who.user_id, request=body, push=push_to_user)
