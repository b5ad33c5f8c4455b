-- wrk script for the signups bench (bench/signups.ts): POST /api/newsletter/subscribe, each request
-- from its own client address and, 30% of the time, for an address this thread already sent.
-- Args (after --): run id, share of repeats, first client-address index (so a warm-up and the
-- measured run never share an address).
--
-- Each request carries an X-Request-Id, which the app's route and the floor echo, so a response
-- is matched to its address although one thread's 25 connections answer in any order. done()
-- prints one JSON line: statuses, and per address what the rate limits must have done.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  threads[#threads + 1] = thread
end

-- Per thread (wrk runs each thread in its own Lua state).
local run_id, repeat_share, ip_base, thread_count
local n = 0
local sent = {}       -- addresses this thread sent, in order
local inflight = {}   -- request id -> { address, attempt }
-- Exported to done(): plain numbers and tables of numbers.
statuses = {}
attempts = {}         -- address -> requests sent
answered = {}         -- address -> answered requests
ok = {}               -- address -> 200 answers
limited = {}          -- address -> 429 answers
new_addresses = 0

function init(args)
  run_id = args[1]
  repeat_share = tonumber(args[2])
  ip_base = tonumber(args[3])
  thread_count = tonumber(args[4])
  math.randomseed(1000 + tid)
end

-- 198.18.0.0/15 (RFC 2544, reserved for benchmarks): 131,072 addresses, only ever header values.
local function client_ip(i)
  i = i % 131072
  return string.format("198.%d.%d.%d", 18 + math.floor(i / 65536), math.floor(i / 256) % 256, i % 256)
end

function request()
  n = n + 1
  local email
  if #sent > 0 and math.random() < repeat_share then
    email = sent[math.random(#sent)]
  else
    email = string.format("reader-%s-%d-%d@example.com", run_id, tid, n)
    sent[#sent + 1] = email
    new_addresses = new_addresses + 1
  end
  attempts[email] = (attempts[email] or 0) + 1
  local id = string.format("bench-%d-%d", tid, n)
  inflight[id] = email
  return wrk.format("POST", "/api/newsletter/subscribe", {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
    ["X-Forwarded-For"] = client_ip(ip_base + (n - 1) * thread_count + tid),
    ["X-Request-Id"] = id,
  }, string.format('{"email":"%s","source":"bench"}', email))
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  local id = headers["x-request-id"] or headers["X-Request-Id"]
  local email = id and inflight[id]
  if not email then return end
  inflight[id] = nil
  answered[email] = (answered[email] or 0) + 1
  if status == 200 then ok[email] = (ok[email] or 0) + 1 end
  if status == 429 then limited[email] = (limited[email] or 0) + 1 end
end

function done(summary, latency, requests)
  local total = { statuses = {}, new_addresses = 0, accepted = 0, unmatched = 0 }
  -- The per-inbox limit is 3 per hour: an address all of whose requests were answered must have
  -- exactly min(3, sent) 200s and the rest 429s. Addresses with a request still in flight when
  -- the load stopped are left out (that request may or may not have been counted).
  local checked, violations, limited_total = 0, 0, 0
  local samples = {}    -- the first few addresses off the limit: sent / 200s / 429s (the rest of answered were other statuses)
  local matched = 0
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("statuses")) do total.statuses[k] = (total.statuses[k] or 0) + v end
    total.new_addresses = total.new_addresses + thread:get("new_addresses")
    local sent_by = thread:get("attempts")
    local answered_by, ok_by, limited_by = thread:get("answered"), thread:get("ok"), thread:get("limited")
    for email, sent_count in pairs(sent_by) do
      local a, o, l = answered_by[email] or 0, ok_by[email] or 0, limited_by[email] or 0
      matched = matched + a
      limited_total = limited_total + l
      if o > 0 then total.accepted = total.accepted + 1 end
      if a == sent_count then
        checked = checked + 1
        if o ~= math.min(3, sent_count) or l ~= sent_count - o then
          violations = violations + 1
          if #samples < 5 then samples[#samples + 1] = string.format('"sent %d, 200 x%d, 429 x%d"', sent_count, o, l) end
        end
      end
    end
  end
  local answers = 0
  for _, v in pairs(total.statuses) do answers = answers + v end
  total.unmatched = answers - matched
  local parts = {}
  for k, v in pairs(total.statuses) do parts[#parts + 1] = string.format('"%s":%d', k, v) end
  io.write(string.format(
    '{"statuses":{%s},"newAddresses":%d,"accepted":%d,"unmatched":%d,"limitChecked":%d,"limitViolations":%d,"limited":%d,"violationSamples":[%s]}\n',
    table.concat(parts, ","), total.new_addresses, total.accepted, total.unmatched, checked, violations, limited_total, table.concat(samples, ",")))
end
