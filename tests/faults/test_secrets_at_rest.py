"""After a full run of the scripted conversations, the SQLite files and a Redis dump (and its
append-only files) hold no full card number, CVV, SMS code or password. On both backends.

Every script in tests/dialogs/scripts runs through the engine, and so do two conversations in
which the victim types secrets the ways victims do (SECRETS below): one with the bot, through
a hand-off and after it, one typed to an agent who took the conversation over and who reads
each back in a message of their own. Then the raw
bytes are scanned (tests/faults/secret_scan.py): for SQLite every file under the data
directory, with the database open (WAL and shared memory included) and again once closed;
for Redis a dump written uncompressed (CONFIG SET rdbcompression no; SAVE) and every other file
in the server's directory (the append-only files). No Luhn-valid card number may be there, nor
any secret as typed with the words before it, nor any long secret bare. Read back through the
store, no transcript, state or hand-off holds any secret value at all.

So that the scan cannot pass by reading nothing: the scanner must find every card and secret
in the typed lines themselves; the scanned bytes must hold a phrase of the p1 script and the
masks redaction left; and after the scan, a conversation written straight to the store with
a raw card number and code (as a bug skipping redaction would) must be found by the same scan.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from bot.engine import Engine
from bot.settings import Settings
from bot.store.base import ConversationRecord, hash_token, new_conversation_id, utcnow
from bot.store.factory import Backend, open_backend
from dialogs.messages import TranscriptEntry, Turn
from dialogs.script import parse_script
from tests.conftest import RedisServer
from tests.faults import secret_scan
from tests.faults.secret_scan import Finding, card_numbers, contains_text, files_under, luhn

pytestmark = pytest.mark.timeout(60)

SCRIPTS = Path(__file__).resolve().parents[1] / "dialogs" / "scripts"
SCRIPT_NOW = datetime(2023, 10, 9, 2, 0, tzinfo=UTC)
NOW = datetime(2023, 10, 9, 2, 30, tzinfo=UTC)
KNOWN = "华安个人账户资金损失保险"  # typed in p1: must be in what is scanned


@dataclass(frozen=True)
class Typed:
    """A line a victim types, and what in it is secret."""

    line: str
    cards: tuple[str, ...] = ()  # the digits of each card number in it
    secrets: tuple[str, ...] = ()  # each secret value (CVV, code, password, expiry, ID)
    phrases: tuple[str, ...] = ()  # each secret as typed, with the words before it


SECRETS = [
    Typed(
        "我的信用卡被盗刷了，卡号是6222021234567894，CVV 739，有效期 09/27",
        cards=("6222021234567894",),
        secrets=("739", "09/27"),
        phrases=("CVV 739", "有效期 09/27"),
    ),
    Typed("另一张visa卡 4111 1111 1111 1111 也被刷了", cards=("4111111111111111",)),
    Typed("对方让我念卡号：5105-1051-0510-5100", cards=("5105105105105100",)),
    Typed("卡号６２１７００１２３４５６７８９０１２２", cards=("6217001234567890122",)),  # full width
    Typed("6228\u30004804\u30000256\u30004890\u3000125", cards=("6228480402564890125",)),  # IME spaces
    Typed("运通卡 3782 822463 10005 也绑定了", cards=("378282246310005",)),
    Typed("他用6011000990139424这张卡刷的", cards=("6011000990139424",)),
    Typed("my card number is 4000 0012 3456 7899", cards=("4000001234567899",)),
    Typed("5555\u200b5555\u200b5555\u200b4444", cards=("5555555555554444",)),  # zero-width spaces
    Typed(
        "短信是这样的：【中国银行】您尾号5677的卡于10月8日21:40消费3000.00元，卡号6013 8200 1234 5677",
        cards=("6013820012345677",),
    ),
    Typed("安全码是 513", secrets=("513",), phrases=("安全码是 513",)),
    Typed("卡背面的三位数是284", secrets=("284",), phrases=("三位数是284",)),
    Typed("CVV码902", secrets=("902",), phrases=("CVV码902",)),
    Typed("cvv2: 618", secrets=("618",), phrases=("cvv2: 618",)),
    Typed("my cvv is 447", secrets=("447",), phrases=("cvv is 447",)),
    Typed("卡背后的三位数是 375", secrets=("375",), phrases=("三位数是 375",)),
    Typed("验证码 804713", secrets=("804713",), phrases=("验证码 804713",)),
    Typed("短信验证码是：527194，我已经告诉对方了", secrets=("527194",), phrases=("验证码是：527194",)),
    Typed("319468是验证码", secrets=("319468",), phrases=("319468是验证码",)),
    Typed("动态码 4821", secrets=("4821",), phrases=("动态码 4821",)),
    Typed("the code is 667120", secrets=("667120",), phrases=("code is 667120",)),
    Typed("校验码为 90517342", secrets=("90517342",), phrases=("校验码为 90517342",)),
    Typed("他让我念了 642081 这个验证码", secrets=("642081",), phrases=("642081 这个验证码",)),
    Typed("支付密码是682413", secrets=("682413",), phrases=("支付密码是682413",)),
    Typed("交易密码：905318", secrets=("905318",), phrases=("交易密码：905318",)),
    Typed("网银登录密码 Wang1988sh", secrets=("Wang1988sh",), phrases=("密码 Wang1988sh",)),
    Typed("密码是Pw8#kq2z，他也知道", secrets=("Pw8#kq2z",), phrases=("密码是Pw8#kq2z",)),
    Typed("my password is Qx7!mz42", secrets=("Qx7!mz42",), phrases=("password is Qx7!mz42",)),
    Typed("取款密码=7306", secrets=("7306",), phrases=("取款密码=7306",)),
    Typed("PIN 8264", secrets=("8264",), phrases=("PIN 8264",)),
    Typed("身份证号 11010519491231002X", secrets=("11010519491231002X",), phrases=("11010519491231002X",)),
]
SECRET_VALUES = [s for typed in SECRETS for s in typed.secrets]
# What the raw bytes must not hold: each secret as typed, and bare where it is long enough
# not to turn up by chance among timestamps and ids (short codes are checked read back).
NEEDLES = [p for typed in SECRETS for p in typed.phrases] + [
    s for s in SECRET_VALUES if len(s) >= 8 or (len(s) >= 6 and not s.isdigit())
]
MASKS = ["**** **** **** 7894", "CVV ***", "验证码 ******", "密码是******"]  # what redaction leaves

PLANTED_CARD = "4929 1234 5678 9015"
PLANTED_PHRASE = "验证码 135792"


# -- the scanner, tested on its own ----------------------------------------------------


@pytest.mark.parametrize("typed", SECRETS, ids=lambda t: t.line[:16])
def test_the_scanner_finds_each_secret_as_typed(typed: Typed) -> None:
    for blob in (typed.line.encode(), json.dumps({"text": typed.line}).encode()):
        found = {f.value for f in card_numbers(blob)}
        assert all(luhn(card) for card in typed.cards)
        assert set(typed.cards) <= found
        needles = typed.phrases + tuple(s for s in typed.secrets if s in NEEDLES)
        assert {f.value for f in secret_scan.needles(blob, list(needles))} == set(needles)


def test_the_scanner_finds_a_card_inside_binary_data() -> None:
    blob = b"\x00\x13SQLite\xff" + "卡号 4111-1111-1111-1111。".encode() + bytes(range(256))
    assert [f.value for f in card_numbers(blob)] == ["4111111111111111"]


@pytest.mark.parametrize(
    "blob",
    [
        b"**** **** **** 7894",  # a mask
        b"6222021234567895",  # not Luhn-valid
        b"622202123456",  # 12 digits
        b"62220212345678940000",  # 20 digits
        str(int(utcnow().timestamp() * 1000)).encode() + b"-0",  # a stream id
        b"PEXPIREAT ll:{x}:c " + str(int(utcnow().timestamp() * 1000) + 86_400_000).encode(),
        hash_token("x").encode()[:20] + b"4111111111111111" + hash_token("y").encode()[:28],
        b"2023-10-09T10:00:00.804713+08:00 3404.34 400-889-5558 13800138000",
    ],
)
def test_the_scanner_leaves_machine_numbers_and_masks(blob: bytes) -> None:
    assert card_numbers(blob) == []


# -- the stores, after the scripted conversations ---------------------------------------


def _script(path: Path) -> list[Turn]:
    lines = parse_script(path.read_text(encoding="utf-8").splitlines(), SCRIPT_NOW)
    return [Turn(text=line.text, choice=line.choice, sent_at=line.sent_at) for line in lines]


async def _run_conversations(engine: Engine) -> list[str]:
    """Every script, then the secrets typed to the bot and to an agent. Their ids."""
    ids: list[str] = []
    scripts = sorted(SCRIPTS.glob("*.txt"))
    assert len(scripts) >= 5
    for path in scripts:
        turns = _script(path)
        record, _, _ = await engine.start("web", "zh-CN", turns[0].sent_at)
        for n, turn in enumerate(turns):
            await engine.handle(record.id, turn, f"{path.stem}-{n}")
        ids.append(record.id)

    said = [Turn(text=typed.line, sent_at=NOW) for typed in SECRETS]
    half = len(said) // 2
    record, _, _ = await engine.start("web", "zh-CN", NOW)
    for n, turn in enumerate([*said[:half], Turn(text="转人工", sent_at=NOW), *said[half:]]):
        await engine.handle(record.id, turn, f"secrets-{n}")
    handed_off = await engine.store.load(record.id)
    assert handed_off is not None and handed_off.handoff_entry is not None
    ids.append(record.id)

    record, _, _ = await engine.start("web", "zh-CN", NOW)
    await engine.handle(record.id, Turn(text="转人工", sent_at=NOW), "agent-0")
    await engine.take_over(record.id, "li")
    for n, (turn, typed) in enumerate(zip(said, SECRETS, strict=True)):
        outcome = await engine.handle(record.id, turn, f"agent-{n + 1}")
        assert outcome.to_agent
        # …and the agent reads each back to them (to check a number, say).
        await engine.agent_message(record.id, "li", f"您是说：{typed.line}", f"li-{n}")
    ids.append(record.id)
    return ids


async def _read_back(engine: Engine, ids: list[str]) -> dict[str, str]:
    """Each conversation's transcript, state and hand-off entries as text, by id."""
    entries = await engine.queue.read("console-1", count=100, block_ms=0)
    texts: dict[str, str] = {}
    for conversation_id in ids:
        record = await engine.store.load(conversation_id)
        assert record is not None
        state = {k: v for k, v in record.state.items() if k not in ("case_code", "started_at")}
        parts = [e.text for e in await engine.store.transcript(conversation_id)]
        parts.append(json.dumps(state, ensure_ascii=False))
        parts += [
            json.dumps(e.payload, ensure_ascii=False) for e in entries if e.conversation_id == conversation_id
        ]
        # Its own id and case code are random: "…A902A" is not the CVV 902 read back.
        text = "\n".join(parts).replace(str(record.state.get("case_code")), "")
        texts[conversation_id] = text.replace(conversation_id, "")
    return texts


