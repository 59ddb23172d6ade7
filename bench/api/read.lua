-- read.lua: GET one application with a bearer token (env SLUIS_TOKEN, SLUIS_PATH).
-- With SLUIS_RATE (requests/s over all connections) each connection paces itself with
-- delay(), a fixed-rate approximation (wrk2 is not in Debian).
local token = os.getenv("SLUIS_TOKEN")
local path = os.getenv("SLUIS_PATH") or "/api/v1/applications/chatbot-vraag-voorbeeldstad"
local rate = tonumber(os.getenv("SLUIS_RATE") or "0")
local conns = tonumber(os.getenv("SLUIS_CONNS") or "1")
wrk.headers["Authorization"] = "Bearer " .. token
function request()
  return wrk.format("GET", path)
end
if rate > 0 then
  function delay()
    return math.floor(1000 * conns / rate)
  end
end
