"""100 trials of SIGKILL on a worker at a random point of a conversation: after the restart no
turn and no hand-off is lost or doubled. On SQLite and on Redis, 100 kills each.

Every conversation follows the p1 script (it ends with 转交, a hand-off) and then says two
more things, after the hand-off. Two conversations are under way at any time. Each trial
forks a worker (tests/faults/kill_worker.py, forked from a warm forkserver) that picks both
up where the client's acknowledgements say they stand, the first unacknowledged turn re-sent
with its message id, and SIGKILLs it at a random point (see Schedule: random turns before the
hand-off, the hand-off turn, a turn after it, and the worker's start-up). After each kill the
store must hold every acknowledged turn, plus at most the one in flight, and a re-sent turn
must be answered as a duplicate exactly when the store already had it. After the last kill
the test process, as the restarted service, finishes every conversation; each must then equal
a reference conversation run without kills (transcript, state, version) and the hand-off
queue must hold exactly one entry for each.

A hand-off committed by a worker killed before it reached the queue is finished by the
service's sweep (Engine.recover_handoffs) once ORPHANED_HANDOFF has passed since it was
announced; the restart runs one sweep with its clock that much later, and nothing else
touches the conversations.

The schedule is seeded: FAULTS_SEED=<seed> (printed by every run) replays the same kill
points; where exactly inside a turn a kill lands is up to the OS.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import random
import signal
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from bot.engine import ORPHANED_HANDOFF, Engine
from bot.settings import Settings
from bot.store.base import ConversationRecord, utcnow
from bot.store.factory import Backend
from dialogs.messages import Turn
from tests.faults.kill_worker import SCRIPT_NOW, drive, message_id, script_turns

pytestmark = pytest.mark.timeout(150)

TRIALS = 100  # SIGKILLs per backend
POOL = 2  # conversations under way at once
AFTER_HANDOFF = ["还有一笔好像也被转走了", "好的，谢谢"]
Message = tuple[Any, ...]

CTX = multiprocessing.get_context("forkserver")


@pytest.fixture(scope="module")
def forkserver() -> Iterator[None]:
    """The forkserver, preloaded, for this module's tests; stopped after them."""
    CTX.set_forkserver_preload(["tests.faults.forkserver_preload"])
    yield
    CTX.set_forkserver_preload([])
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if callable(stop):
        stop()


@dataclass
class Kill:
    trial: int
    in_flight: tuple[str, int] | None  # the turn begun and not acknowledged
    committed: bool = False  # that turn was in the store all the same
    orphaned: bool = False  # the hand-off turn, committed, its entry not noted (yet)


@dataclass
class Client:
    """What the victims' side knows: how many turns of each conversation were acknowledged,
    and which re-sent turn must come back as a duplicate."""

    acked: dict[str, int] = field(default_factory=dict)
    expect_duplicate: dict[str, bool] = field(default_factory=dict)


KillAfter = Callable[[Message], float | None] | float


def run_worker(
    env: dict[str, str], plan: list[tuple[str, int]], turns: list[Turn], kill_after: KillAfter
) -> tuple[list[Message], bool]:
    """Fork a worker for `plan` and SIGKILL it: `kill_after` seconds after its start, or (a
    function) the delay it returns for the first message it returns one for. Returns the
    worker's messages, and whether it was killed before it finished."""
    receiver, sender = CTX.Pipe(duplex=False)
    worker = CTX.Process(target=drive, args=(sender, env, plan, turns), daemon=True)
    worker.start()
    sender.close()
    messages: list[Message] = []
    delay = kill_after if isinstance(kill_after, float) else None
    deadline = time.monotonic() + 30
    try:
        while delay is None:
            assert receiver.poll(max(0.0, deadline - time.monotonic())), "the worker went silent"
            try:
                message = receiver.recv()
            except EOFError:
                break
            messages.append(message)
            if message[0] in ("done", "error"):
                break
            assert callable(kill_after)
            delay = kill_after(message)
        if delay is not None:
            time.sleep(delay)
            worker.kill()
        worker.join(10)
        assert worker.exitcode is not None, "the worker did not end"
        while receiver.poll(10):  # what it wrote before it died (then end of file)
            try:
                messages.append(receiver.recv())
            except EOFError:
                break
    finally:
        receiver.close()
        if worker.exitcode is None:
            worker.kill()
            worker.join(5)
    errors = [m[1] for m in messages if m[0] == "error"]
    assert not errors, errors[0]
    finished = any(m[0] == "done" for m in messages)
    assert finished or worker.exitcode == -signal.SIGKILL, worker.exitcode
    return messages, not finished


def _worker_env(settings: Settings) -> dict[str, str]:
    env = {"LOSSLINE_DATA_DIR": str(settings.data_dir)}
    if settings.redis_url:
        env["LOSSLINE_REDIS_URL"] = settings.redis_url
    return env