def _values_in(text: str) -> list[str]:
    return [s for s in SECRET_VALUES if re.search(rf"(?<![0-9]){re.escape(s)}(?![0-9])", text)]


def _scan(files: dict[str, bytes]) -> list[Finding]:
    print("scanned:", ", ".join(f"{name} ({len(blob)} B)" for name, blob in files.items()))
    return secret_scan.scan(files, NEEDLES)


async def _plant(backend: Backend) -> None:
    """A conversation written straight to the store, unredacted: what a bug would leave."""
    at = utcnow()
    record = ConversationRecord(
        id=new_conversation_id(),
        token_hash=hash_token("planted"),
        channel="web",
        locale="zh-CN",
        state={"state": "triage_what"},
        state_name="triage_what",
        created_at=at,
        updated_at=at,
    )
    text = f"卡号 {PLANTED_CARD}，{PLANTED_PHRASE}"
    await backend.store.create(record, [TranscriptEntry(role="victim", text=text, at=at)])


def _check_scanned(files: dict[str, bytes], what: str) -> None:
    blob = b"\n".join(files.values())
    assert blob, f"nothing to scan in {what}"
    assert contains_text(blob, KNOWN), f"the scripts' text is not in {what}: {sorted(files)}"
    for mask in MASKS:
        assert contains_text(blob, mask), f"{mask!r} is not in {what}"


