"""Schemathesis against the console's operations in /openapi.json (/console/api/…): never a
5xx, every answer as declared, every error in the error format with a Chinese message.

Each operation is fuzzed on SQLite and on Redis (the sessions, agents and conversations in
each), as two callers:

- anyone: no session; whatever cookie, CSRF token and ids schemathesis makes up get 401 (404
  or 405 when the request misses the route, 413 or 422 when its body cannot be read at all);
- agent: alice, logged in through the login form. Her session cookie and CSRF token go where
  schemathesis puts those (not into the cases that test their absence), and the ids are those
  of real conversations, one of each kind an action tells apart: a fresh web conversation
  (with an uploaded file, whose sha256 the evidence download gets every other time), a queued
  hand-off, one alice took over, one bob took over, a phone call, and now and then whatever
  id schemathesis made up. Every other case carries an Origin header, as browsers add one.

Both get schemathesis's coverage cases, then generated ones, valid and invalid, driven as in
tests/api/test_openapi_fuzz.py (whose checks and driver are used here, and which says why not
through `@schema.parametrize()`). A valid request may be refused for the conversation's state
(409): that is what the 409 declares. FUZZ_TALLY=1 with -s prints what each test sent and got.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
import schemathesis
from console_helpers import PASSWORD, form_token, page_token
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from requests.cookies import cookiejar_from_dict
from schemathesis import Case
from schemathesis.python import asgi
from schemathesis.schemas import BaseSchema

from bot.app import create_app
from bot.console.agents import add_agent
from bot.console.auth import COOKIE
from bot.settings import Settings
from tests.api.test_openapi_fuzz import (
    CHECKS,
    TEXT_CHECKS,
    TEXTS,
    UNLIMITED,
    Tally,
    drive,
    fuzz_settings,
    operation,
    operations,
)

pytestmark = pytest.mark.timeout(120)
CSRF = "X-CSRF-Token"
OPERATIONS = operations("/console/api/")
EVIDENCE = "GET /console/api/conversations/{id}/evidence/{sha256}"
NOTES = "POST /console/api/conversations/{id}/notes"
MESSAGES = "POST /console/api/conversations/{id}/messages"
ANSWER = "POST /console/api/conversations/{id}/answer"
# Generated cases per operation and generation mode.
EXAMPLES = {"anyone": 4, "agent": 15}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
# Origins a browser may send (the schema does not name the header): this site's, another's,
# a sandboxed page's, ones urlsplit() cannot read, an empty one. In turn, one case in two.
ORIGINS = ("http://testserver", "https://evil.example", "null", "http://[", "http://[::1", "http://a]b", "")

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": ["400", "401", "403", "404", "405", "413", "415", "422"]
            },
            # Valid, and refused all the same: by the conversation's state (409), or by the
            # session's CSRF token that schemathesis left out (403).
            "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "413"]},
        },
    }
)


@dataclass
class Agent:
    """A logged-in agent, as a browser holds it: the session cookie and the page's CSRF token."""

    session: str
    csrf: str

    @property
    def cookies(self) -> dict[str, str]:
        return {COOKIE: self.session}


@dataclass
class Conversations:
    fresh: str  # a web conversation, with one uploaded file
    queued: str  # a hand-off waiting in the queue
    alices: str  # taken over by alice
    bobs: str  # taken over by bob
    phone: str  # a caller's, started by alice
    sha256: str  # of the file uploaded to `fresh`

    def ids(self) -> list[str | None]:
        """Where the cases go, in turn; None: wherever schemathesis said."""
        return [self.fresh, self.queued, self.alices, self.bobs, self.phone, None]


@pytest.fixture
def app(backend_settings: Settings) -> FastAPI:
    configured = backend_settings.model_copy(update=UNLIMITED)
    for name in ("alice", "bob"):
        assert asyncio.run(add_agent(configured, name, PASSWORD))
    # As in tests/api: the app opens its backend in its lifespan, which schemathesis runs in
    # the event loop it serves the app from.
    return create_app(configured)