async def _victim_lines(engine: Engine, conversation_id: str) -> list[str]:
    return [e.text for e in await engine.store.transcript(conversation_id) if e.role == "victim"]


async def _load(engine: Engine, conversation_id: str) -> ConversationRecord:
    record = await engine.store.load(conversation_id)
    assert record is not None
    return record


def _comparable_state(record: ConversationRecord) -> dict[str, Any]:
    return {k: v for k, v in record.state.items() if k != "case_code"}


async def _comparable_transcript(engine: Engine, record: ConversationRecord) -> list[tuple[str, str]]:
    code = str(record.state.get("case_code"))
    entries = await engine.store.transcript(record.id)
    return [(e.role, e.text.replace(code, "<case>")) for e in entries]


@dataclass
class Schedule:
    """Where the kills go, from the seeded generator. Each conversation is killed at five
    points: three random turns before the hand-off, the hand-off turn and one after it. A
    kill comes a random delay after the worker began that turn (scaled to how long the
    reference conversation's turns took on this machine, so that it lands before, inside
    or after the commit); a few trials kill the worker a random delay after it started."""

    rng: random.Random
    handoff_turn: int
    last_turn: int
    turn_s: float  # a plain turn
    handoff_s: float  # the hand-off turn: it also builds the summary and enqueues it
    points: dict[str, list[int]] = field(default_factory=dict)

    def add(self, conversation_id: str) -> None:
        before = self.rng.sample(range(self.handoff_turn), 3)
        after = self.rng.randint(self.handoff_turn + 1, self.last_turn)
        self.points[conversation_id] = sorted([*before, self.handoff_turn, after])

    def next(self, positions: dict[str, int]) -> KillAfter:
        """When to kill the worker that takes the conversations up at these positions."""
        for conversation_id, n in positions.items():  # a kill that landed late used it up
            self.points[conversation_id] = [p for p in self.points[conversation_id] if p >= n]
        if self.rng.random() < 0.08:
            return self.rng.uniform(0, 0.05)  # in its start-up, or its first turn
        targets = {c: self.points[c][0] for c in positions if self.points[c]}
        fraction = self.rng.uniform(0, 1.5)

        def kill_after(message: Message) -> float | None:
            if message[0] != "begin" or targets.get(message[1]) != message[2]:
                return None
            n = self.points[message[1]].pop(0)
            return fraction * (self.handoff_s if n == self.handoff_turn else self.turn_s)

        return kill_after


