"""The console's pages: login and logout, the live list, one conversation, the printable case
file and the audit log. Pages are skeletons the scripts fill in (list, conversation), or
rendered whole on the server (print, audit); every value goes through `e()`."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console import views
from bot.console.auth import (
    COOKIE,
    SESSION_LIFETIME,
    Acting,
    PageAgent,
    audit,
    console_store,
    current,
    safe_next,
    same,
    start_session,
)
from bot.console.html import e, page
from bot.console.passwords import verify_password
from bot.console.print_view import case_file
from bot.console.store import ConsoleStore
from bot.errors import ApiError
from bot.limits import retry_after
from bot.runtime import Runtime, runtime

router = APIRouter(prefix="/console", include_in_schema=False)
Rt = Annotated[Runtime, Depends(runtime)]
LOGIN_COOKIE = "lossline_login"


def _cookie(response: Response, request: Request, name: str, value: str, path: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path=path,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def _login_form(next_path: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    alert = f'<p class="error" role="alert">{e(error)}</p>' if error else ""
    body = f"""<section class="login">
<h1>坐席登录</h1>
{alert}
<form method="post" action="/console/login">
<input type="hidden" name="csrf" value="{e(token)}">
<input type="hidden" name="next" value="{e(next_path)}">
<label for="name">账号</label>
<input id="name" name="name" autocomplete="username" required maxlength="64" autofocus>
<label for="password">密码</label>
<input id="password" name="password" type="password" autocomplete="current-password"
 required maxlength="256">
<button type="submit">登录</button>
</form>
</section>"""
    response = page("登录", body, status=status)
    response.set_cookie(LOGIN_COOKIE, token, path="/console/login", httponly=True, samesite="strict")
    return response


@router.get("/login")
async def login_page(request: Request, next: str = "/console") -> Response:
    if await current(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    store: Annotated[ConsoleStore, Depends(console_store)],
    rt: Rt,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=512)] = "/console",
) -> Response:
    # Login CSRF: the form's token must match the cookie set with the form.
    if not same(request.cookies.get(LOGIN_COOKIE), csrf) or not csrf:
        return _login_form(safe_next(next), "登录表单已过期，请重试。", status=403)
    address = request.client.host if request.client else "unknown"
    wait = await rt.login_limit.wait(address)
    if wait:
        raise ApiError(429, headers={"Retry-After": retry_after(wait)})
    agent = await store.agent(name)
    ok = await _verify(agent.password_hash if agent else None, password)
    if agent is None or not ok:
        await audit(request, name, "login_failed")
        return _login_form(safe_next(next), "账号或密码不正确。", status=401)
    cookie = await start_session(request, agent.name)
    await audit(request, agent.name, "login")
    response = RedirectResponse(safe_next(next), status_code=303)
    _cookie(response, request, COOKIE, cookie, "/console")
    response.delete_cookie(LOGIN_COOKIE, path="/console/login")
    return response


async def _verify(password_hash: str | None, password: str) -> bool:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(verify_password, password_hash, password)


@router.post("/logout")
async def logout(request: Request, signed: Acting) -> Response:
    await (await console_store(request)).delete_session(signed.key)
    await audit(request, signed.agent, "logout")
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


@router.get("")
async def list_page(signed: PageAgent) -> HTMLResponse:
    body = """<h1>会话</h1>
<p class="live" id="live-status" role="status">正在连接…</p>
<section aria-labelledby="phone-h" class="phone-start">
<h2 id="phone-h">电话代答</h2>
<p>来电用户：由坐席代为回答对话中的问题，案件与网页渠道完全一致。</p>
<button type="button" id="start-phone">新建来电会话</button>
</section>
<section aria-labelledby="queue-h">
<h2 id="queue-h">转人工队列 <span id="pending" class="count"></span></h2>
<div class="table-wrap"><table id="queue" class="stack">
<thead><tr><th>案件</th><th>渠道</th><th>等待</th><th>风险</th><th>操作</th></tr></thead>
<tbody></tbody></table></div>
<p id="queue-empty" class="empty">队列为空。</p>
</section>
<section aria-labelledby="all-h">
<h2 id="all-h">全部会话</h2>
<div class="table-wrap"><table id="conversations" class="stack">
<thead><tr><th>案件</th><th>渠道</th><th>状态</th><th>等待</th><th>坐席</th><th>风险</th></tr></thead>
<tbody></tbody></table></div>
</section>"""
    return page("会话", body, agent=signed.agent, csrf=signed.csrf, scripts=("common.js", "list.js"))


@router.get("/c/{id}")
async def conversation_page(id: str, request: Request, rt: Rt, signed: PageAgent) -> HTMLResponse:
    record = await rt.engine.store.load(id[:64])
    if record is None:
        return page("不存在", "<h1>会话不存在或已过期</h1>", agent=signed.agent, status=404)
    await audit(request, signed.agent, "view", record.id)
    code = record.state.get("case_code", "")
    return page(
        f"案件 {code}",
        _conversation_body(record.id, code),
        agent=signed.agent,
        csrf=signed.csrf,
        scripts=("common.js", "conversation.js"),
        data={"conversation": record.id, "me": signed.agent},
    )


def _conversation_body(conversation_id: str, code: str) -> str:
    cid = e(conversation_id)
    return f"""<div class="case-head">
