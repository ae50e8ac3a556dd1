"""The conversation API (shared/spec/conversation-api.md), read top to bottom as its endpoints.

POST /api/conversations                        start
POST /api/conversations/{id}/messages          one turn
GET  /api/conversations/{id}/case              the case, its decision, the transcript
POST /api/conversations/{id}/evidence          an image or PDF for the case
WS   /api/conversations/{id}/ws?token=…        replies and agent messages, live
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import structlog
from fastapi import APIRouter, Depends, File, Header, Request, UploadFile, WebSocket
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from bot import metrics
from bot.engine import BadToken, Engine, TooBusy
from bot.errors import ApiError
from bot.events import MISSED, Event
from bot.evidence import save_evidence
from bot.limits import retry_after
from bot.live import forward_events
from bot.runtime import Runtime, runtime, runtime_of
from bot.store.base import (
    ConversationNotFound,
    ConversationRecord,
    EvidenceMeta,
    HandoffStatus,
)
from dialogs.messages import Reply, TranscriptEntry, Turn
from dialogs.preview import Assessment
from dialogs.summary import assessed, case_of, decision_of
from rules.types import SHANGHAI, LocalDatetime

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/api")

CLOCK_SKEW = timedelta(minutes=5)


class StartIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    channel: Literal["web", "phone", "telegram", "cli", "api"] = "web"
    locale: Literal["zh-CN", "en"] = "zh-CN"


class StartOut(BaseModel):
    id: str
    token: str
    replies: list[Reply]
    state: str


# What sent_at must look like before it is read as a time: pydantic alone would also take
# 0, 1.5 or "1696800000" as Unix times, and "2023-10-09" as midnight.
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_time(value: object) -> object:
    if value is None or (isinstance(value, str) and ISO_TIME.match(value)):
        return value
    raise ValueError("应为 ISO 8601 时间，例如 2023-10-09T08:00:00+08:00")


def _only(field: str, other: str) -> dict[str, Any]:
    return {"required": [field], "properties": {field: {"type": "string"}, other: {"type": "null"}}}


# A body with exactly one of text and choice (its model validates that too), as the schema says.
TEXT_OR_CHOICE = ConfigDict(
    extra="ignore", json_schema_extra={"oneOf": [_only("text", "choice"), _only("choice", "text")]}
)


class MessageIn(BaseModel):
    model_config = TEXT_OR_CHOICE
    text: str | None = Field(default=None, max_length=20_000)
    choice: str | None = Field(default=None, min_length=1, max_length=64)
    sent_at: Annotated[LocalDatetime | None, BeforeValidator(_iso_time)] = Field(
        default=None, description="ISO 8601; without an offset it is Asia/Shanghai time."
    )
    # An extension: the client's own id for this message, so a retry is applied once.
    message_id: str | None = Field(default=None, min_length=1, max_length=128)

    @model_validator(mode="after")
    def _one_of(self) -> MessageIn:
        if (self.text is None) == (self.choice is None):
            raise ValueError("需要 text 或 choice 其中之一")
        return self


class MessageOut(BaseModel):
    replies: list[Reply]
    state: str
    handoff: bool


class HandoffOut(BaseModel):
    status: HandoffStatus
    entry: str | None
    owner: str


class EvidenceOut(BaseModel):
    file_name: str
    content_type: str
    size: int
    sha256: str


class CaseEvidence(EvidenceOut):
    at: datetime


class CaseOut(BaseModel):
    """What GET …/case answers (documentation: the handler returns case_view's dict as it is)."""

    case: dict[str, Any] = Field(description="The facts gathered so far (case-format.md).")
    decision: dict[str, Any] | None = Field(description="The rules' answer, once the case is complete.")
    transcript: list[TranscriptEntry]
    handoff: HandoffOut | None
    state: str
    case_code: str | None
    evidence: list[CaseEvidence]


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, for programs: not_found, unauthorized, invalid, …")
    message: str = Field(description="In Chinese, for people: a widget shows it as it is.")
    problems: list[dict[str, str]] | None = Field(
        default=None, description="422 only: each field that was wrong, and how."
    )


class ErrorOut(BaseModel):
    error: ErrorDetail


_ERRORS: dict[int, tuple[str, dict[str, str]]] = {
    401: ("No bearer token", {"WWW-Authenticate": "Bearer"}),
    403: ("Not this conversation's token", {}),
    404: ("No such conversation (or it expired)", {}),
    409: ("Another message of this conversation is being handled; send it again", {}),
    413: ("Body too large", {}),
    415: ("Not an image or a PDF", {}),
    422: ("Malformed body, header or file", {}),
    429: ("Too many requests; wait Retry-After seconds", {"Retry-After": "Seconds to wait"}),
}


ErrorTable = dict[int, tuple[str, dict[str, str]]]  # status → (description, headers)


def errors(*statuses: int, table: ErrorTable = _ERRORS) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the error answers a route gives, all in one error format
    (described as `table` says: the conversation API's by default)."""
    declared: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        description, headers = table[status]
        declared[status] = {"model": ErrorOut, "description": description}
        if headers:
            declared[status]["headers"] = {
                name: {"description": text, "required": True, "schema": {"type": "string"}}
                for name, text in headers.items()
            }
    return declared


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def limit_address(request: Request) -> None:
    wait = await runtime_of(request).address_limit.wait(_client(request))
    if wait:
        raise ApiError(429, headers={"Retry-After": retry_after(wait)})


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="conversationToken",
    description="The `token` POST /api/conversations answered, for that conversation only.",
)


async def conversation(
    id: str,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> ConversationRecord:
    """The conversation named in the path, if the bearer token is its own."""
    rt = runtime_of(request)
    if len(id) > 64:
        raise ApiError(404, message="会话不存在。")
    try:
        return await rt.engine.authorize(id, credentials.credentials if credentials else "")
    except ConversationNotFound:
        raise ApiError(404, message="会话不存在或已过期，请重新开始。") from None
    except BadToken:
        if credentials is None:  # no Authorization header, another scheme, or no token after Bearer
            raise ApiError(401, headers={"WWW-Authenticate": "Bearer"}) from None
        raise ApiError(403) from None


Limited = Depends(limit_address)
Conversation = Annotated[ConversationRecord, Depends(conversation)]
Rt = Annotated[Runtime, Depends(runtime)]


@router.post(
    "/conversations",
    status_code=201,
    response_model=StartOut,
    dependencies=[Limited],
    responses=errors(413, 422, 429),
)
async def start_conversation(rt: Rt, body: StartIn | None = None) -> StartOut:
    body = body or StartIn()
    record, token, result = await rt.engine.start(body.channel, body.locale, datetime.now(SHANGHAI))
    metrics.CONVERSATIONS.labels(channel=body.channel).inc()
    return StartOut(id=record.id, token=token, replies=result.replies, state=result.state_name)


@router.post(
    "/conversations/{id}/messages",
    response_model=MessageOut,
    dependencies=[Limited],
    responses=errors(401, 403, 404, 409, 413, 422, 429),
)
async def post_message(
    body: MessageIn,
    record: Conversation,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> MessageOut:
    rt = runtime_of(request)
    wait = await rt.conversation_limit.wait(record.id)
    if wait:
        raise ApiError(429, headers={"Retry-After": retry_after(wait)})
    now = datetime.now(SHANGHAI)
    # Relative times are read against when the user sent the message, but a client's clock
    # may not run ahead of ours: a theft cannot be in the future.
    sent_at = min(body.sent_at, now) if body.sent_at and body.sent_at <= now + CLOCK_SKEW else now
    by: Literal["victim", "agent"] = "agent" if record.channel == "phone" else "victim"
    turn = Turn(text=body.text, choice=body.choice, sent_at=sent_at, by=by)
    started = time.perf_counter()
    try:
        outcome = await rt.engine.handle(
            record.id, turn, body.message_id or idempotency_key, loaded=record
        )
    except ConversationNotFound:
        raise ApiError(404, message="会话不存在或已过期，请重新开始。") from None
    except TooBusy:
        raise ApiError(409, message="消息太密集，请稍后重发。") from None
    metrics.TURN_SECONDS.observe(time.perf_counter() - started)
    if not outcome.duplicate:
        metrics.TURNS.labels(channel=record.channel).inc()
        if outcome.handoff and not record.keeps_forever:
            metrics.HANDOFFS.labels(channel=record.channel).inc()
    return MessageOut(replies=outcome.replies, state=outcome.state_name, handoff=outcome.handoff)


@router.get(
    "/conversations/{id}/case",
    dependencies=[Limited],
    response_model=None,
    # 422 cannot happen here, but FastAPI declares one for any route with parameters, in its
    # own shape unless declared in ours.
    responses={200: {"model": CaseOut, "description": "The case"}, **errors(401, 403, 404, 413, 422, 429)},
)
async def get_case(record: Conversation, rt: Rt) -> dict[str, Any]:
    return await case_view(rt.engine, record)


async def case_view(
    engine: Engine, record: ConversationRecord, found: Assessment | None = None
) -> dict[str, Any]:
    """The case as every reader sees it: the victim's widget, the console, an export."""
    found = found or assessed(record.state)
    transcript = await engine.store.transcript(record.id)
    evidence = await engine.store.evidence(record.id)
    handoff = None
    if record.handoff:
        handoff = {"status": record.handoff, "entry": record.handoff_entry, "owner": record.owner}
    return {
        "case": case_of(found),
        "decision": decision_of(found),
        "transcript": [e.model_dump(mode="json") for e in transcript],
        "handoff": handoff,
        "state": record.state_name,
        "case_code": record.state.get("case_code"),
        "evidence": [
            {k: v for k, v in e.model_dump(mode="json").items() if k != "stored_path"} for e in evidence
        ],
    }


@router.post(
    "/conversations/{id}/evidence",
    status_code=201,
    response_model=EvidenceOut,
    dependencies=[Limited],
    responses=errors(401, 403, 404, 413, 415, 422, 429),
)
async def upload_evidence(
    record: Conversation, rt: Rt, file: Annotated[UploadFile, File()]
) -> EvidenceOut:
    data = await file.read(rt.settings.evidence_max_bytes + 1)
    if len(data) > rt.settings.evidence_max_bytes:
        raise ApiError(413, message="文件太大了（最大 10 MB）。")
    meta = save_evidence(rt.settings.evidence_dir, record.id, file.filename or "upload", data)
    await rt.engine.store.add_evidence(record.id, meta)
    await rt.engine.events.publish(
        record.id,
        {"type": "evidence", "file_name": meta.file_name, "content_type": meta.content_type},
    )
    return _public(meta)


def _public(meta: EvidenceMeta) -> EvidenceOut:
    return EvidenceOut(
        file_name=meta.file_name, content_type=meta.content_type, size=meta.size, sha256=meta.sha256
    )


# What the widget needs live (and `missed`: redraw from the case, see bot.events); the
# console subscribes to more through its own routes.
PUSHED = ("reply", "agent_message", "owner", "handoff", "state", MISSED)


@router.websocket("/conversations/{id}/ws")
async def conversation_ws(websocket: WebSocket, id: str) -> None:
    rt: Runtime = websocket.app.state.runtime
    token = websocket.query_params.get("token", "")
    try:
        record = await rt.engine.authorize(id[:64], token)
    except ConversationNotFound:
        await websocket.close(code=4404)
        return
    except BadToken:
        await websocket.close(code=4403)
        return
    await websocket.accept()

    async def send(event: Event | None) -> bool:
        if event is None:
            await websocket.send_json({"type": "ping"})
        elif event.get("type") in PUSHED:
            await websocket.send_json(event)
        return True

    async with rt.engine.events.subscribe(record.id) as sub:
        await forward_events(websocket, sub, send)