@pytest.fixture
def schema(app: FastAPI) -> BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[requests.Session]:
    """The in-process client schemathesis sends its cases with: same app, same event loop."""
    with asgi.get_client(app) as client:  # type: ignore[arg-type]
        yield client


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    counted = Tally()
    yield counted
    counted.report(request.node.name)


def login(browser: requests.Session, name: str) -> Agent:
    """Through the login form, as console_helpers.login does with a TestClient."""
    browser.cookies.clear()
    form = browser.get("/console/login")
    done = browser.post(
        "/console/login",
        data={"name": name, "password": PASSWORD, "csrf": form_token(form.text)},
        allow_redirects=False,
    )
    assert done.status_code == 303, done.text
    session = browser.cookies.get(COOKIE)
    assert session is not None
    return Agent(session, page_token(browser.get("/console").text))


def victim(browser: requests.Session, *texts: str) -> tuple[str, dict[str, str]]:
    """A web conversation with these messages sent; returns its id and Bearer header."""
    started = browser.post("/api/conversations", json={}).json()
    auth = {"Authorization": f"Bearer {started['token']}"}
    for text in texts:
        sent = browser.post(f"/api/conversations/{started['id']}/messages", headers=auth, json={"text": text})
        assert sent.status_code == 200, sent.text
    return started["id"], auth


def act(browser: requests.Session, agent: Agent, path: str) -> requests.Response:
    response = browser.post(path, headers={CSRF: agent.csrf}, cookies=agent.cookies)
    assert response.status_code in (200, 201), response.text
    return response


def conversations(browser: requests.Session) -> tuple[Agent, Conversations]:
    """One conversation of each kind, and alice logged in last (her session is the fuzz's)."""
    fresh, auth = victim(browser)
    upload = browser.post(
        f"/api/conversations/{fresh}/evidence", headers=auth, files={"file": ("a.png", PNG, "image/png")}
    )
    assert upload.status_code == 201, upload.text
    queued, _ = victim(browser, "转人工")
    alices, _ = victim(browser, "我的支付宝被盗了")
    bobs, _ = victim(browser, "我的银行卡被盗刷了")
    bob = login(browser, "bob")
    act(browser, bob, f"/console/api/conversations/{bobs}/take-over")
    alice = login(browser, "alice")
    act(browser, alice, f"/console/api/conversations/{alices}/take-over")
    phone = act(browser, alice, "/console/api/phone").json()["id"]
    return alice, Conversations(fresh, queued, alices, bobs, phone, upload.json()["sha256"])


def test_the_schema_holds_the_console_api_with_its_login_and_no_page() -> None:
    schema = create_app(Settings(data_dir="unused", telegram_token="1:webhook")).openapi()
    # Not the pages, /healthz, /metrics, the widget or the Telegram webhook: only the two APIs.
    assert all(path.startswith(("/api/", "/console/api/")) for path in schema["paths"])
    assert len(OPERATIONS) == 12
    session = schema["components"]["securitySchemes"]["consoleSession"]
    assert (session["type"], session["in"], session["name"]) == ("apiKey", "cookie", COOKIE)
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for label in OPERATIONS:
        method, path = label.split(" ", 1)
        declared = schema["paths"][path][method.lower()]
        assert declared["security"] == [{"consoleSession": []}], label
        assert {"200", "201"} & set(declared["responses"]) and "401" in declared["responses"], label
        for status, response in declared["responses"].items():
            if status.startswith("4"):
                assert response["content"] == {"application/json": {"schema": error}}, (label, status)
        tokens = [p for p in declared.get("parameters", []) if p["name"] == CSRF]
        assert [(p["in"], p["required"]) for p in tokens] == ([("header", True)] if method == "POST" else [])
    assert "HTTPValidationError" not in schema["components"]["schemas"]


