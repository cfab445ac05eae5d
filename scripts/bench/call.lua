-- wrk: one signed-in page's data again and again, as its user reloads it:
-- POST CALL_PATH (a server function) with CALL_BODY (of CALL_TYPE: JSON by
-- default; the office's functions take a form) and the session in
-- COOKIE_FILE. The approver's inbox and the office's scan log.
local cookie = io.open(os.getenv("COOKIE_FILE")):read("*l")
local body = os.getenv("CALL_BODY") or "{}"
local path = os.getenv("CALL_PATH")
local content_type = os.getenv("CALL_TYPE") or "application/json"
local req

function init(args)
  req = wrk.format("POST", path, { ["Content-Type"] = content_type, ["Cookie"] = "cp_session=" .. cookie }, body)
end

request = function()
  return req
end

dofile("scripts/bench/summary.lua")
