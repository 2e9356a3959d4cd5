"""/api/admin/assistant: an admin's question to the assistant (admins only; rate limited per admin).

The answer comes back whole; its text also streams to the admin's open tabs over the user channel
(`assistant.delta` messages with the request id), since a REST API can't stream a Lambda response.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.request import Request
from botocore.exceptions import BotoCoreError, ClientError

from peerlearn.api import SECURED, CallerDep
from peerlearn.assistant import chat
from peerlearn.assistant.schemas import AssistantAnswer, AssistantRequest
from peerlearn.config import ConfigError
from peerlearn.errors import Unavailable
from peerlearn.notify.live import push_to_user

logger = logging.getLogger(__name__)
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
    try:
        model = make_model()  # reads the Groq key (SSM in the cloud) on the first question
    except (ConfigError, ClientError, BotoCoreError) as error:
        logger.error("the assistant's settings could not be read", exc_info=error)
        raise Unavailable("The assistant is not available right now; try again later.") from error
    return chat.ask(model, admin_id=who.user_id, request=body, push=push_to_user)
