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

function init(args)
  n = offset or 0
end

request = function()
  n = n + 1
  local body = '{"direction":"in","qr":"' .. qr[(n % #qr) + 1] .. '"}'
  return wrk.format("POST", "/api/gate/v1/check", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }, body)
end

done = function(summary, latency, requests)
  io.write(string.format('{"requests":%d,"seconds":%.3f,"non2xx":%d,"errors":%d,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
