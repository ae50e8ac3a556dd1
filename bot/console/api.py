"""The console's JSON API and live feed, read top to bottom as its endpoints.

GET  /console/api/conversations                    the live list and the queue's size
GET  /console/api/conversations/{id}               one conversation: case card, whisper, notes
GET  /console/api/conversations/{id}/export.json   the hand-off summary, as a file
GET  /console/api/conversations/{id}/evidence/{sha256}   an uploaded image or PDF, as a file
POST /console/api/conversations/{id}/claim         take a queued hand-off (it leaves the queue)
POST /console/api/conversations/{id}/take-over     the bot goes silent, the agent talks
POST /console/api/conversations/{id}/hand-back     the bot answers again
POST /console/api/conversations/{id}/messages      the owning agent writes to the victim
POST /console/api/conversations/{id}/notes         a private note (never shown to the victim)
POST /console/api/conversations/{id}/answer        phone mode: answer the dialog for a caller
POST /console/api/phone                            phone mode: start a caller's conversation
GET  /console/api/audit                            the audit log (?conversation=id)
WS   /console/api/live                             every conversation's events (?conversation=id)

Every route needs a session; every POST its CSRF token; every action lands in the audit log.
The routes are in /openapi.json (the session as the consoleSession cookie scheme, the CSRF
token as each POST's X-CSRF-Token header); the live feed, a WebSocket, is not.
"""

from __future__ import annotations

import contextlib
import json
import time
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, WebSocket
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.api import TEXT_OR_CHOICE, MessageOut
from bot.console import views
from bot.console.auth import Acting, Agent, SignedIn, console_store, current, same_origin
from bot.console.schema import (
    ATTACHMENT,
    CSRF,
    EVIDENCE_FILE,
    AuditOut,
    DetailOut,
    ExportOut,
    ListOut,
    PhoneOut,
    RowOut,
    answers,
    errors,
)
from bot.console.store import AuditEntry, ConsoleStore, Note
from bot.engine import NotOwner, TooBusy
from bot.errors import ApiError
from bot.events import Event
from bot.live import forward_events
from bot.runtime import Runtime, runtime
from bot.store.base import ConversationNotFound, ConversationRecord, HandoffEntry, is_agent
from dialogs.messages import TranscriptEntry, Turn
from dialogs.redaction import redact
from rules.types import SHANGHAI

router = APIRouter(prefix="/console/api", tags=["console"], include_in_schema=True)
Rt = Annotated[Runtime, Depends(runtime)]
CStore = Annotated[ConsoleStore, Depends(console_store)]
LIST_LIMIT = 200
SESSION_CHECK_S = 15.0  # how often the live feed checks that its session still holds


class TextIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str = Field(min_length=1, max_length=4000)


class AnswerIn(BaseModel):
    model_config = TEXT_OR_CHOICE
    text: str | None = Field(default=None, min_length=1, max_length=4000)
    choice: str | None = Field(default=None, min_length=1, max_length=64)
    message_id: str | None = Field(default=None, min_length=1, max_length=128)

    @model_validator(mode="after")
    def _one_of(self) -> AnswerIn:
        if (self.text is None) == (self.choice is None):
            raise ValueError("需要 text 或 choice 其中之一")
        return self


class PhoneIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    locale: Literal["zh-CN", "en"] = "zh-CN"


async def conversation(id: str, rt: Rt, signed: Agent) -> ConversationRecord:
    record = await rt.engine.store.load(id[:64])
    if record is None:
        raise ApiError(404, message="会话不存在或已过期。")
    return record


Conversation = Annotated[ConversationRecord, Depends(conversation)]


@router.get("/conversations", response_model=None, responses=answers(200, ListOut, "The live list", 401))
async def list_conversations(rt: Rt, signed: Agent) -> dict[str, Any]:
    records = await rt.engine.store.list_recent(LIST_LIMIT)
    return {
        "me": signed.agent,
        "pending": await rt.engine.queue.pending_count(),
        "conversations": [views.row(r) for r in records],
    }


@router.get(
    "/conversations/{id}",
    response_model=None,
    responses=answers(200, DetailOut, "One conversation", 401, 404, 422),
)
async def get_conversation(record: Conversation, rt: Rt, signed: Agent, store: CStore) -> dict[str, Any]:
    data = await views.detail(rt.engine, record)
    data["notes"] = [n.model_dump(mode="json") for n in await store.notes(record.id)]
    data["audit"] = [a.model_dump(mode="json") for a in await store.audit_log(record.id, 50)]
    data["me"] = signed.agent
    return data


