"""Lua scripts of the Redis store. Each touches only keys of one conversation, all under the
same `{conversation id}` hash tag, so each runs atomically on one node, in a cluster too.

Conversation keys: c (hash: the record), t (list: transcript), m (hash: message id → result),
o (list: message ids, newest first, to bound m), e (list: evidence metadata).
An empty string as a field value deletes that field.
"""

from __future__ import annotations

# KEYS: c, t   ARGV: ttl seconds (0: none), pub/sub channel ('' none) and message to publish,
#                    n, field1, value1, …, fieldn, valuen, entries…
CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local n = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], unpack(ARGV, 5, 4 + 2 * n))
if #ARGV > 4 + 2 * n then redis.call('RPUSH', KEYS[2], unpack(ARGV, 5 + 2 * n)) end
if ARGV[1] ~= '0' then
  for k = 1, #KEYS do redis.call('EXPIRE', KEYS[k], ARGV[1]) end
end
if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return 1
"""

# KEYS: c, t, m, o, e
# ARGV: expected version, message id ('' none), result, ids kept, ttl seconds,
#       message ids ttl seconds, what an applied commit answers with besides ('r': the
#       record, 't': the transcript, 'rt': both, '': neither),
#       pub/sub channel ('' none) and message to publish if applied,
#       n, field1, value1, …, entries…
# Returns {status, stored result or '', the record hash as a flat list}; an applied commit
# without 'r' returns {'applied', '', new version}: the caller has the rest; with 't', the
# transcript's entries follow as a fourth element.
COMMIT = """
local c = KEYS[1]
local head = redis.call('HMGET', c, 'v', 'ho')
if not head[1] then return {'missing'} end
local mid = ARGV[2]
if mid ~= '' then
  local stored = redis.call('HGET', KEYS[3], mid)
  if stored then return {'duplicate', stored, redis.call('HGETALL', c)} end
end
if head[1] ~= ARGV[1] then
  return {'conflict', '', redis.call('HGETALL', c)}
end
-- One HSET for the new version and every field set, one HDEL for those deleted.
local version = tostring(tonumber(head[1]) + 1)
local set, gone, h = {'v', version}, {}, head[2]
local i = 11
for _ = 1, tonumber(ARGV[10]) do
  if ARGV[i + 1] == '' then
    gone[#gone + 1] = ARGV[i]
  else
    set[#set + 1] = ARGV[i]
    set[#set + 1] = ARGV[i + 1]
  end
  if ARGV[i] == 'ho' then h = ARGV[i + 1] end
  i = i + 2
end
redis.call('HSET', c, unpack(set))
if #gone > 0 then redis.call('HDEL', c, unpack(gone)) end
if i <= #ARGV then redis.call('RPUSH', KEYS[2], unpack(ARGV, i)) end
if mid ~= '' then
  local kept = tonumber(ARGV[4])
  redis.call('HSET', KEYS[3], mid, ARGV[3])
  local n = redis.call('LPUSH', KEYS[4], mid)
  if n > kept then
    redis.call('HDEL', KEYS[3], unpack(redis.call('RPOP', KEYS[4], n - kept)))
  end
end
-- Same rule as ConversationRecord.keeps_forever: an open hand-off never expires.
local forever = h == 'queued' or h == 'claimed'
for _, k in ipairs({KEYS[1], KEYS[2], KEYS[5]}) do
  if forever then redis.call('PERSIST', k) else redis.call('EXPIRE', k, ARGV[5]) end
end
-- Message ids matter while clients may retry, not for the conversation's whole life.
redis.call('EXPIRE', KEYS[3], ARGV[6])
redis.call('EXPIRE', KEYS[4], ARGV[6])
-- The turn's live events leave with the commit: no second round trip, and none if not applied.
if ARGV[8] ~= '' then redis.call('PUBLISH', ARGV[8], ARGV[9]) end
local written = version
if string.find(ARGV[7], 'r', 1, true) then written = redis.call('HGETALL', c) end
if string.find(ARGV[7], 't', 1, true) then
  return {'applied', '', written, redis.call('LRANGE', KEYS[2], 0, -1)}
end
return {'applied', '', written}
"""

# KEYS: c, e   ARGV: evidence metadata. A new list takes the conversation's expiry.
ADD_EVIDENCE = """
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
"""

# KEYS: external key   ARGV: the stale conversation id it names, the new id, ttl (0: none).
# Replaces a mapping to a conversation that is gone, unless someone replaced it meanwhile.
REBIND = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '0' then
  redis.call('SET', KEYS[1], ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return 1
"""
