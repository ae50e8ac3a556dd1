"""Phone mode: an agent answers the dialog for a caller in the console; the same answers
typed by a victim in the widget make the same case and the same decision."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect
from web_helpers import Server, login, screenshot

from rules import clause_text
from tests.p1_answers import P1_ABSOLUTE as ANSWERS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

def widget_answers(page: Page) -> None:
    log = page.get_by_role("log")
    box = page.get_by_role("textbox", name="输入消息")
    typing = page.get_by_role("status").filter(has_text="正在输入")
    for n, answer in enumerate(ANSWERS, start=1):
        box.fill(answer)
        box.press("Enter")
        expect(log.locator(".msg.victim")).to_have_count(n)
        expect(typing).to_be_hidden()
    expect(log.locator(".msg.bot").last).to_contain_text("已转交人工")


def phone_answers(console: Page) -> None:
    box = console.get_by_label("来电用户的回答")
    answered = console.locator("#transcript .msg.agent")
    for n, answer in enumerate(ANSWERS, start=1):
        box.fill(answer)
        box.press("Enter")
        expect(answered).to_have_count(n)
    expect(console.locator("#transcript .msg.bot").last).to_contain_text("已转交人工")


def test_phone_mode_makes_the_same_case_as_the_widget(
    context: BrowserContext, agent_context: BrowserContext, server: Server
) -> None:
    victim = context.new_page()
    victim.goto(server.url)
    victim.get_by_role("button", name="在线客服").click()
    expect(victim.get_by_role("log")).to_contain_text("请先用一句话说说发生了什么")
    widget_answers(victim)
    kept = victim.evaluate("key => JSON.parse(localStorage.getItem(key))", f"lossline:{server.url}")
    web = httpx.get(
        f"{server.url}/api/conversations/{kept['id']}/case",
        headers={"Authorization": f"Bearer {kept['token']}"},
    ).json()

    console = agent_context.new_page()
    login(console, server)
    console.get_by_role("button", name="新建来电会话").click()
    expect(console).to_have_url(re.compile(r"/console/c/"))
    expect(console.locator("#whisper-text")).to_contain_text("请先用一句话说说发生了什么")
    phone_answers(console)
    phone_id = console.url.rsplit("/", 1)[1]
    exported = console.request.get(f"{server.url}/console/api/conversations/{phone_id}/export.json")
    assert exported.ok and "attachment" in exported.headers["content-disposition"]
    phone = exported.json()

    assert phone["channel"] == "phone" and phone["state"] == "handed_off"
    assert phone["case"] == web["case"]
    assert phone["decision"] == web["decision"]
    assert web["decision"]["totals"]["payable"] == 4604.34
    assert {e["role"] for e in phone["transcript"]} == {"bot", "agent"}  # the agent answered

    # The case card: each decision line's clause, its text on hover; missing documents.
    clause = console.locator("#decision .clause", has_text="第四条(一)").first
    clause.hover()
    tip = clause.get_by_role("tooltip")
    expect(tip).to_be_visible()
    expect(tip).to_have_text(clause_text("huaan-account-loss-d", "2022", "第四条(一)"))
    expect(console.locator("#missing")).to_contain_text("索赔申请书")
    expect(console.locator("#deadlines")).to_contain_text("第十五条")
    screenshot(console, "console-phone-case-1280")

    # The printable case file: the clauses in full, no console chrome on paper.
    console.get_by_role("link", name="打印案件").click()
    expect(console.get_by_role("heading", name="引用条款")).to_be_visible()
    expect(console.locator(".case-file")).to_contain_text("应付 4604.34 元")
    screenshot(console, "console-print-1280")
    console.emulate_media(media="print")
    expect(console.locator(".top")).to_be_hidden()
    expect(console.get_by_role("button", name="打印")).to_be_hidden()
