"""Schemathesis against the app's own /openapi.json: never a 5xx, every answer as declared.

Every operation of the conversation API (/api/…) is fuzzed, on SQLite and on Redis, as three
callers (the console's operations, with their login, are in tests/console/test_console_fuzz.py):

- anyone: whatever schemathesis makes of the schema, ids and tokens included (mostly 404/401);
- owner: the same cases sent to a real conversation with its own Bearer token, so that the
  handlers, the dialog and the stores get the fuzz and not only the 401 wall;
- stranger: a real conversation, but another conversation's token (403).

Each gets schemathesis's coverage cases (boundary values, missing parts, wrong methods) and
then generated ones, valid and invalid. POST …/messages gets texts of every kind besides:
huge, control characters, lone surrogates, anything Unicode has. The rate limits are raised
for the fuzz; the last test checks that a 429 is still answered as declared. FUZZ_TALLY=1
with -s prints what each test sent and got back.

Not through `@schema.parametrize()` with `schemathesis.pytest.from_fixture`: the app is made
from fixtures (the backend), and schemathesis 4.32's lazy schemas use `Node._nodeid`, which
pytest 9 removed. The operations' strategies and coverage cases are driven here instead.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, GenerationMode, Response
from schemathesis.schemas import APIOperation, BaseSchema

from bot.app import create_app
from bot.settings import Settings

# The rate limits stay out of the way: the fuzz is to reach the handlers.
UNLIMITED = {"rate_per_conversation": 1e9, "rate_per_address": 1e9}
START = "POST /api/conversations"
MESSAGES = "POST /api/conversations/{id}/messages"
EVIDENCE = "POST /api/conversations/{id}/evidence"


def operations(prefix: str) -> list[str]:
    """Every operation under `prefix` the app's schema lists, as "METHOD /path"."""
    paths = create_app(Settings(data_dir="unused")).openapi()["paths"]
    return [
        f"{method.upper()} {path}"
        for path, methods in paths.items()
        if path.startswith(prefix)
        for method in methods
    ]


# Every operation of the conversation API, read the way the tests will read it.
OPERATIONS = operations("/api/")
# Generated cases per operation and generation mode, for each caller. Most of the time goes
# into generating them (schemathesis's strategies are big), so they are counted carefully.
EXAMPLES = {"anyone": 10, "owner": 30, "stranger": 4}
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
# First bytes of files the evidence upload accepts, those that are text: valid cases get one,
# so that 201 is reached, and stay valid (the file is a string to the schema).
SIGNATURES = ("%PDF-1.7\n", "GIF89a", "GIF87a")
CJK = re.compile(r"[\u3400-\u9fff]")


