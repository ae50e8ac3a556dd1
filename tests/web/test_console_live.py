"""The console in chromium, next to a victim's widget: watch live, take over, hand back,
claim from the queue; a victim's HTML stays text."""

from __future__ import annotations

import asyncio
import re
import threading
from datetime import datetime

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect
from web_helpers import Server, login, screenshot

from bot.engine import Engine
from bot.settings import Settings
from bot.store.factory import open_backend
from dialogs.messages import Turn
from rules.types import SHANGHAI

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PAYLOAD = "<img src=x onerror=alert(1)>"


def open_widget(context: BrowserContext, server: Server) -> Page:
    page = context.new_page()
    page.goto(server.url)
    page.get_by_role("button", name="在线客服").click()
    expect(page.get_by_role("log")).to_contain_text("请先用一句话说说发生了什么")
    return page


def say(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="输入消息")
    box.fill(text)
    box.press("Enter")


def case_code(page: Page, server: Server) -> str:
    kept = page.evaluate("key => JSON.parse(localStorage.getItem(key))", f"lossline:{server.url}")
    view = httpx.get(
        f"{server.url}/api/conversations/{kept['id']}/case",
        headers={"Authorization": f"Bearer {kept['token']}"},
    ).json()
    return str(view["case_code"])


def test_an_agent_watches_takes_over_and_hands_back(
    context: BrowserContext, agent_context: BrowserContext, server: Server, dialogs_seen: list[str]
) -> None:
    console = agent_context.new_page()
    login(console, server)
    expect(console.get_by_role("status")).to_have_text("实时更新中")

    victim = open_widget(context, server)
    say(victim, f"我的支付宝被盗了 {PAYLOAD}")
    widget_log = victim.get_by_role("log")
    expect(widget_log.locator(".msg.bot").last).to_contain_text("还在继续被转走")
    code = case_code(victim, server)

    # The list shows the new conversation without a reload, with its risk flags.
    row = console.locator("#conversations tbody tr").filter(has_text=code)
    expect(row).to_contain_text("网页")
    expect(row).to_contain_text("尚未冻结")
    screenshot(console, "console-list-1280")
    row.get_by_role("link", name=code).click()

    transcript = console.locator("#transcript")
    expect(transcript).to_contain_text(PAYLOAD)  # shown as the text it is
    assert console.locator("#transcript img, #facts img").count() == 0
    expect(console.locator("#whisper-text")).to_contain_text("还在继续被转走")
    expect(console.locator("#to-verify")).to_have_text("无")  # nothing assumed yet

    # Live: the victim answers, the console shows it as it happens.
    victim.get_by_role("button", name="否", exact=True).click()
    expect(transcript).to_contain_text("挂失/冻结了吗")
    expect(console.locator("#whisper-text")).to_contain_text("挂失/冻结了吗")

    # Take over: the bot goes silent, the agent's words reach the widget.
    console.get_by_role("button", name="接管").click()
    expect(widget_log).to_contain_text("人工客服已接入")
    console.get_by_label("发给用户").fill("您好，我是客服小李，我来帮您。")
    console.get_by_role("button", name="发送给用户").click()
    expect(widget_log.locator(".msg.agent").last).to_have_text("人工客服：您好，我是客服小李，我来帮您。")
    bot_replies = widget_log.locator(".msg.bot").count()
    say(victim, "好的，谢谢")
    expect(transcript).to_contain_text("好的，谢谢")
    assert widget_log.locator(".msg.bot").count() == bot_replies  # the bot kept quiet

    console.get_by_label("新备注").fill("用户很着急 <b>内部</b>")
    console.get_by_role("button", name="添加备注").click()
    expect(console.locator("#notes")).to_contain_text("用户很着急 <b>内部</b>")
    screenshot(console, "console-conversation-1280")

    # Hand back: the bot answers the question it was waiting on, and asks the next.
    console.get_by_role("button", name="交还机器人").click()
    expect(widget_log).to_contain_text("智能助手继续为您服务")
    victim.get_by_role("button", name="是", exact=True).click()
    expect(widget_log.locator(".msg.bot").last).to_contain_text("挂失/冻结完成的准确时间")
    expect(transcript).to_contain_text("挂失/冻结完成的准确时间")

    audit = console.locator("#audit")
    for action in ("view", "take_over", "message", "note", "hand_back"):
        expect(audit).to_contain_text(f"admin {action}")
    expect(widget_log).not_to_contain_text("用户很着急")  # private notes stay private

    console.set_viewport_size({"width": 360, "height": 740})
    screenshot(console, "console-conversation-360")
    console.goto(f"{server.url}/console")
    expect(console.locator("#conversations tbody tr").filter(has_text=code)).to_be_visible()
    screenshot(console, "console-list-360")
    # The server-rendered pages with the payload in them: the case file and the audit log.
    console.set_viewport_size({"width": 1280, "height": 800})
    console.goto(f"{server.url}/console/audit")
    expect(console.locator("#audit-log")).to_contain_text("take_over")
    screenshot(console, "console-audit-1280")
    console.goto(row_print_url(console, server, code))
    expect(console.locator(".case-file")).to_contain_text(PAYLOAD)
    assert console.locator(".case-file img").count() == 0
    assert dialogs_seen == []