async def test_sigkilled_workers_lose_and_double_no_turn_and_no_handoff(
    backend: Backend, backend_settings: Settings, backend_kind: str, forkserver: None
) -> None:
    seed = int(os.environ.get("FAULTS_SEED") or random.randrange(2**32))
    print(f"kill trials on {backend_kind}: FAULTS_SEED={seed}")
    rng = random.Random(seed)
    why = f"FAULTS_SEED={seed} ({backend_kind})"

    turns = script_turns() + [Turn(text=text, sent_at=SCRIPT_NOW) for text in AFTER_HANDOFF]
    handoff_turn = len(turns) - len(AFTER_HANDOFF) - 1
    assert turns[handoff_turn].text == "转交"
    engine = Engine(backend.store, backend.queue, backend.events)

    reference, _, _ = await engine.start("web", "zh-CN", turns[0].sent_at)
    took: list[float] = []
    for n, turn in enumerate(turns):
        began = time.perf_counter()
        outcome = await engine.handle(reference.id, turn, message_id(n))
        took.append(time.perf_counter() - began)
        assert outcome.handoff == (n >= handoff_turn)
    schedule = Schedule(rng, handoff_turn, len(turns) - 1, statistics.median(took), took[handoff_turn])
    reference = await _load(engine, reference.id)
    assert reference.handoff == "queued" and reference.handoff_entry is not None
    expected_victim = await _victim_lines(engine, reference.id)
    assert len(expected_victim) == len(turns)
    expected_transcript = await _comparable_transcript(engine, reference)

    env = _worker_env(backend_settings)
    client = Client()
    started: list[str] = []
    kills: list[Kill] = []
    trial = 0
    t0 = time.monotonic()
    while len(kills) < TRIALS:
        trial += 1
        assert trial <= 3 * TRIALS, f"too few trials ended in a kill; {why}"
        pool = [c for c in started if client.acked[c] < len(turns)]
        while len(pool) < POOL:
            record, _, _ = await engine.start("web", "zh-CN", turns[0].sent_at)
            started.append(record.id)
            client.acked[record.id] = 0
            client.expect_duplicate[record.id] = False
            schedule.add(record.id)
            pool.append(record.id)

        plan = [(c, client.acked[c]) for c in pool]
        messages, killed = run_worker(env, plan, turns, schedule.next(dict(plan)))

        begun: tuple[str, int] | None = None
        for message in messages:
            if message[0] == "begin":
                begun = (message[1], message[2])
            elif message[0] == "ack":
                _, conversation_id, n, duplicate, _handoff = message
                assert begun == (conversation_id, n), message
                assert n == client.acked[conversation_id], f"turn {n} out of order; {why}"
                assert duplicate == client.expect_duplicate[conversation_id], (
                    f"trial {trial}: turn {n} of {conversation_id} re-sent, duplicate={duplicate}; {why}"
                )
                client.acked[conversation_id] = n + 1
                client.expect_duplicate[conversation_id] = False
                begun = None

        kill = Kill(trial, begun) if killed else None
        for conversation_id in pool:
            said = await _victim_lines(engine, conversation_id)
            acked = client.acked[conversation_id]
            in_flight = kill is not None and begun is not None and begun[0] == conversation_id
            assert said == expected_victim[: len(said)], f"trial {trial}: a turn lost or twice; {why}"
            # One turn unacknowledged in the store: the one in flight, or one from an earlier
            # kill that this worker died before re-sending.
            earlier = client.expect_duplicate[conversation_id]
            assert acked <= len(said) <= acked + (in_flight or earlier), (
                f"trial {trial}: {acked} turns acknowledged, {len(said)} stored; {why}"
            )
            client.expect_duplicate[conversation_id] = len(said) > acked
            if in_flight and kill is not None:
                kill.committed = len(said) > acked and not earlier
                record = await _load(engine, conversation_id)
                kill.orphaned = record.handoff == "queued" and record.handoff_entry is None
                kill.orphaned &= begun is not None and begun[1] == handoff_turn
        if kill is not None:
            kills.append(kill)
    trials_s = time.monotonic() - t0

    # The restart: the service (this process) takes every conversation up where the client
    # stands, re-sending the first unacknowledged turn; its sweep, once the orphaned hand-off
    # time has passed, finishes the hand-offs a kill left committed but not on the queue.
    for conversation_id in started:
        for n in range(client.acked[conversation_id], len(turns)):
            outcome = await engine.handle(conversation_id, turns[n], message_id(n))
            assert outcome.duplicate == client.expect_duplicate[conversation_id], why
            client.expect_duplicate[conversation_id] = False
    waiting = [c for c in started if (await _load(engine, c)).handoff_entry is None]
    later = Engine(
        backend.store,
        backend.queue,
        backend.events,
        clock=lambda: utcnow() + ORPHANED_HANDOFF + timedelta(seconds=1),
    )
    assert await later.recover_handoffs() == len(waiting), why
    assert await backend.queue.announced(utcnow() + timedelta(days=1)) == [], why

    for conversation_id in started:
        record = await _load(engine, conversation_id)
        assert await _victim_lines(engine, conversation_id) == expected_victim, why
        assert await _comparable_transcript(engine, record) == expected_transcript, why
        assert _comparable_state(record) == _comparable_state(reference), why
        assert record.state["facts"] == reference.state["facts"], why
        assert (record.state_name, record.version) == (reference.state_name, reference.version), why
        assert record.handoff == "queued" and record.handoff_entry is not None, why

    handed_off = {reference.id, *started}
    entries = await backend.queue.read("console-1", count=10 * len(handed_off), block_ms=0)
    per_conversation = Counter(e.conversation_id for e in entries)
    doubled = {c: k for c, k in per_conversation.items() if k != 1}
    assert not doubled, f"hand-offs on the queue more than once: {doubled}; {why}"
    assert set(per_conversation) == handed_off, f"hand-offs lost; {why}"
    for entry in entries:
        assert entry.id == (await _load(engine, entry.conversation_id)).handoff_entry, why
        assert entry.payload["summary"]["transcript"], why
    assert await backend.queue.pending_count() == len(handed_off), why

    # The kills really landed all over the conversation, the hand-off included.
    points = Counter(k.in_flight[1] for k in kills if k.in_flight is not None)
    print(
        f"{len(kills)} kills in {trial} trials, {trials_s:.1f} s, {len(started)} conversations; "
        f"in flight: {dict(sorted(points.items()))}; "
        f"between turns: {sum(k.in_flight is None for k in kills)}; "
        f"after commit, before the ack: {sum(k.committed for k in kills)}; "
        f"during the hand-off turn, committed but not yet noted: {sum(k.orphaned for k in kills)}; "
        f"hand-offs finished by the sweep: {len(waiting)}"
    )
    assert len(points) >= 15, f"kills landed on too few turns: {points}; {why}"
    assert points[handoff_turn] >= 3, f"too few kills during the hand-off turn: {points}; {why}"
    assert sum(points[n] for n in points if n < handoff_turn) >= 20, why
    assert sum(points[n] for n in points if n > handoff_turn) >= 3, why
    assert sum(k.committed for k in kills) >= 3, f"no kill between a commit and its ack; {why}"
    assert sum(not k.committed for k in kills if k.in_flight) >= 20, why
