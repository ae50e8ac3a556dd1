"""The widget on the demo page, in chromium: talk to hand-off, reload, upload, languages."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Route, WebSocketRoute, expect
from web_helpers import Server, agent_client, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

FIRST_QUESTION = re.compile("请先用一句话说说发生了什么")


def open_widget(page: Page, server: Server, query: str = "") -> None:
    page.goto(f"{server.url}/{query}")
    page.get_by_role("button", name="在线客服").click()


def say(page: Page, text: str, expect_reply: str | re.Pattern[str]) -> None:
    """Type into the message box, press Enter, wait for the bot's answer."""
    box = page.get_by_role("textbox", name="输入消息")
    box.fill(text)
    box.press("Enter")
    expect(page.get_by_role("log").locator(".msg.bot").last).to_contain_text(expect_reply)


def saved(page: Page, server: Server) -> dict[str, str]:
    raw = page.evaluate("key => localStorage.getItem(key)", f"lossline:{server.url}")
    return json.loads(raw)


def test_a_victim_talks_to_handoff_and_a_reload_resumes(context: BrowserContext, server: Server) -> None:
    page = context.new_page()
    open_widget(page, server)
    log = page.get_by_role("log")
    expect(log).to_contain_text(FIRST_QUESTION)
    say(page, "我的支付宝被盗了，有人登录了我的账号把钱转走了", "还在继续被转走")
    # Quick replies are real buttons.
    page.get_by_role("button", name="否", exact=True).click()
    expect(log.locator(".msg.bot").last).to_contain_text("挂失/冻结了吗")
    screenshot(page, "widget-1280")
    first = saved(page, server)

    page.reload()
    expect(page.get_by_role("log")).to_contain_text("挂失/冻结了吗")  # redrawn from GET /case
    assert saved(page, server)["id"] == first["id"]
    expect(page.get_by_role("log").locator(".msg.victim")).to_have_count(2)
    expect(page.get_by_role("button", name="是", exact=True)).to_be_visible()  # buttons too

    say(page, "转人工", "已转交人工")
    with httpx.Client(base_url=server.url) as client:
        case = client.get(
            f"/api/conversations/{first['id']}/case",
            headers={"Authorization": f"Bearer {first['token']}"},
        ).json()
    assert case["state"] == "handed_off" and case["handoff"]["status"] == "queued"


def test_at_360_px_the_widget_fills_the_screen_and_the_host_css_stays_out(
    context: BrowserContext, server: Server
) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    open_widget(page, server)
    expect(page.get_by_role("log")).to_contain_text(FIRST_QUESTION)
    say(page, "信用卡昨晚被刷了五千", "还在继续")
    box = page.get_by_role("dialog").bounding_box()
    assert box is not None and box["width"] == 360 and box["height"] == 740
    for name in ("发送",):
        button = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert button is not None and button["x"] + button["width"] <= 360
    # The demo page's rude CSS (serif everywhere, red buttons, spaced letters) stays outside.
    send = page.get_by_role("button", name="发送", exact=True)
    assert send.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(11, 92, 173)"
    assert send.evaluate("b => getComputedStyle(b).letterSpacing") == "normal"
    assert "serif" not in send.evaluate("b => getComputedStyle(b).fontFamily").replace("sans-serif", "")
    screenshot(page, "widget-360")


def test_a_message_typed_while_the_widget_starts_goes_after_the_greeting(
    context: BrowserContext, server: Server
) -> None:
    """A victim in a hurry types before the conversation exists (its start is held here): the
    message is neither dropped nor left in the box, it goes once the greeting is shown."""
    page = context.new_page()
    held: list[Route] = []
    page.route(re.compile(r"/api/conversations$"), lambda route: held.append(route))
    open_widget(page, server)
    box = page.get_by_role("textbox", name="输入消息")
    box.fill("我的支付宝被盗了")
    box.press("Enter")
    for _ in range(200):  # the route handler runs when Playwright next reads its events
        if held:
            break
        page.wait_for_timeout(10)
    expect(box).to_have_value("")
    held[0].continue_()
    log = page.get_by_role("log")
    expect(log.locator(".msg.bot").last).to_contain_text("还在继续")
    expect(log.locator(".msg")).to_have_text([FIRST_QUESTION, "我：我的支付宝被盗了", re.compile("还在继续")])


def test_keyboard_only_with_a_typing_indicator_while_the_bot_thinks(
    context: BrowserContext, server: Server
) -> None:
    page = context.new_page()
    page.goto(server.url)
    held: list[Route] = []
    page.route("**/messages", lambda route: held.append(route))

    page.get_by_role("button", name="在线客服").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("log")).to_contain_text(FIRST_QUESTION)
    expect(page.get_by_role("textbox", name="输入消息")).to_be_focused()
    page.keyboard.type("我的支付宝被盗了")
    with page.expect_request("**/messages"):
        page.keyboard.press("Enter")
    typing = page.get_by_role("status").filter(has_text="正在输入")
    expect(typing).to_be_visible()  # while the request is held, the bot "types"
    for _ in range(200):  # the route handler runs when Playwright next reads its events
        if held:
            break
        page.wait_for_timeout(10)
    held[0].continue_()
    page.unroute("**/messages")
    expect(typing).to_be_hidden()
    expect(page.get_by_role("log").locator(".msg.bot").last).to_contain_text("还在继续")

    # Quick replies by keyboard: Tab from the message box backwards reaches them.
    page.keyboard.press("Shift+Tab")  # the attach button
    page.keyboard.press("Shift+Tab")  # the last quick reply: 不知道
    expect(page.get_by_role("button", name="不知道", exact=True)).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="否", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("log").locator(".msg.victim").last).to_have_text("我：否")
    expect(page.get_by_role("log").locator(".msg.bot").last).to_contain_text("挂失/冻结了吗")
    # The pressed button is gone with its reply: focus goes back to the message box.
    expect(page.get_by_role("textbox", name="输入消息")).to_be_focused()

    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="在线客服")).to_be_focused()