def row_print_url(console: Page, server: Server, code: str) -> str:
    listed = console.request.get(f"{server.url}/console/api/conversations").json()
    cid = next(r["id"] for r in listed["conversations"] if r["case_code"] == code)
    return f"{server.url}/console/c/{cid}/print"


def test_without_a_session_the_browser_gets_the_login_form(
    agent_context: BrowserContext, server: Server
) -> None:
    page = agent_context.new_page()
    for path in ("/console", "/console/audit", "/console/c/anything", "/console/c/x/print"):
        page.goto(f"{server.url}{path}")
        expect(page.get_by_role("heading", name="坐席登录")).to_be_visible()
        assert page.url.startswith(f"{server.url}/console/login?next=/console")
    answer = page.request.get(f"{server.url}/console/api/conversations")
    assert answer.status == 401
    closed = page.evaluate(
        """() => new Promise(resolve => {
            const ws = new WebSocket(`ws://${location.host}/console/api/live`);
            ws.onopen = () => resolve("open");
            ws.onclose = event => resolve("closed " + event.code);
        })"""
    )
    assert closed.startswith("closed")
    refused = page.request.post(
        f"{server.url}/console/api/phone", data="{}", headers={"Content-Type": "application/json"}
    )
    assert refused.status == 401


def test_a_handoff_is_claimed_from_the_queue(
    context: BrowserContext, agent_context: BrowserContext, server: Server
) -> None:
    console = agent_context.new_page()
    login(console, server)
    victim = open_widget(context, server)
    say(victim, "转人工")
    expect(victim.get_by_role("log").locator(".msg.bot").last).to_contain_text("已转交人工")
    code = case_code(victim, server)

    queued = console.locator("#queue tbody tr").filter(has_text=code)
    queued.get_by_role("button", name=f"认领 {code}").click()
    expect(console).to_have_url(re.compile(r"/console/c/"))
    expect(console.locator("#meta")).to_contain_text("负责：admin")
    expect(victim.get_by_role("log")).to_contain_text("人工客服已接入")
    console.get_by_label("发给用户").fill("已收到您的案件。")
    console.get_by_role("button", name="发送给用户").click()
    expect(victim.get_by_role("log").locator(".msg.agent").last).to_contain_text("已收到您的案件。")

    # It left the queue for everyone.
    console.goto(f"{server.url}/console")
    expect(console.locator("#conversations tbody tr").filter(has_text=code)).to_contain_text("已认领")
    expect(console.locator("#queue tbody tr").filter(has_text=code)).to_have_count(0)


def test_the_list_shows_live_what_another_process_on_the_file_changed(
    agent_context: BrowserContext, server: Server
) -> None:
    """`lossline telegram` polling beside `lossline serve` on the same SQLite file (here this
    test's process, in the worker's place): its chats show in the console without a reload."""
    console = agent_context.new_page()
    login(console, server)
    expect(console.get_by_role("status")).to_have_text("实时更新中")

    async def as_the_worker() -> str:
        backend = await open_backend(Settings(data_dir=server.data_dir))
        try:
            engine = Engine(backend.store, backend.queue, backend.events)
            now = datetime.now(SHANGHAI)
            record, _, _ = await engine.start("telegram", "zh-CN", now, external_key="tg:987654")
            await engine.handle(record.id, Turn(text="我的银行卡被盗刷了", sent_at=now))
            return str(record.state["case_code"])
        finally:
            await backend.aclose()

    codes: list[str] = []
    worker = threading.Thread(target=lambda: codes.append(asyncio.run(as_the_worker())))
    worker.start()
    worker.join(30)
    row = console.locator("#conversations tbody tr").filter(has_text=codes[0])
    expect(row).to_contain_text("Telegram")
