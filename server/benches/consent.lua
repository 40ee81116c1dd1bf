-- wrk script for POST /api/consent: every request is a new consent event with its own
-- Idempotency-Key and consent id, so each one is a real insert (no replays).
--   wrk -t2 -c16 -d10s --latency -s server/benches/consent.lua http://127.0.0.1:PORT
local threads = 0

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

function init(args)
  counter = 0
end

function request()
  counter = counter + 1
  local id = string.format("%08x%024x", thread_id, counter)
  local body = '{"consent_id":"' .. id .. '","seq":1,"revision":"2026-11-01",' ..
    '"action":"accept_all","categories":{"necessary":true,"analytics":true},' ..
    '"services":{"google-analytics":true},"timestamp":"2026-11-26T12:00:00.000Z","language":"nb"}'
  return wrk.format("POST", "/api/consent", {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "load-" .. id,
  }, body)
end

local failures = 0
function response(status, headers, body)
  if status ~= 201 then
    failures = failures + 1
    if failures <= 3 then
      io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
    end
  end
end
