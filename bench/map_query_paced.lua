-- wrk script: the requests of map_query.lua at about a fixed rate. Each connection waits a random
-- (exponential) time before each request, so that RATE requests/s arrive in all, like visitors
-- who come and go, rather than as fast as the server answers (set RATE and CONNECTIONS in the
-- environment; wrk -c must equal CONNECTIONS). Latency is then what one request costs at that
-- load, not the queue a saturating benchmark builds.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "map_query.lua")
local rate = tonumber(os.getenv("RATE") or "500")
local connections = tonumber(os.getenv("CONNECTIONS") or "8")
local mean_ms = 1000 * connections / rate

delay = function()
  return math.floor(-math.log(1 - math.random()) * mean_ms)
end
