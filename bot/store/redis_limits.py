"""Rate limits shared by every worker on one Redis: a token bucket per key in a small hash.

Per-process buckets would let each of N workers grant the whole rate, N times it in all, and
a password guesser would get N times the tries. Time is Redis's own (TIME), so workers on
machines whose clocks differ still agree. A bucket expires once it would be full again.
"""

from __future__ import annotations

from redis.asyncio import Redis

# KEYS: the bucket   ARGV: rate a second, burst. Returns the wait in seconds ('0': allowed),
# as a string: Redis would cut a Lua number to an integer.
TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local bucket = redis.call('HMGET', KEYS[1], 'k', 's')
local tokens = tonumber(bucket[1]) or burst
local stamp = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'k', string.format('%.6f', tokens), 's', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return string.format('%.6f', wait)
"""


class RedisRateLimiter:
    def __init__(self, client: Redis, name: str, rate: float, burst: int) -> None:
        self.prefix = f"ll:rate:{name}:"
        self.rate = rate
        self.burst = burst
        self._take = client.register_script(TAKE)

    async def wait(self, key: str) -> float:
        return float(await self._take(keys=[self.prefix + key], args=[self.rate, self.burst]))
