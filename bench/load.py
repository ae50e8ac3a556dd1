"""`lossline serve` under many concurrent conversations (issue 7): latency per turn, errors,
and the serving process's memory per active conversation.

    uv run python -m bench.load --conversations 1000 --backend sqlite [--json]

What is started. The real CLI, `python -m bot.cli serve`, as a child process on a free port,
with a temporary LOSSLINE_DATA_DIR (SQLite) or LOSSLINE_REDIS_URL (Redis: the given URL, or a
redis-server started here as docker-compose.yml runs it: AOF on, fsync every second,
hash-max-listpack-value 1024). Every other LOSSLINE_* variable of the caller is dropped. The
rate limit per client address is raised (all simulated victims come from 127.0.0.1, where
real ones come from as many addresses), and so is the limit per conversation, so that a short
think time measures the server rather than the limiter. Server logs go to a file, as in
production (JSON lines, one per turn and per request).

What a conversation does. What the widget (bot/web/static/widget.js) does: POST
/api/conversations, open the WebSocket /api/conversations/{id}/ws (offering permessage-deflate,
as every browser does), then one message after
another from the scripted victim tests/dialogs/scripts/p1-hacked-alipay-covered.txt (money,
dates, yes/no, the policy, two transactions, the documents, the hand-off), each with a
message_id and the script's sent_at, so the dialog does the work a real case does. Past the
end of the script a conversation says 重新开始 and goes round again.

What a turn is, and its latency. The widget shows the bot's answer from the 200 of POST
/messages; the WebSocket's "reply" event carries the same replies, and the widget listens to
the socket for agent messages. So the latency of a turn is the client's time from sending
the POST to having read and parsed its 200: what the victim waits for. The WebSocket is
still checked on every turn: its "reply" event must arrive (within 5 s, else an error), and
the time from sending the POST to its arrival is reported as ws_p50/ws_p99.

What counts as an error (counted, never raised): a non-2xx answer, a transport error or a
timeout (10 s), a reply whose state is not the one the same script gives when replayed
through the dialog in this process (or has no replies), a missing WebSocket "reply", a
WebSocket that would not open or closed early. A conversation whose turn failed stops there
(its state is unknown), so `turns` then falls short of conversations x turns too.

The load. All conversations are open (POST + WebSocket) before the measured phase starts.
Each then sends its first message after a random 0..mean(think) delay (so arrivals are
spread from the start instead of 1,000 at once), and after each answer "thinks" uniformly
within `think_s` before the next: a victim reads the question and types an answer. The
default 2-6 s (mean 4 s) has 1,000 conversations offer about 250 turns/s; turns_per_s is
what was achieved over the measured phase, ramp-up and tail included (a slow server is
offered less: the next turn comes a think time after the answer). A run takes about
turns x 4 s plus ~10 s (start, warm-up, opening 1,000 conversations); the smallest run that
still shows 1,000 conversations at full rate is 1,000 x 2 turns, ~20 s per backend.

Memory. VmRSS of the serving process (/proc/<pid>/status) after a warm-up (a few
conversations through the whole script: lazy imports, caches, the first SQLite pages), and
again at the end of the measured phase with all conversations still open (WebSocket and
all, each having taken its turns). The growth divided by the number of conversations is
rss_bytes_per_conversation; rss_open_bytes_per_conversation is the same right after opening.

Is the client the bottleneck? One asyncio client (uvloop when it runs the loop) drives all
conversations; on a 2-core machine it competes with the server for CPU. Reported:
client_cpu (CPU seconds of this process per wall second of the measured phase),
server_cpu (the same for the serving process) and redis_cpu; client_lag_p99_ms, the p99
of how late this client's event loop wakes from a 5 ms sleep (an estimate of what the
client adds to a turn's latency); server_turn_p50/p99_ms, the server's own time per turn
(lossline_turn_seconds from /metrics, interpolated in its buckets); healthz_p99_ms, the
latency of GET /healthz every 100 ms during the phase; other_cpu, what the rest of the
machine used meanwhile; steal_cpu, the time the hypervisor of a virtual machine ran others
on our cores; machine_lag_p99_ms, how late a process that only sleeps (bench.sleeper) woke:
the floor under every latency here (the summary warns when other processes, the client or
the machine itself skew the figures). `run(...)` runs run_load on uvloop; awaited elsewhere,
it uses that loop.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

from bench import P1_SCRIPT
from bench.servers import PRODUCTION, RedisServer, free_port
from bench.stats import percentile

RESTART = "重新开始"
DEFAULT_THINK_S = (2.0, 6.0)
TURN_TIMEOUT_S = 10.0
WS_REPLY_TIMEOUT_S = 5.0
STARTUP_TIMEOUT_S = 60.0
OPEN_CONCURRENCY = 64
WARMUP_CONVERSATIONS = 3
SETTLE_S = 0.3  # before reading RSS: let the server finish what it was doing
LAG_PROBE_S = 0.005
HEALTHZ_EVERY_S = 0.1
BUSY_MACHINE_CORES = 0.25  # CPU of other processes past which the summary warns
CLIENT_LAG_WARN_MS = 10.0
STEAL_WARN_CORES = 0.1  # CPU time the hypervisor gave to other machines, past which it warns
MACHINE_LAG_WARN_MS = 5.0  # how late an idle process may wake (p99) before the summary warns


@dataclass(frozen=True)
class LoadResult:
    backend: str  # "sqlite" or "redis"
    conversations: int
    turns: int  # turns completed
    errors: int  # non-2xx, WS errors, timeouts, wrong replies
    seconds: float  # wall time of the measured phase
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    turns_per_s: float
    rss_bytes_per_conversation: float  # serve process RSS growth per active conversation
    # What else was measured (see the module docstring).
    think_s: tuple[float, float] = DEFAULT_THINK_S
    turns_per_conversation: int = 0
    workers: int = 1  # serving processes (the histogram figures add up all of theirs)
    error_kinds: dict[str, int] = field(default_factory=dict)
    ws_p50_ms: float = 0.0
    ws_p99_ms: float = 0.0
    healthz_p99_ms: float = 0.0
    client_lag_p99_ms: float = 0.0
    server_turn_p50_ms: float = 0.0
    server_turn_p99_ms: float = 0.0
    server_turns: int = 0  # turns the serving processes' histograms saw during the run
    client_cpu: float = 0.0  # CPU seconds per wall second (1.0 = one core busy)
    server_cpu: float = 0.0
    redis_cpu: float = 0.0
    other_cpu: float = 0.0  # the rest of the machine: anything else running skews the figures
    steal_cpu: float = 0.0  # cores' worth of time the hypervisor ran other machines instead
    machine_lag_p99_ms: float = 0.0  # how late an idle process woke (bench.sleeper): the floor
    cores: int = 0
    server_cpu_ms_per_turn: float = 0.0
    open_seconds: float = 0.0  # opening all conversations (not measured as turns)
    rss_baseline_bytes: int = 0
    rss_end_bytes: int = 0
    rss_open_bytes_per_conversation: float = 0.0

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["think_s"] = list(self.think_s)
        data["warnings"] = [w.strip().removeprefix("WARNING: ") for w in self.warnings()]
        return data

    def summary(self) -> str:
        """A few human-readable lines."""
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.error_kinds.items())) or "none"
        lo, hi = self.think_s
        return "\n".join(
            [
                f"lossline serve ({self.backend}"
                + (f", {self.workers} workers" if self.workers > 1 else "")
                + f"), {self.conversations} concurrent conversations "
                f"x {self.turns_per_conversation} turns, think {lo:g}-{hi:g} s",
                f"  turns {self.turns} in {self.seconds:.1f} s = {self.turns_per_s:.0f} turns/s; "
                f"errors {self.errors} ({kinds})",
                f"  per turn (POST until its 200): p50 {self.p50_ms:.1f} ms  p95 {self.p95_ms:.1f} ms  "
                f"p99 {self.p99_ms:.1f} ms  max {self.max_ms:.1f} ms",
                f"  WebSocket reply after POST sent: p50 {self.ws_p50_ms:.1f} ms  "
                f"p99 {self.ws_p99_ms:.1f} ms",
                f"  server's own time per turn (histogram): p50 ~{self.server_turn_p50_ms:.1f} ms  "
                f"p99 ~{self.server_turn_p99_ms:.1f} ms; /healthz p99 {self.healthz_p99_ms:.1f} ms",
                f"  CPU (cores of {self.cores}): server {self.server_cpu:.2f} "
                f"({self.server_cpu_ms_per_turn:.1f} ms a turn)  client {self.client_cpu:.2f}  "
                f"redis {self.redis_cpu:.2f}  other processes {self.other_cpu:.2f}; "
                f"client loop lag p99 {self.client_lag_p99_ms:.1f} ms",
                f"  the machine: CPU steal {self.steal_cpu:.2f} cores; an idle process woke "
                f"{self.machine_lag_p99_ms:.1f} ms late (p99)",
                f"  memory: {self.rss_bytes_per_conversation / 1024:.1f} KiB RSS per active "
                f"conversation ({self.rss_open_bytes_per_conversation / 1024:.1f} KiB just opened; "
                f"{self.rss_baseline_bytes / 2**20:.0f} MiB after warm-up, "
                f"{self.rss_end_bytes / 2**20:.0f} MiB at the end)",
                f"  opening the conversations took {self.open_seconds:.1f} s (not measured as turns)",
                *self.warnings(),
            ]
        )

    def warnings(self) -> list[str]:
        """What makes these figures say less than they seem to."""
        said = []
        if self.other_cpu > BUSY_MACHINE_CORES:
            said.append(
                f"  WARNING: other processes used {self.other_cpu:.2f} cores meanwhile: the "
                "latencies are partly theirs; run again on a quiet machine"
            )
        if self.steal_cpu > STEAL_WARN_CORES or self.machine_lag_p99_ms > MACHINE_LAG_WARN_MS:
            said.append(
                f"  WARNING: the machine itself stalls: the hypervisor took {self.steal_cpu:.2f} "
                f"cores, and a process doing nothing woke {self.machine_lag_p99_ms:.0f} ms late "
                "(p99); every process here stalls alike, and a busy server then takes a while "
                "to catch up: a shared virtual machine, not only the server, is in the latencies"
            )
        if self.client_lag_p99_ms > CLIENT_LAG_WARN_MS:
            said.append(
                f"  WARNING: this client's own event loop ran {self.client_lag_p99_ms:.0f} ms late "
                "(p99): the client, not only the server, is in the latencies"
            )
        return said


# -- the script --------------------------------------------------------------------------


@dataclass(frozen=True)
class ScriptedTurn:
    body: dict[str, Any]  # the JSON of POST /messages, without message_id
    state: str  # the state the dialog is in after it
    replies: bool  # whether the dialog answers it


def scripted_turns(count: int, path: Path = P1_SCRIPT) -> list[ScriptedTurn]:
    """The first `count` messages of the victim's script (round again after 重新开始), each
    with the state that replaying them through the dialog here gives: what the server must
    answer."""
    from dialogs.conversation import start, step
    from dialogs.messages import Turn
    from dialogs.script import parse_script
    from rules.types import SHANGHAI

    now = datetime.now(SHANGHAI)
    lines = list(parse_script(path.read_text(encoding="utf-8").splitlines(), now))
    result = start("web", "zh-CN", now)
    turns: list[ScriptedTurn] = []
    round_ = 0
    while len(turns) < count:
        if round_:
            entries = [(RESTART, None, now), *((x.text, x.choice, x.sent_at) for x in lines)]
        else:
            entries = [(x.text, x.choice, x.sent_at) for x in lines]
        for text, choice, sent_at in entries:
            if len(turns) == count:
                break
            result = step(result.state, Turn(text=text, choice=choice, sent_at=sent_at))
            body: dict[str, Any] = {"text": text} if text is not None else {"choice": choice}
            if sent_at is not now:
                body["sent_at"] = sent_at.isoformat()
            turns.append(ScriptedTurn(body, result.state_name, bool(result.replies)))
        round_ += 1
    return turns


# -- measuring ---------------------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    """VmRSS of a process, from /proc (0 when it cannot be read)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads), from /proc/<pid>/stat."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> tuple[float, float]:
    """CPU seconds all cores spent busy (not idle, not waiting on I/O), and those of them
    stolen: the hypervisor running another virtual machine on our cores, from /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return 0.0, 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in first[1:9])
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq + steal) / tick, steal / tick


async def start_sleeper() -> asyncio.subprocess.Process:
    """bench.sleeper in a process of its own: it stops, and reports, when its stdin closes."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.sleeper",
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )


