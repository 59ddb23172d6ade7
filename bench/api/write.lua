-- write.lua: POST a new provider per request (a durable write: one transaction with its
-- audit-trail entry). Ids are unique per wrk thread and request.
local token = os.getenv("SLUIS_TOKEN")
local rate = tonumber(os.getenv("SLUIS_RATE") or "0")
local conns = tonumber(os.getenv("SLUIS_CONNS") or "1")
local run = os.getenv("SLUIS_RUN") or "r"
local counter = 0
local tid = 0
local threads = {}
function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
  table.insert(threads, thread)
end
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  counter = counter + 1
  local body = string.format('{"id":"b-%s-%d-%d","name":"Bench provider %d","country":"NL"}',
                             run, tid, counter, counter)
  return wrk.format("POST", "/api/v1/providers", nil, body)
end
if rate > 0 then
  function delay()
    return math.floor(1000 * conns / rate)
  end
end