def error_format(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx is {"error": {"code", "message"}}, the message in Chinese."""
    if not 400 <= response.status_code < 500:
        return None
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"{response.status_code} without an error object: {body!r}"
    assert isinstance(error.get("code"), str) and error["code"], body
    assert isinstance(error.get("message"), str) and CJK.search(error["message"]), body
    return True


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
    schemathesis.checks.positive_data_acceptance,
    schemathesis.checks.missing_required_header,
    schemathesis.checks.unsupported_method,
    schemathesis.checks.allow_header_conformance,
    schemathesis.checks.ignored_auth,
    error_format,
]
# Texts' own checks: their bodies are made here, not by schemathesis, so they are neither
# "valid" nor "invalid" data to it; test_any_text_is_answered knows which answer each gets.
TEXT_CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    error_format,
]

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            # A body past max_body_bytes is refused whatever it holds (413, declared): a valid
            # text of 20 000 characters is over 64 KB once JSON-escaped.
            "negative_data_rejection": {
                "expected-statuses": ["400", "401", "403", "404", "405", "413", "415", "422"]
            },
            "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "413"]},
        },
    }
)


@dataclass
class Tally:
    """What was sent and what came back: printed with -s, and checked for reach."""

    counts: Counter[tuple[str, str, str, int]] = field(default_factory=Counter)

    def add(self, who: str, phase: str, case: Case, response: Response) -> None:
        self.counts[(case.operation.label, who, phase, response.status_code)] += 1

    def statuses(self, label: str | None = None) -> set[int]:
        return {status for (op, _, _, status) in self.counts if label in (None, op)}

    def total(self) -> int:
        return sum(self.counts.values())

    def report(self, test: str) -> None:
        """With FUZZ_TALLY=1 (and -s): what each test sent and got."""
        if os.environ.get("FUZZ_TALLY"):
            print(f"\n{test}: {self.total()} requests")
            for (label, who, phase, status), n in sorted(self.counts.items()):
                print(f"  {label:55} {who:8} {phase:9} {status}  x{n}")


@dataclass
class Conversation:
    id: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def fuzz_schema(backend_settings: Settings) -> Iterator[BaseSchema]:
    # No backend given: the app opens its own in its lifespan, which schemathesis runs in the
    # event loop it serves the app from (and ends after the test).
    app: FastAPI = create_app(backend_settings.model_copy(update=UNLIMITED))
    yield schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    counted = Tally()
    yield counted
    counted.report(request.node.name)


def operation(schema: BaseSchema, label: str) -> APIOperation:
    method, path = label.split(" ", 1)
    return schema[path][method]


def start(schema: BaseSchema, **body: Any) -> Conversation:
    response = operation(schema, START).Case(body=body).call()
    assert response.status_code == 201, response.text
    data = response.json()
    return Conversation(data["id"], data["token"])


def fuzz_settings(examples: int, texts: bool = False) -> settings:
    """Hypothesis's settings for a fuzz through the app. derandomize: the same cases every
    run, so CI is stable and a failure reproduces. too_slow: a request per case through the
    app is slow next to what Hypothesis expects of data generation; it says nothing about the
    strategies. `texts`: the long TEXTS are meant to be large, and not shrunk (every case is
    a request)."""
    if texts:
        return settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow],
    )


def fuzz(strategy: st.SearchStrategy[Case], examples: int, send: Callable[[Case], None]) -> None:
    @fuzz_settings(examples)
    @given(case=strategy)
    def run(case: Case) -> None:
        send(case)

    run()


def drive(schema: BaseSchema, op: Any, examples: int, send: Callable[[Case, str], None]) -> None:
    """Schemathesis's coverage cases of `op`, then `examples` generated ones in each mode;
    `send(case, phase)` sends and checks each."""
    coverage = schema.iter_coverage_cases(
        op, generation_modes=list(MODES), generation_config=schema.config.generation
    )
    for case in coverage:
        send(case, "coverage")
    for mode in MODES:
        fuzz(op.as_strategy(generation_mode=mode), examples, partial(send, phase=mode.value))


# Who calls each operation: only those of one conversation have an owner and strangers. On
# SQLite every caller; on Redis the owner, who is the one that reaches the store with the fuzz.
CALLS = [
    *(
        ("sqlite", label, who)
        for label in OPERATIONS
        for who in (EXAMPLES if "{id}" in label else ["anyone"])
    ),
    *(("redis", label, "owner") for label in OPERATIONS if "{id}" in label),
]


@pytest.mark.parametrize(("backend_kind", "label", "who"), CALLS)
def test_every_operation_answers_as_declared(
    fuzz_schema: BaseSchema, tally: Tally, label: str, who: str
) -> None:
    op = operation(fuzz_schema, label)
    ids: dict[str, str] = {}
    auth: dict[str, str] = {}
    if who != "anyone":
        owner = start(fuzz_schema)
        ids = {"id": owner.id}
        auth = owner.auth if who == "owner" else start(fuzz_schema).auth

    def send(case: Case, phase: str) -> None:
        if ids:
            case.path_parameters = {**(case.path_parameters or {}), **ids}
        if label == EVIDENCE and who == "owner" and _valid(case):
            _as_evidence(case)
        # The token goes where schemathesis meant a token to be (not into the cases that test
        # its absence), and as explicit auth, which ignored_auth then takes away to see a 401.
        headers = auth if auth and "authorization" in {h.lower() for h in case.headers or {}} else None
        response = case.call(headers=headers)
        tally.add(who, phase, case, response)
        case.validate_response(response, checks=CHECKS, headers=headers)

    drive(fuzz_schema, op, EXAMPLES[who], send)

    if who == "owner":  # past the 401 wall: the handler itself answered
        assert tally.statuses() & {200, 201}, tally.counts
    if who == "stranger":
        assert 403 in tally.statuses(), tally.counts


def _valid(case: Case) -> bool:
    return case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE


def _as_evidence(case: Case) -> None:
    """Valid data that is also a file the server takes: a known signature, then the rest."""
    if isinstance(case.body, dict) and isinstance(case.body.get("file"), str):
        data = case.body["file"]
        case.body = {**case.body, "file": SIGNATURES[len(data) % len(SIGNATURES)] + data}


# Texts of every kind: any code point (controls, format characters, private use, lone
# surrogates, which JSON escapes and Python reads back), right-to-left and combining marks,
# and lengths around the 20 000-character limit and the 64 KB body limit.
ANY_CHAR = st.characters(codec=None)
TEXTS = st.one_of(
    st.text(ANY_CHAR, max_size=200),
    st.text(st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Mn"]), max_size=50),
    st.builds(
        lambda piece, n: (piece * n)[: n * 4],
        st.text(ANY_CHAR, min_size=1, max_size=4),
        st.sampled_from([1_000, 5_000, 10_000, 19_999, 20_000, 20_001, 25_000, 70_000]),
    ),
    st.sampled_from(["/restart", "重新开始", "/human", "转人工", "/back", "返回上一步", "/summary"]),
)
ZONES = st.sampled_from([None, UTC, *(timezone(timedelta(hours=h)) for h in (8, 14, -12))])
SENT_AT = st.one_of(
    st.none(),
    st.datetimes(timezones=ZONES).map(datetime.isoformat),
    # the ends of what a datetime holds, in zones that push them past it in UTC
    st.sampled_from(["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59.999999-23:59", "9999-12-31T23:59:59"]),
    st.text(max_size=40),
)


def _expected_status(key: str, value: str, sent: bytes, max_body: int) -> int:
    """What the contract says a message of this text or choice gets (sent_at apart)."""
    if len(sent) > max_body:
        return 413
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):  # not text at all
        return 422
    low, high = (0, 20_000) if key == "text" else (1, 64)
    return 200 if low <= len(value) <= high else 422


@pytest.mark.parametrize(
    ("backend_kind", "channel"), [("sqlite", "web"), ("sqlite", "phone"), ("redis", "web")]
)
def test_any_text_is_answered(fuzz_schema: BaseSchema, tally: Tally, channel: str) -> None:
    op = operation(fuzz_schema, MESSAGES)
    conversation = start(fuzz_schema, channel=channel)
    max_body = Settings.model_fields["max_body_bytes"].default

    @fuzz_settings(70, texts=True)
    @given(
        case=op.as_strategy(path_parameters={"id": conversation.id}, headers=conversation.auth),
        key=st.sampled_from(["text", "choice"]),
        value=TEXTS,
        sent_at=SENT_AT,
    )
    def run(case: Case, key: str, value: str, sent_at: str | None) -> None:
        body: dict[str, Any] = {key: value}
        if sent_at is not None:
            body["sent_at"] = sent_at
        case.body = body
        response = case.call()
        tally.add(channel, "texts", case, response)
        case.validate_response(response, checks=TEXT_CHECKS)
        sent = response.request.body or b""
        sent = sent.encode() if isinstance(sent, str) else sent
        expected = _expected_status(key, value, sent, max_body)
        if expected == 200 and response.status_code == 422:
            # sent_at is the only other thing that may be wrong
            assert "sent_at" in response.text, response.text
        else:
            assert response.status_code == expected, (body, response.status_code, response.text)

    run()
    assert {200, 413, 422} <= tally.statuses(), tally.counts


def test_too_many_requests_is_answered_as_declared(backend_settings: Settings) -> None:
    """With the limits as low as they go, the 429s are what the schema says: body, Retry-After."""
    app = create_app(backend_settings.model_copy(update={"rate_per_address": 1e-3}))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)
    op = operation(schema, START)
    statuses = []
    for _ in range(102):  # a burst of 100, then one a thousand minutes
        case = op.Case(body={})
        response = case.call()
        statuses.append(response.status_code)
        case.validate_response(response, checks=TEXT_CHECKS)
    assert statuses[:100] == [201] * 100 and statuses[100:] == [429, 429]
    assert int(response.headers["retry-after"][0]) >= 1
    assert response.json()["error"]["code"] == "too_many_requests"