async def sleeper_result(sleeper: asyncio.subprocess.Process) -> dict[str, float]:
    out, _ = await sleeper.communicate(b"")  # closes its stdin: it stops and prints
    result: dict[str, float] = json.loads(out) if sleeper.returncode == 0 and out else {}
    return result


_BUCKET = re.compile(r'^lossline_turn_seconds_bucket\{le="([^"]+)"\} ([0-9.e+]+)$', re.M)


Histogram = list[tuple[float, float]]  # (upper bound in seconds, cumulative count)


def turn_histogram(metrics_text: str) -> Histogram:
    """lossline_turn_seconds, bucket by bucket."""
    return [(float(le), float(n)) for le, n in _BUCKET.findall(metrics_text)]


def histogram_quantile(before: Histogram, after: Histogram, q: float) -> float:
    """The q-quantile (0..1), in ms, of what was observed between two scrapes, interpolated
    linearly within its bucket as Prometheus does."""
    start = dict(before)
    counts = [(le, n - start.get(le, 0.0)) for le, n in after]
    if not counts or counts[-1][1] <= 0:
        return 0.0
    target = q * counts[-1][1]
    lower, below = 0.0, 0.0
    for le, cumulative in counts:
        if cumulative >= target:
            if le == float("inf"):
                return lower * 1000
            inside = cumulative - below
            fraction = (target - below) / inside if inside else 1.0
            return (lower + (le - lower) * fraction) * 1000
        lower, below = le, cumulative
    return lower * 1000


