-- wrk: the 16:00 rush. Each request is a new visitor (its own session: the
-- applicant's mobile is claimed) applying for one person with a fresh,
-- valid resident ID number and mobile. Every other one is returning: an
-- ended application of theirs still holds the claim on their mobile.
local cookies = {}
for line in io.lines(os.getenv("SESSIONS_FILE")) do cookies[#cookies + 1] = line end
local f = io.open(os.getenv("FORM_FILE")):read("*a")
local host = f:match('"host_staff_id":"([^"]+)"')
local campus = f:match('"campus_id":"([^"]+)"')
local reason = f:match('"reason_id":"([^"]+)"')
local date = f:match('"date":"([^"]+)"')
local threads = {}
local n = 0
-- `tid` is a global that setup() sets in each thread's own state: a local
-- of that name here would hide it, and both threads would send the same
-- requests (half of them replays of the other's idempotency keys).

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local weights = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local checks = "10X98765432"

-- GB 11643: region, a real birth date, a sequence, the check character.
local function id_number(k)
  local birth = os.date("!%Y%m%d", os.time({ year = 1950, month = 1, day = 1, hour = 12 }) + math.floor(k / 1000) * 86400)
  local first17 = "110101" .. birth .. string.format("%03d", k % 1000)
  local sum = 0
  for i = 1, 17 do sum = sum + tonumber(first17:sub(i, i)) * weights[i] end
  local c = (sum % 11) + 1
  return first17 .. checks:sub(c, c)
end

-- The request of this thread's n-th application.
-- RUN (0, 1, 2) takes other people, sessions and keys, so a kept database
-- can take the rush again (by hand, for profiling) without replaying. A
-- thread's run has 25,000 sessions of its own (the generator makes
-- 150,000): a visitor whose session came round again would be refused
-- as a duplicate (their mobile is claimed by their first application).
local run = tonumber(os.getenv("RUN") or "0")
local function make(n)
  local k = tid * 5000000 + run * 1000000 + n
  local cookie = cookies[((tid * 75000 + run * 25000 + n) % #cookies) + 1]
  local body = string.format(
    '{"form":{"kind":"Visitor","host_staff_id":"%s","campus_id":"%s","reason_id":"%s","start_date":"%s","end_date":"%s",' ..
    '"entrants":[{"name":"压测访客","phone":"150%08d","doc_type":"ResidentId","doc_number":"%s","in_vehicle":false,"face_photo":null,"face_consent":false}],' ..
    '"plate":"","note":"","doc_consent":true},"idempotency_key":"bench-%d-%d-%d","invitation":null}',
    host, campus, reason, date, date, k % 100000000, id_number(k), run, tid, n)
  return wrk.format("POST", "/api/fn/submit_application", { ["Content-Type"] = "application/json", ["Cookie"] = cookie }, body)
end

-- Requests are formatted up front (more than a run sends at the budget's
-- rate), so the load generator, on the server's own cores, does little
-- per request; past them it formats as it goes.
local prepared = {}

function init(args)
  n = 0
  tid = tid or 0
  for i = 1, tonumber(os.getenv("PREPARED") or "30000") do prepared[i] = make(i) end
end

request = function()
  n = n + 1
  return prepared[n] or make(n)
end

dofile("scripts/bench/summary.lua")