@pytest.mark.parametrize("who", ["anyone", "agent"])
@pytest.mark.parametrize("label", OPERATIONS)
def test_every_console_operation_answers_as_declared(
    schema: BaseSchema, browser: requests.Session, tally: Tally, label: str, who: str
) -> None:
    op = operation(schema, label)
    agent, known = conversations(browser) if who == "agent" else (None, None)
    sent = 0

    def send(case: Case, phase: str) -> None:
        nonlocal sent
        sent += 1
        cookies = headers = marker = None
        if agent is not None and known is not None:
            cid = known.ids()[sent % len(known.ids())]
            if cid is not None and "id" in (case.path_parameters or {}):
                case.path_parameters = {**(case.path_parameters or {}), "id": cid}
            if label == EVIDENCE and sent % 2 == 0:
                case.path_parameters = {"id": known.fresh, "sha256": known.sha256}
            # The session goes where schemathesis meant one to be (not into the cases that
            # test its absence), and as explicit auth, which ignored_auth then takes away to
            # see a 401; the CSRF token likewise.
            if COOKIE in (case.cookies or {}):
                cookies = agent.cookies
                marker = {"Cookie": cookiejar_from_dict(cookies)}
            if CSRF.lower() in {h.lower() for h in case.headers or {}}:
                headers = {CSRF: agent.csrf}
            if sent % 2:
                headers = {**(headers or {}), "Origin": ORIGINS[sent // 2 % len(ORIGINS)]}
        response = case.call(headers=headers, cookies=cookies)
        tally.add(who, phase, case, response)
        case.validate_response(response, checks=CHECKS, headers=marker)

    drive(schema, op, EXAMPLES[who], send)

    statuses = tally.statuses()
    assert not any(status >= 500 for status in statuses), tally.counts
    if who == "anyone":
        assert 401 in statuses and statuses <= {401, 404, 405, 413, 422}, tally.counts
    else:  # past the login: the handler itself answered
        assert statuses & {200, 201}, tally.counts


@pytest.mark.parametrize("label", [NOTES, MESSAGES, ANSWER])
def test_any_text_is_answered(
    schema: BaseSchema, browser: requests.Session, tally: Tally, label: str
) -> None:
    """The texts of tests/api/test_openapi_fuzz.py (any code point, lone surrogates, lengths
    around the limits) as a note, a message to the victim and a caller's answer."""
    agent, known = conversations(browser)
    op = operation(schema, label)
    target, done = (known.phone, 200) if label == ANSWER else (known.alices, 201)
    keys = ["text", "choice"] if label == ANSWER else ["text"]
    max_body = Settings.model_fields["max_body_bytes"].default

    @fuzz_settings(40, texts=True)
    @given(
        case=op.as_strategy(
            path_parameters={"id": target}, headers={CSRF: agent.csrf}, cookies=agent.cookies
        ),
        key=st.sampled_from(keys),
        value=TEXTS,
    )
    def run(case: Case, key: str, value: str) -> None:
        case.body = {key: value}
        response = case.call()
        tally.add("agent", "texts", case, response)
        case.validate_response(response, checks=TEXT_CHECKS)
        sent = response.request.body or b""
        sent = sent.encode() if isinstance(sent, str) else sent
        assert isinstance(sent, bytes)
        assert response.status_code == _expected_status(key, sent, max_body, done), (
            value[:50],
            response.text[:300],
        )

    run()
    assert {done, 413, 422} <= tally.statuses(), tally.counts


def _expected_status(key: str, sent: bytes, max_body: int, done: int) -> int:
    """What a text or choice gets: read back from the JSON sent, where two lone surrogates in a
    row have become one character and a lone one stays what no text may hold."""
    if len(sent) > max_body:
        return 413
    value = json.loads(sent)[key]
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        return 422
    return done if 1 <= len(value) <= (64 if key == "choice" else 4000) else 422