# -- processes ---------------------------------------------------------------------------


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def pids(self) -> list[int]:
        """The serving process and its descendants (uvicorn's workers with --workers)."""
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for children in Path(f"/proc/{pid}/task").glob("*/children"):
                try:
                    todo += [int(child) for child in children.read_text().split()]
                except OSError:
                    pass  # the thread or process ended meanwhile
        return found

    def rss(self) -> int:
        return sum(rss_bytes(pid) for pid in self.pids())

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids())


@contextlib.asynccontextmanager
async def serve(directory: Path, redis_url: str | None, workers: int = 1) -> AsyncIterator[Server]:
    """`lossline serve` in its own process, or `workers` of them (starting: see `_healthy`);
    stopped on exit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOSSLINE_")}
    env |= {
        "LOSSLINE_DATA_DIR": str(directory / "data"),
        "LOSSLINE_HOST": "127.0.0.1",
        "LOSSLINE_PORT": str(port),
        "LOSSLINE_RATE_PER_ADDRESS": "100000000",
        "LOSSLINE_RATE_PER_CONVERSATION": "100000",
        "LOSSLINE_WORKERS": str(workers),
    }
    if redis_url:
        env["LOSSLINE_REDIS_URL"] = redis_url
    log = directory / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"],
            cwd=directory,  # not ours: no .env of the caller's is read
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        yield server
    finally:
        await asyncio.to_thread(_stop, process)


async def _healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"lossline serve exited:\n{_tail(server.log)}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(f"{server.base}/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.05)
    raise RuntimeError(f"lossline serve not healthy within {STARTUP_TIMEOUT_S:.0f} s")


# -- the client --------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds, per completed turn
    ws_latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


class Conversation:
    """One simulated victim: the conversation, its WebSocket, the replies pushed on it."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base
        self.id = ""
        self.headers: dict[str, str] = {}
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.pushed: asyncio.Queue[float] = asyncio.Queue()  # arrival times of "reply" events
        self.reader: asyncio.Task[None] | None = None
        self.closed_early = False

    async def open(self) -> str | None:
        """Start the conversation and open its WebSocket; the error kind, or None."""
        try:
            async with self.session.post(
                f"{self.base}/api/conversations", json={"channel": "web", "locale": "zh-CN"}
            ) as response:
                if response.status != 201:
                    return f"open_http_{response.status}"
                data = await response.json()
            self.id = data["id"]
            self.headers = {"Authorization": f"Bearer {data['token']}"}
            url = f"{self.base}/api/conversations/{self.id}/ws?token={data['token']}"
            self.ws = await self.session.ws_connect(url, autoping=True, heartbeat=None, compress=15)
        except (aiohttp.ClientError, OSError, TimeoutError, KeyError, ValueError):
            return "open_failed"
        self.reader = asyncio.create_task(self._read(self.ws))
        return None

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            if '"reply"' in message.data and json.loads(message.data).get("type") == "reply":
                self.pushed.put_nowait(time.perf_counter())
        self.closed_early = True

    async def turn(self, scripted: ScriptedTurn, tally: Tally) -> bool:
        """One message, and its answer checked; what it took goes into `tally`. False when
        the conversation cannot go on (no answer, or not the one the script expects)."""
        body = {**scripted.body, "message_id": uuid.uuid4().hex}
        url = f"{self.base}/api/conversations/{self.id}/messages"
        while not self.pushed.empty():  # nothing stale is taken for this turn's reply
            self.pushed.get_nowait()
        sent = time.perf_counter()
        try:
            async with self.session.post(
                url, json=body, headers=self.headers, timeout=aiohttp.ClientTimeout(TURN_TIMEOUT_S)
            ) as response:
                raw = await response.read()
                status = response.status
            data = json.loads(raw) if status == 200 else None
        except TimeoutError:
            tally.errors["timeout"] += 1
            return False
        except (aiohttp.ClientError, OSError, ValueError) as error:
            tally.errors[f"transport_{type(error).__name__}"] += 1
            return False
        took = time.perf_counter() - sent
        if data is None:
            tally.errors[f"http_{status}"] += 1
            return False
        tally.latencies.append(took)
        if data.get("state") != scripted.state or bool(data.get("replies")) != scripted.replies:
            tally.errors["wrong_reply"] += 1
            return False
        try:
            arrived = await asyncio.wait_for(self.pushed.get(), WS_REPLY_TIMEOUT_S)
        except TimeoutError:
            tally.errors["ws_closed" if self.closed_early else "ws_no_reply"] += 1
            return True
        tally.ws_latencies.append(arrived - sent)
        return True

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader


async def talk(
    conversation: Conversation,
    turns: list[ScriptedTurn],
    think_s: tuple[float, float],
    rng: random.Random,
    tally: Tally,
) -> None:
    await asyncio.sleep(rng.uniform(0, sum(think_s) / 2))
    for i, scripted in enumerate(turns):
        if i:
            await asyncio.sleep(rng.uniform(*think_s))
        if not await conversation.turn(scripted, tally):
            return  # its state is unknown now: the rest of its script would be wrong


async def _lag_probe(lags: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(LAG_PROBE_S)
        lags.append(time.perf_counter() - before - LAG_PROBE_S)


async def _healthz_probe(
    session: aiohttp.ClientSession, base: str, took: list[float], stop: asyncio.Event
) -> None:
    while not stop.is_set():
        sent = time.perf_counter()
        with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError):
            async with session.get(f"{base}/healthz") as response:
                await response.read()
                if response.status == 200:
                    took.append(time.perf_counter() - sent)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), HEALTHZ_EVERY_S)


_PID = re.compile(r'^lossline_process_info\{pid="(\d+)"\} ', re.M)


async def _metrics(base: str, workers: int) -> dict[str, Histogram]:
    """The turn histogram of each serving process, by pid. With several workers a scrape
    reaches one of them: scrape on fresh connections until each has answered."""
    seen: dict[str, Histogram] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
        for _ in range(20 * workers):
            try:
                async with session.get(f"{base}/metrics") as response:
                    text = await response.text()
            except (aiohttp.ClientError, OSError, TimeoutError):
                continue
            pid = _PID.search(text)
            seen[pid.group(1) if pid else "?"] = turn_histogram(text)
            if len(seen) >= workers:
                break
    return seen