@router.get(
    "/conversations/{id}/export.json",
    response_model=None,
    responses={
        200: {"model": ExportOut, "description": "The hand-off summary", "headers": ATTACHMENT},
        **errors(401, 404, 422),
    },
)
async def export(record: Conversation, rt: Rt, signed: Agent, store: CStore) -> JSONResponse:
    await _audit(store, signed, "export_json", record.id)
    body = await views.export(rt.engine, record)
    name = f"{body.get('case_code') or record.id}.json"
    return JSONResponse(body, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get(
    "/conversations/{id}/evidence/{sha256}",
    response_class=FileResponse,
    responses={200: EVIDENCE_FILE, **errors(401, 404, 422)},
)
async def evidence_file(
    sha256: str, record: Conversation, rt: Rt, signed: Agent, store: CStore
) -> FileResponse:
    """A file the victim uploaded: always as a download (never rendered in the console)."""
    for meta in await rt.engine.store.evidence(record.id):
        if meta.sha256 == sha256:
            await _audit(store, signed, "evidence_download", record.id, meta.file_name)
            return FileResponse(
                meta.stored_path,
                media_type=meta.content_type,
                filename=meta.file_name,
                content_disposition_type="attachment",
                headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
            )
    raise ApiError(404, message="没有这个证据文件。")


@router.post(
    "/conversations/{id}/claim",
    response_model=None,
    responses=answers(200, RowOut, "Claimed: the agent owns it", 401, 403, 404, 409, 413, 422),
    openapi_extra=CSRF,
)
async def claim(signed: Acting, record: Conversation, rt: Rt, store: CStore) -> dict[str, Any]:
    if record.handoff != "queued" or record.handoff_entry is None:
        raise ApiError(409, code="not_queued", message="这个会话不在转人工队列里。")
    entry = HandoffEntry(id=record.handoff_entry, conversation_id=record.id, payload={})
    claimed = await rt.engine.claim(entry, signed.agent)
    if claimed is None:
        raise ApiError(409, code="taken", message="已被其他坐席认领。")
    await _audit(store, signed, "claim", record.id, f"entry {entry.id}")
    return views.row(claimed)


@router.post(
    "/conversations/{id}/take-over",
    response_model=None,
    responses=answers(200, RowOut, "The agent owns it", 401, 403, 404, 409, 413, 422),
    openapi_extra=CSRF,
)
async def take_over(signed: Acting, record: Conversation, rt: Rt, store: CStore) -> dict[str, Any]:
    async with _owning(rt, record.id):
        taken = await rt.engine.take_over(record.id, signed.agent)
    await _audit(store, signed, "take_over", record.id)
    return views.row(taken)


@router.post(
    "/conversations/{id}/hand-back",
    response_model=None,
    responses=answers(200, RowOut, "The bot owns it again", 401, 403, 404, 409, 413, 422),
    openapi_extra=CSRF,
)
async def hand_back(signed: Acting, record: Conversation, rt: Rt, store: CStore) -> dict[str, Any]:
    async with _owning(rt, record.id, unowned="机器人已在处理这个会话，无需交还。"):
        back = await rt.engine.hand_back(record.id, signed.agent)
    await _audit(store, signed, "hand_back", record.id)
    return views.row(back)


@router.post(
    "/conversations/{id}/messages",
    status_code=201,
    response_model=None,
    responses=answers(201, TranscriptEntry, "Sent to the victim", 401, 403, 404, 409, 413, 422),
    openapi_extra=CSRF,
)
async def agent_message(
    signed: Acting, body: TextIn, record: Conversation, rt: Rt, store: CStore
) -> dict[str, Any]:
    async with _owning(rt, record.id, unowned="请先接管这个会话，再给用户发消息。"):
        entry = await rt.engine.agent_message(record.id, signed.agent, body.text)
    await _audit(store, signed, "message", record.id, entry.text[:200])
    return entry.model_dump(mode="json")


@router.post(
    "/conversations/{id}/notes",
    status_code=201,
    response_model=None,
    responses=answers(201, Note, "The note", 401, 403, 404, 413, 422),
    openapi_extra=CSRF,
)
async def add_note(
    signed: Acting, body: TextIn, record: Conversation, rt: Rt, store: CStore
) -> dict[str, Any]:
    note = Note(agent=signed.agent, text=redact(body.text).text)  # what a caller read out, say
    await store.add_note(record.id, note)
    await _audit(store, signed, "note", record.id)
    return note.model_dump(mode="json")


@router.post(
    "/conversations/{id}/answer",
    response_model=None,
    responses=answers(200, MessageOut, "The dialog's answer", 401, 403, 404, 409, 413, 422),
    openapi_extra=CSRF,
)
async def answer(
    signed: Acting, body: AnswerIn, record: Conversation, rt: Rt, store: CStore
) -> dict[str, Any]:
    """Phone mode: what the caller said, typed by the agent, read by the dialog's readers."""
    if record.channel != "phone":
        raise ApiError(409, code="not_phone", message="只有电话会话可以代答。")
    turn = Turn(text=body.text, choice=body.choice, sent_at=datetime.now(SHANGHAI), by="agent")
    try:
        outcome = await rt.engine.handle(record.id, turn, body.message_id, loaded=record)
    except ConversationNotFound:
        raise ApiError(404, message="会话不存在或已过期。") from None
    except TooBusy:
        raise ApiError(409, message="操作太密集，请稍后重试。") from None
    if not outcome.duplicate:
        detail = redact(body.text).text if body.text is not None else f"choice {body.choice}"
        await _audit(store, signed, "phone_answer", record.id, detail[:200])
    return outcome.response()


@router.post(
    "/phone",
    status_code=201,
    response_model=None,
    responses=answers(201, PhoneOut, "A caller's conversation", 401, 403, 413, 422),
    openapi_extra=CSRF,
)
async def start_phone(signed: Acting, rt: Rt, store: CStore, body: PhoneIn | None = None) -> dict[str, Any]:
    body = body or PhoneIn()
    record, _token, result = await rt.engine.start("phone", body.locale, datetime.now(SHANGHAI))
    await _audit(store, signed, "phone_start", record.id)
    return {"id": record.id, "replies": [r.model_dump(mode="json") for r in result.replies]}


@router.get("/audit", response_model=None, responses=answers(200, AuditOut, "The audit log", 401, 422))
async def audit_log(
    rt: Rt, signed: Agent, store: CStore, conversation: str | None = None, limit: int = 200
) -> dict[str, Any]:
    entries = await store.audit_log(conversation, max(1, min(limit, 1000)))
    return {"entries": [e.model_dump(mode="json") for e in entries]}


@router.websocket("/live")
async def live(websocket: WebSocket) -> None:
    """Events as they happen: of one conversation (?conversation=id) or of all of them. A
    connection without a session, or from another site, is refused before it opens."""
    signed = await current(websocket)
    if signed is None or not same_origin(websocket):
        await websocket.close(code=4401)
        return
    rt: Runtime = websocket.app.state.runtime
    store = await console_store(websocket)
    wanted = websocket.query_params.get("conversation") or None
    await websocket.accept()
    checked = time.monotonic()

    async def send(event: Event | None) -> bool:
        nonlocal checked
        if time.monotonic() - checked >= SESSION_CHECK_S:  # logged out meanwhile?
            if await store.session(signed.key) is None:
                await websocket.close(code=4401)
                return False
            checked = time.monotonic()
        if event is None:
            await websocket.send_json({"type": "ping"})
        else:
            await websocket.send_text(json.dumps(event, ensure_ascii=False))
        return True

    async with rt.engine.events.subscribe(wanted[:64] if wanted else None) as sub:
        await forward_events(websocket, sub, send)


async def _audit(
    store: ConsoleStore, signed: SignedIn, action: str, cid: str | None = None, detail: str = ""
) -> None:
    await store.audit(AuditEntry(agent=signed.agent, action=action, conversation_id=cid, detail=detail))


@contextlib.asynccontextmanager
async def _owning(rt: Runtime, cid: str, unowned: str = "请先接管这个会话。") -> Any:
    """The engine's refusals as the console's answers. Not the owner: another agent is, or
    the bot is (`unowned` says what then)."""
    try:
        yield
    except NotOwner:
        current = await rt.engine.store.load(cid)
        if current is not None and not is_agent(current.owner):
            raise ApiError(409, code="not_taken_over", message=unowned) from None
        raise ApiError(409, code="owned", message="这个会话正由其他坐席处理。") from None
    except ConversationNotFound:
        raise ApiError(404, message="会话不存在或已过期。") from None
    except TooBusy:
        raise ApiError(409, message="操作太密集，请稍后重试。") from None
