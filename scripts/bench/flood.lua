-- wrk: an SMS flood, POST /api/fn/request_sms_code from many claimed
-- addresses (a random X-Forwarded-For each, as a botnet behind the campus
-- proxy would look) for random mobiles. Each connection waits DELAY_MS
-- between requests, so CONNECTIONS / DELAY_MS * 1000 is the offered rate
-- while answers are quick (200 connections, 90 ms: about 2,200 a second).
local delay_ms = tonumber(os.getenv("DELAY_MS") or "10")
local base = os.getenv("ORIGIN")
math.randomseed(os.time())

request = function()
  local ip = string.format("%d.%d.%d.%d", math.random(1, 223), math.random(0, 255), math.random(0, 255), math.random(1, 254))
  local phone = string.format("139%08d", math.random(0, 99999999))
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["X-Forwarded-For"] = ip, ["Origin"] = base }
  return wrk.format("POST", "/api/fn/request_sms_code", headers, "phone=" .. phone)
end

delay = function()
  return delay_ms
end

dofile("scripts/bench/summary.lua")