def _merged(histograms: dict[str, Histogram], pids: Iterable[str]) -> Histogram:
    """The processes' histograms added up, bucket by bucket (those named; absent ones: 0)."""
    total: dict[float, float] = {}
    for pid in pids:
        for le, n in histograms.get(pid, []):
            total[le] = total.get(le, 0.0) + n
    return sorted(total.items())


async def _redis_cpu(redis_url: str | None) -> float:
    if not redis_url:
        return 0.0
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    try:
        info = await client.info("cpu")
        return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])
    except Exception:  # only a figure in the report
        return 0.0
    finally:
        await client.aclose()


async def _warm_up(
    session: aiohttp.ClientSession, base: str, turns: list[ScriptedTurn], tally: Tally, count: int
) -> None:
    """A few conversations through the whole script: imports, caches, first pages. Their
    errors count (as warmup_*), their latencies do not."""
    for _ in range(count):
        conversation = Conversation(session, base)
        if await conversation.open() is None:
            for scripted in turns:
                if not await conversation.turn(scripted, tally):
                    break
        await conversation.close()


@contextlib.contextmanager
def _heap_frozen() -> Iterator[None]:
    """This client's 1,000 open conversations, out of its own garbage collector's sight while
    it measures: each full collection over them stopped the client 50-150 ms on a 2-core
    machine, and every turn in flight then looked that much slower than the server made it."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


async def run_load(
    conversations: int = 1000,
    turns_per_conversation: int = 10,
    backend: str = "sqlite",
    redis_url: str | None = None,
    think_s: tuple[float, float] = DEFAULT_THINK_S,
    seed: int = 0,
    workers: int = 1,
) -> LoadResult:
    """Start `lossline serve` (with `workers` processes: Redis only), open `conversations`
    conversations, let them all talk at once, and measure (see the module docstring)."""
    if backend not in ("sqlite", "redis"):
        raise ValueError(f"backend must be sqlite or redis, not {backend!r}")
    if workers < 1 or (workers > 1 and backend != "redis"):
        raise ValueError(f"workers must be 1, or more on redis; not {workers} on {backend}")
    if conversations < 1 or turns_per_conversation < 1:
        raise ValueError("need at least one conversation and one turn")
    lo, hi = think_s
    if not 0 <= lo <= hi:
        raise ValueError(f"think_s must be (low, high) with 0 <= low <= high, not {think_s}")
    if backend == "sqlite":
        redis_url = None
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="lossline-load-") as tmp:
        directory = Path(tmp)
        redis: RedisServer | None = None
        if backend == "redis" and redis_url is None:
            redis = RedisServer(directory / "redis", PRODUCTION)
            redis.start()
            redis_url = redis.url
        try:
            async with serve(directory, redis_url, workers) as server:
                # The script's replies are worked out here while the server starts.
                length = _script_length()
                script = scripted_turns(max(length, turns_per_conversation))
                await _healthy(server)
                result = await _measure(
                    server,
                    conversations,
                    script[:turns_per_conversation],
                    script[:length],
                    think_s,
                    rng,
                    backend,
                    redis_url,
                    workers,
                )
                result = replace(result, workers=workers)
        finally:
            if redis is not None:
                redis.stop()
    return result


async def run_load_apart(
    conversations: int,
    turns_per_conversation: int,
    backend: str,
    redis_url: str | None,
    think_s: tuple[float, float],
    workers: int = 1,
) -> dict[str, Any]:
    """`run_load` in a fresh Python process (`python -m bench.load --json`), its result as a
    dict. For callers that have run other benchmarks first: a client process full of their
    objects pauses for its own garbage collections mid-run, and those pauses landed in the
    measured latencies (p99 33 ms inside `lossline bench` against 15 ms on its own)."""
    command = [
        sys.executable,
        "-m",
        "bench.load",
        "--json",
        f"--conversations={conversations}",
        f"--turns={turns_per_conversation}",
        f"--backend={backend}",
        f"--workers={workers}",
        "--think",
        str(think_s[0]),
        str(think_s[1]),
    ]
    if redis_url is not None:
        command.append(f"--redis-url={redis_url}")
    child = await asyncio.create_subprocess_exec(
        *command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    out, err = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"bench.load failed ({child.returncode}): {err.decode(errors='replace')[-2000:]}")
    result: dict[str, Any] = json.loads(out)
    return result


def _script_length() -> int:
    from dialogs.script import parse_script

    lines = P1_SCRIPT.read_text(encoding="utf-8").splitlines()
    return sum(1 for _ in parse_script(lines, datetime.now()))


async def _measure(
    server: Server,
    count: int,
    turns: list[ScriptedTurn],
    full_script: list[ScriptedTurn],
    think_s: tuple[float, float],
    rng: random.Random,
    backend: str,
    redis_url: str | None,
    workers: int = 1,
) -> LoadResult:
    connector = aiohttp.TCPConnector(limit=count + 16, keepalive_timeout=3.0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        warm = Tally()
        # Fewer for a small run: a smoke test has no memory figure to get right.
        await _warm_up(session, server.base, full_script, warm, min(WARMUP_CONVERSATIONS, 1 + count // 100))
        await asyncio.sleep(SETTLE_S)
        rss_baseline = server.rss()

        tally = Tally()
        tally.errors.update({f"warmup_{kind}": n for kind, n in warm.errors.items()})
        opened_at = time.perf_counter()
        gate = asyncio.Semaphore(OPEN_CONCURRENCY)
        all_conversations = [Conversation(session, server.base) for _ in range(count)]

        async def open_one(conversation: Conversation) -> bool:
            async with gate:
                error = await conversation.open()
            if error:
                tally.errors[error] += 1
            return error is None

        opened = await asyncio.gather(*(open_one(c) for c in all_conversations))
        live = [c for c, ok in zip(all_conversations, opened, strict=True) if ok]
        open_seconds = time.perf_counter() - opened_at
        await asyncio.sleep(SETTLE_S)
        rss_open = server.rss()

        stop = asyncio.Event()
        lags: list[float] = []
        healthz: list[float] = []
        probes = [
            asyncio.create_task(_lag_probe(lags, stop)),
            asyncio.create_task(_healthz_probe(session, server.base, healthz, stop)),
        ]
        histogram_before = await _metrics(server.base, workers)
        redis_before = await _redis_cpu(redis_url)
        server_before = server.cpu()
        client_before = time.process_time()
        sleeper = await start_sleeper()
        machine_before, steal_before = machine_cpu_seconds()
        started = time.perf_counter()
        with _heap_frozen():
            await asyncio.gather(*(talk(c, turns, think_s, rng, tally) for c in live))
        seconds = time.perf_counter() - started
        machine_after, steal_after = machine_cpu_seconds()
        machine_cpu = (machine_after - machine_before) / seconds
        steal_cpu = (steal_after - steal_before) / seconds
        machine_lag = await sleeper_result(sleeper)
        client_cpu = (time.process_time() - client_before) / seconds
        server_cpu = (server.cpu() - server_before) / seconds
        redis_cpu = (await _redis_cpu(redis_url) - redis_before) / seconds
        stop.set()
        await asyncio.gather(*probes)
        histogram_after = await _metrics(server.base, workers)
        serving = list(histogram_after)  # a process first seen after: all its turns are the run's
        turn_before, turn_after = _merged(histogram_before, serving), _merged(histogram_after, serving)
        rss_end = server.rss()
        for conversation in all_conversations:  # the sockets a dead server closed early
            if conversation.closed_early:
                tally.errors["ws_closed_early"] += 1
        await asyncio.gather(*(c.close() for c in all_conversations))

    ms = [x * 1000 for x in tally.latencies]
    ws_ms = [x * 1000 for x in tally.ws_latencies]
    return LoadResult(
        backend=backend,
        conversations=count,
        turns=len(tally.latencies),
        errors=sum(tally.errors.values()),
        seconds=round(seconds, 3),
        p50_ms=round(percentile(ms, 50), 3),
        p95_ms=round(percentile(ms, 95), 3),
        p99_ms=round(percentile(ms, 99), 3),
        max_ms=round(max(ms, default=0.0), 3),
        turns_per_s=round(len(ms) / seconds, 1) if seconds else 0.0,
        rss_bytes_per_conversation=round((rss_end - rss_baseline) / count, 1),
        think_s=think_s,
        turns_per_conversation=len(turns),
        error_kinds=dict(tally.errors),
        ws_p50_ms=round(percentile(ws_ms, 50), 3),
        ws_p99_ms=round(percentile(ws_ms, 99), 3),
        healthz_p99_ms=round(percentile([x * 1000 for x in healthz], 99), 3),
        client_lag_p99_ms=round(percentile([x * 1000 for x in lags], 99), 3),
        server_turn_p50_ms=round(histogram_quantile(turn_before, turn_after, 0.5), 3),
        server_turn_p99_ms=round(histogram_quantile(turn_before, turn_after, 0.99), 3),
        server_turns=int((turn_after or [(0, 0.0)])[-1][1] - (turn_before or [(0, 0.0)])[-1][1]),
        client_cpu=round(client_cpu, 3),
        server_cpu=round(server_cpu, 3),
        redis_cpu=round(redis_cpu, 3),
        other_cpu=round(max(0.0, machine_cpu - steal_cpu - client_cpu - server_cpu - redis_cpu), 3),
        steal_cpu=round(steal_cpu, 3),
        machine_lag_p99_ms=machine_lag.get("p99_ms", 0.0),
        cores=os.cpu_count() or 0,
        server_cpu_ms_per_turn=round(server_cpu * seconds / len(ms) * 1000, 3) if ms else 0.0,
        open_seconds=round(open_seconds, 3),
        rss_baseline_bytes=rss_baseline,
        rss_end_bytes=rss_end,
        rss_open_bytes_per_conversation=round((rss_open - rss_baseline) / count, 1),
    )


# -- the command line --------------------------------------------------------------------


def run(**kwargs: Any) -> LoadResult:
    """run_load on a fresh event loop, uvloop's when installed (a lighter client)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(run_load(**kwargs))
    return uvloop.run(run_load(**kwargs))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=10, help="turns per conversation")
    parser.add_argument("--backend", choices=["sqlite", "redis"], default="sqlite")
    parser.add_argument("--redis-url", default=None, help="default: a redis-server started here")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=list(DEFAULT_THINK_S),
        metavar=("MIN", "MAX"),
        help="seconds a victim thinks between turns (uniform)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="serving processes (redis only)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = run(
        conversations=args.conversations,
        turns_per_conversation=args.turns,
        backend=args.backend,
        redis_url=args.redis_url,
        think_s=(args.think[0], args.think[1]),
        seed=args.seed,
        workers=args.workers,
    )
    print(json.dumps(result.as_dict(), indent=2) if args.json else result.summary())


if __name__ == "__main__":
    main()
