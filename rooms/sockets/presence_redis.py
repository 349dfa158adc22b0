"""Who is here, in Redis, with expiry: the store for several processes (DESIGN.md §8; rooms/sockets/presence.py).

Each room has four keys, all renewed together and dropped by Redis a while
after the last process with sockets there stopped renewing them:

- `tabs`: a sorted set of "user:process" (a person with sockets in a room, in
  one process), scored by the moment it expires. Its process renews it with
  every heartbeat; a process that died stops, and the entry expires;
- `holders`: per person, how many processes hold them there;
- `people`: per person present, their list item, after the stamp of their coming;
- `stamp`: the room's latest presence stamp.

One Lua script changes them atomically: it first removes what has expired
(whoever runs it, so any surviving process notices a dead one's entries), then
does its own change, and says who came and who went, each with a stamp and the
count after it. Times are Redis's own (TIME), so the hosts' clocks need not agree,
and stamps keep growing after Redis forgets a room.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

import redis
import redis.asyncio
from django.conf import settings

from rooms.sockets.presence import Arrive, Beat, Change, Depart, Op, Outcome, Snapshot

CHANGE_SCRIPT = """
local tabs, holders, people, stamp_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local op, ttl, keep, process = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local time = redis.call('TIME')
local clock = tonumber(time[1]) * 1000000 + tonumber(time[2])
local now = math.floor(clock / 1000)
local deadline = string.format('%d', now + ttl)
local stamp = tonumber(redis.call('GET', stamp_key) or '0')
local result = {0}

local function note(uid, here)
  stamp = math.max(stamp + 1, clock)
  local text = string.format('%d', stamp)
  table.insert(result, uid)
  table.insert(result, here)
  table.insert(result, text)
  table.insert(result, 0)
  return text, #result
end

local function counted(position)
  result[position] = redis.call('HLEN', people)
end

local function let_go(member)
  local uid = string.match(member, '^(%d+):')
  if redis.call('HINCRBY', holders, uid, -1) <= 0 then
    redis.call('HDEL', holders, uid)
    redis.call('HDEL', people, uid)
    local _, position = note(uid, 0)
    counted(position)
  end
end

for _, member in ipairs(redis.call('ZRANGEBYSCORE', tabs, '-inf', now)) do
  redis.call('ZREM', tabs, member)
  let_go(member)
end

if op == 'arrive' then
  local uid, item = ARGV[5], ARGV[6]
  if redis.call('ZADD', tabs, deadline, uid .. ':' .. process) == 1 then
    if redis.call('HINCRBY', holders, uid, 1) == 1 then
      local text, position = note(uid, 1)
      redis.call('HSET', people, uid, text .. ' ' .. item)
      counted(position)
    end
  end
elseif op == 'depart' then
  local member = ARGV[5] .. ':' .. process
  if redis.call('ZREM', tabs, member) == 1 then
    let_go(member)
  end
elseif op == 'beat' then
  local missing = {}
  for i = 5, #ARGV do
    local member = ARGV[i] .. ':' .. process
    if redis.call('ZADD', tabs, 'XX', 'CH', deadline, member) == 0 and not redis.call('ZSCORE', tabs, member) then
      table.insert(missing, ARGV[i])
    end
  end
  -- Those this process holds that Redis no longer has (it restarted, or lost them): first in the answer.
  result[1] = #missing
  for i = #missing, 1, -1 do
    table.insert(result, 2, missing[i])
  end
end

redis.call('SET', stamp_key, string.format('%d', stamp), 'PX', keep)
redis.call('PEXPIRE', tabs, keep)
redis.call('PEXPIRE', holders, keep)
redis.call('PEXPIRE', people, keep)
return result
"""


# The list and its stamp, read together.
SNAPSHOT_SCRIPT = "return {redis.call('GET', KEYS[2]) or '0', redis.call('HVALS', KEYS[1])}"


def room_keys(room_id: int) -> list[str]:
    # One hash tag per room: the four keys stay together should the Redis ever be a cluster.
    base = f"{settings.REDIS_KEY_PREFIX}:presence:{{{room_id}}}"
    return [f"{base}:tabs", f"{base}:holders", f"{base}:people", f"{base}:stamp"]


def read_snapshot(answer: list[Any]) -> Snapshot:
    stamp, values = answer
    arrived = sorted((int(came), item.decode()) for came, item in (value.split(b" ", 1) for value in values))
    return Snapshot(stamp=int(stamp), items=[item for _came, item in arrived])


class RedisPresence:
    """The store for one event loop's process: async calls, and one sync read for pages."""

    def __init__(self, url: str, *, process: str, ttl: float, keep: float) -> None:
        self.client = redis.asyncio.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.script = self.client.register_script(CHANGE_SCRIPT)
        self.snapshot_script = self.client.register_script(SNAPSHOT_SCRIPT)
        self.process = process
        self.ttl_ms = int(ttl * 1000)
        self.keep_ms = int(keep * 1000)

    async def apply(self, ops: Sequence[Op]) -> list[Outcome]:
        """Run each op, in order, in one round trip."""
        pipe = self.client.pipeline(transaction=False)
        for op in ops:
            await self.script(keys=room_keys(op.room_id), args=self._args(op), client=pipe)  # queued
        answers = await pipe.execute()
        return [self._outcome(op, answer) for op, answer in zip(ops, answers, strict=True)]

    def _args(self, op: Op) -> list[Any]:
        common = [self.ttl_ms, self.keep_ms, self.process]
        match op:
            case Arrive(user_id=user_id, item=item):
                return ["arrive", *common, user_id, item]
            case Depart(user_id=user_id):
                return ["depart", *common, user_id]
            case Beat(user_ids=user_ids):
                return ["beat", *common, *user_ids]
        raise TypeError(op)

    @staticmethod
    def _outcome(op: Op, answer: list[Any]) -> Outcome:
        missing_count = int(answer[0])
        missing = [int(uid) for uid in answer[1 : 1 + missing_count]]
        rest = answer[1 + missing_count :]
        changes = []
        for start in range(0, len(rest), 4):
            uid, here, stamp, count = (int(value) for value in rest[start : start + 4])
            item = op.item if isinstance(op, Arrive) and here else ""
            changes.append(Change(op.room_id, uid, bool(here), stamp, count, item))
        return Outcome(changes=changes, missing=missing)

    async def snapshot(self, room_id: int) -> Snapshot:
        _tabs, _holders, people, stamp = room_keys(room_id)
        return read_snapshot(await self.snapshot_script(keys=[people, stamp]))

    async def close(self) -> None:
        await self.client.aclose()


def snapshot_now(url: str, room_id: int) -> Snapshot:
    """The room's list as it is now, from a thread (a page being rendered)."""
    _tabs, _holders, people, stamp = room_keys(room_id)
    return read_snapshot(sync_snapshot_script(url)(keys=[people, stamp]))


@cache
def sync_snapshot_script(url: str) -> Any:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).register_script(SNAPSHOT_SCRIPT)