<h1>案件 <span id="case-code">{e(code)}</span></h1>
<p class="meta" id="meta"></p>
<ul class="flags" id="flags" aria-label="风险"></ul>
<div class="actions">
<button type="button" id="claim" hidden>认领</button>
<button type="button" id="take-over" hidden>接管</button>
<button type="button" id="hand-back" hidden>交还机器人</button>
<a class="button" href="/console/c/{cid}/print">打印案件</a>
<a class="button" href="/console/api/conversations/{cid}/export.json" download>导出 JSON</a>
</div>
<p class="error" id="error" role="alert" hidden></p>
</div>
<div class="columns">
<section class="talk" aria-labelledby="transcript-h">
<h2 id="transcript-h">对话</h2>
<div id="transcript" class="transcript" role="log" aria-live="polite"></div>
<form id="agent-form" class="send" hidden>
<label for="agent-text">发给用户</label>
<textarea id="agent-text" rows="2" maxlength="4000" required></textarea>
<button type="submit">发送给用户</button>
</form>
<section id="phone" class="phone" hidden aria-labelledby="phone-answer-h">
<h3 id="phone-answer-h">代来电用户回答</h3>
<div id="phone-buttons" class="quick"></div>
<form id="phone-form" class="send">
<label for="phone-text">来电用户的回答</label>
<input id="phone-text" maxlength="4000" required autocomplete="off">
<button type="submit">代答</button>
</form>
</section>
<section class="whisper" aria-labelledby="whisper-h">
<h3 id="whisper-h">机器人下一问</h3>
<p id="whisper-text"></p>
<p class="expects" id="whisper-expects"></p>
</section>
</section>
<section class="card" aria-labelledby="card-h">
<h2 id="card-h">案件卡</h2>
<h3>事实</h3><dl id="facts" class="facts"></dl>
<h3>时间线</h3><ol id="timeline" class="timeline"></ol>
<h3>逐笔决定</h3>
<div class="table-wrap"><table id="decision" class="stack">
<thead><tr><th>交易</th><th>结果</th><th>申请</th><th>可赔</th><th>条款</th><th>理由</th></tr></thead>
<tbody></tbody></table></div>
<p id="totals"></p>
<h3>缺少材料</h3><ul id="missing"></ul>
<h3>时限</h3><ul id="deadlines"></ul>
<h3>清单</h3><ul id="checklist" class="checklist"></ul>
<h3>待核实</h3><ul id="to-verify"></ul>
<h3>证据</h3><ul id="evidence"></ul>
</section>
<section class="side" aria-labelledby="notes-h">
<h2 id="notes-h">内部备注</h2>
<p class="hint">只有坐席可见，用户看不到。</p>
<ul id="notes" class="notes"></ul>
<form id="note-form" class="send">
<label for="note-text">新备注</label>
<textarea id="note-text" rows="2" maxlength="4000" required></textarea>
<button type="submit">添加备注</button>
</form>
<h2>操作记录</h2>
<ul id="audit" class="audit"></ul>
</section>
</div>"""


@router.get("/c/{id}/print")
async def print_page(id: str, request: Request, rt: Rt, signed: PageAgent) -> HTMLResponse:
    record = await rt.engine.store.load(id[:64])
    if record is None:
        return page("不存在", "<h1>会话不存在或已过期</h1>", agent=signed.agent, status=404)
    await audit(request, signed.agent, "print", record.id)
    summary = await views.export(rt.engine, record)
    clauses = views.clauses(summary.get("decision"))
    return page(
        f"案件 {summary.get('case_code', '')} 打印",
        case_file(summary, clauses),
        agent=signed.agent,
        csrf=signed.csrf,
        scripts=("print.js",),
        extra_css="print.css",
    )


@router.get("/audit")
async def audit_page(request: Request, signed: PageAgent) -> HTMLResponse:
    entries = await (await console_store(request)).audit_log(limit=500)
    rows = "".join(_audit_row(entry.model_dump(mode="json")) for entry in entries)
    body = f"""<h1>审计日志</h1>
<p>每个坐席操作：谁、做了什么、何时、哪个会话（最近 500 条）。</p>
<div class="table-wrap"><table id="audit-log" class="stack">
<thead><tr><th>时间</th><th>坐席</th><th>操作</th><th>会话</th><th>详情</th></tr></thead>
<tbody>{rows}</tbody></table></div>"""
    return page(
        "审计日志", body, agent=signed.agent, csrf=signed.csrf, scripts=("common.js", "local-time.js")
    )


def _audit_row(entry: dict[str, Any]) -> str:
    cid = entry.get("conversation_id")
    link = f'<a href="/console/c/{e(cid)}">{e(cid)}</a>' if cid else ""
    return (
        f'<tr><td><time datetime="{e(entry["at"])}">{e(entry["at"])}</time></td>'
        f"<td>{e(entry['agent'])}</td><td>{e(entry['action'])}</td>"
        f"<td>{link}</td><td>{e(entry.get('detail', ''))}</td></tr>"
    )