@pytest.fixture
def dedicated_redis(
    backend_kind: str, make_redis_server: Callable[[], RedisServer]
) -> Iterator[tuple[RedisServer | None, redis.Redis | None]]:
    """On Redis, a server of this test's own: its files hold nothing but this test's data."""
    if backend_kind != "redis":
        yield None, None
        return
    server = make_redis_server()
    with redis.Redis.from_url(server.url) as client:
        yield server, client


async def test_no_secret_at_rest_after_the_scripted_conversations(
    tmp_path: Path, dedicated_redis: tuple[RedisServer | None, redis.Redis | None]
) -> None:
    server, client = dedicated_redis
    settings = Settings(data_dir=tmp_path / "data", redis_url=server.url if server else None)
    backend = await open_backend(settings)
    try:
        engine = Engine(backend.store, backend.queue, backend.events)
        ids = await _run_conversations(engine)
        read_back = await _read_back(engine, ids)
        leaks = {c: _values_in(text) for c, text in read_back.items() if _values_in(text)}
        assert not leaks, f"secrets read back from the store: {leaks}"

        if client is None:
            open_files = files_under(settings.data_dir)
            assert any(name.endswith("-wal") for name in open_files), sorted(open_files)
            _check_scanned(open_files, "the open SQLite files")
            assert _scan(open_files) == []
        else:
            assert server is not None
            client.config_set("rdbcompression", "no")
            client.save()
            directory = Path(str(client.config_get("dir")["dir"]))
            dump = files_under(directory)
            rdb = str(client.config_get("dbfilename")["dbfilename"])
            _check_scanned({rdb: dump[rdb]}, "the Redis dump")
            aof = {name: blob for name, blob in dump.items() if "appendonly" in name}
            _check_scanned(aof, "the append-only files")
            assert _scan(dump) == []
    finally:
        await backend.aclose()

    if client is None:
        closed = files_under(settings.data_dir)
        _check_scanned(closed, "the closed SQLite files")
        assert _scan(closed) == []

    # The control: a raw card number and code written to the same store, and the same scan.
    backend = await open_backend(settings)
    try:
        await _plant(backend)
        if client is not None:
            client.save()
            files = files_under(Path(str(client.config_get("dir")["dir"])))
        else:
            files = files_under(settings.data_dir)
        findings = _scan(files)
    finally:
        await backend.aclose()
    assert PLANTED_CARD.replace(" ", "") in {f.value for f in findings}, findings
    assert [f.value for f in secret_scan.needles(b"\n".join(files.values()), [PLANTED_PHRASE])] == [
        PLANTED_PHRASE
    ]
    assert {f.value for f in findings} == {PLANTED_CARD.replace(" ", "")}, findings
