/*
 * The Lua scripts of the Redis store: each one atomic step on ONE key, given as KEYS[1] (no key
 * is computed inside a script, none is published from one), so that every script runs on a
 * Redis Cluster and on a cluster behind a proxy.
 */

/**
 * Fenced write (compare-and-set on the record's generation), in the very format Keyv reads
 * (`{"value": <record JSON>, "expires": ms}`). The backend publishes the change itself once
 * this returned 1.
 * KEYS[1] token key; ARGV: expected generation ('' = nothing stored), Keyv payload, TTL ms.
 */
export const FENCED_WRITE = `
local current = redis.call('GET', KEYS[1])
if current then
  local generation = -1
  local ok, envelope = pcall(cjson.decode, current)
  if ok and type(envelope) == 'table' and type(envelope.value) == 'string' then
    local ok2, record = pcall(cjson.decode, envelope.value)
    if ok2 and type(record) == 'table' and tonumber(record.generation) then
      generation = tonumber(record.generation)
    end
  end
  if ARGV[1] == '' or tonumber(ARGV[1]) ~= generation then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

/** Extends the lock only if this owner still holds it. */
export const EXTEND_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Adds to a counter and, the first time, sets when it lapses. KEYS[1]; ARGV: amount, TTL ms. */
export const ADD_TO_COUNTER = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`;

/** Deletes the lock only if this owner still holds it. */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
