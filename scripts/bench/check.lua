-- wrk: POST /api/gate/v1/check, each request a different pass's QR (about
-- a day's worth of passes valid now; one in ten single use, spent once).
local qr = {}
for line in io.lines(os.getenv("QR_FILE")) do qr[#qr + 1] = line end
local key = os.getenv("DEVICE_KEY")
local threads = {}
local n = 0

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

-- Every request is formatted once, up front: the load generator shares the
-- server's two cores, so its own work per request is kept to a table read.
local requests = {}

function init(args)
  n = offset or 0
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }
  for i = 1, #qr do
    requests[i] = wrk.format("POST", "/api/gate/v1/check", headers, '{"direction":"in","qr":"' .. qr[i] .. '"}')
  end
end

request = function()
  n = n + 1
  return requests[(n % #requests) + 1]
end

dofile("scripts/bench/summary.lua")