def test_evidence_upload_warns_about_card_numbers(context: BrowserContext, server: Server) -> None:
    page = context.new_page()
    open_widget(page, server)
    expect(page.get_by_role("log")).to_contain_text(FIRST_QUESTION)
    page.get_by_role("button", name="上传证据").click()
    expect(page.get_by_text("请遮住完整的银行卡号")).to_be_visible()
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "流水截图.png", "mimeType": "image/png", "buffer": png}]
    )
    expect(page.get_by_role("log")).to_contain_text("已上传证据：流水截图.png")
    kept = saved(page, server)
    with httpx.Client(base_url=server.url) as client:
        case = client.get(
            f"/api/conversations/{kept['id']}/case",
            headers={"Authorization": f"Bearer {kept['token']}"},
        ).json()
    assert [e["file_name"] for e in case["evidence"]] == ["流水截图.png"]


def test_english(context: BrowserContext, server: Server) -> None:
    page = context.new_page()
    page.goto(f"{server.url}/?locale=en")
    page.get_by_role("button", name="Chat with us").click()
    expect(page.get_by_role("textbox", name="Type a message")).to_be_visible()
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_visible()
    expect(page.get_by_role("log").locator(".msg.bot").first).to_contain_text(
        re.compile("what happened", re.I)
    )
    expect(page.get_by_role("log").locator(".msg.bot").first).to_contain_text("Assistant: ")


def taken_over(
    page: Page, server: Server, sockets: list[WebSocketRoute]
) -> tuple[httpx.Client, str, str]:
    """The victim has started in the widget (its socket routed into `sockets`), and an agent
    has taken the conversation over: the agent's client, CSRF token and conversation API."""
    open_widget(page, server)
    say(page, "我的支付宝被盗了", "还在继续")
    expect(page.get_by_role("log")).to_be_visible()
    for _ in range(200):
        if sockets:
            break
        page.wait_for_timeout(10)
    kept = saved(page, server)
    agent, csrf = agent_client(server)
    api = f"/console/api/conversations/{kept['id']}"
    assert agent.post(f"{api}/take-over", headers={"X-CSRF-Token": csrf}).status_code == 200
    expect(page.get_by_role("log")).to_contain_text("人工客服已接入")
    return agent, csrf, api


def test_a_dropped_connection_reconnects_and_catches_up(context: BrowserContext, server: Server) -> None:
    page = context.new_page()
    sockets: list[WebSocketRoute] = []

    def through(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/api/conversations/.+/ws"), through)
    agent, csrf, api = taken_over(page, server, sockets)

    sockets[0].close(code=1011, reason="test: connection lost")
    said = agent.post(f"{api}/messages", headers={"X-CSRF-Token": csrf}, json={"text": "断线时发的"})
    assert said.status_code == 201
    # Reconnected (after a backoff), the widget redraws from the case: nothing is lost.
    expect(page.get_by_role("log").locator(".msg.agent")).to_have_text(["人工客服：断线时发的"])
    expect(page.get_by_role("dialog").get_by_role("status").first).to_have_text("先止损，再理赔")
    assert len(sockets) >= 2
    agent.post(f"{api}/messages", headers={"X-CSRF-Token": csrf}, json={"text": "重连后发的"})
    expect(page.get_by_role("log").locator(".msg.agent")).to_have_count(2)
    agent.close()


def test_events_the_server_missed_are_caught_up(context: BrowserContext, server: Server) -> None:
    """The server lost events while the socket stayed open (Redis cut its pub/sub
    connection, see tests/store/test_live_events.py): told so, the widget redraws from the
    case. Here the agent's message is what got lost on its way."""
    page = context.new_page()
    sockets: list[WebSocketRoute] = []

    def losing_agent_messages(ws: WebSocketRoute) -> None:
        upstream = ws.connect_to_server()

        def onward(message: str | bytes) -> None:
            if not (isinstance(message, str) and '"agent_message"' in message):
                ws.send(message)

        upstream.on_message(onward)
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/api/conversations/.+/ws"), losing_agent_messages)
    agent, csrf, api = taken_over(page, server, sockets)
    said = agent.post(f"{api}/messages", headers={"X-CSRF-Token": csrf}, json={"text": "这条的事件丢了"})
    assert said.status_code == 201
    page.wait_for_timeout(300)
    expect(page.get_by_role("log").locator(".msg.agent")).to_have_count(0)

    sockets[-1].send(json.dumps({"type": "missed", "conversation_id": saved(page, server)["id"]}))
    expect(page.get_by_role("log").locator(".msg.agent")).to_have_text(["人工客服：这条的事件丢了"])
    agent.close()
