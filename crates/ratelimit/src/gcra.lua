-- One rate-limit decision (GCRA), atomic on the Redis server.
-- The same arithmetic as gcra.rs::step; keep the two in step.
--
-- KEYS[1]  the key: herald:rl:<limit name>:<key>, holding the TAT in µs
-- ARGV[1]  the emission interval in µs (per / burst, at least 1)
-- ARGV[2]  the burst
-- Returns {allowed (1 | 0), remaining, retry_after in µs}.
--
-- The server's TIME, not the caller's clock, is "now", so instances with
-- skewed clocks agree. Writing after TIME needs effect replication, the
-- default since Redis 5; asking for it keeps Redis 3.2 and 4 correct too.
if redis.replicate_commands then
  redis.replicate_commands()
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local window = interval * tonumber(ARGV[2])

local tat = tonumber(redis.call('GET', KEYS[1]) or now) or now
if tat < now then
  tat = now
end
local new_tat = tat + interval
local ahead = new_tat - now

if ahead > window then
  return {0, 0, ahead - window}
end

-- The key is worth keeping only until its TAT: after that it means the same
-- as no key. '%d' keeps all 16 digits (tostring would round to 14).
redis.call('SET', KEYS[1], string.format('%d', new_tat),
  'PX', string.format('%d', math.ceil(ahead / 1000)))
return {1, math.floor((window - ahead) / interval), 0}
