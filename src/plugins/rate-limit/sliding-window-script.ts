/**
 * The sliding-window log as one Redis script, so checking and counting are atomic across
 * instances: a sorted set per key, scored by request time.
 * KEYS[1] the key; ARGV: now (ms), window (ms), limit, a unique member for this request.
 * Returns { allowed (0|1), count, ms until the oldest counted request leaves the window }.
 */
export const SLIDING_WINDOW_SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  count = count + 1
  allowed = 1
end
redis.call('PEXPIRE', key, window)
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local reset = window
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
return { allowed, count, reset }
`
