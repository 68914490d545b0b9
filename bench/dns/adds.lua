-- Single adds for wrk (scale.sh's ADD_CLIENT=wrk): each request is one POST /zone/{zone}/add of one A record to a
-- random zone, through the public API, one request at a time per connection (no pipelining).
--   wrk -t T -c CLIENTS -d SECONDS --latency -s adds.lua http://127.0.0.1:PORT -- PREFIX KEY ZONES RUN
-- PREFIX: the API's path (/dns/api); RUN: a tag that keeps labels unique across runs on the same data.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  prefix, key, zones, run = args[1], args[2], tonumber(args[3]), args[4]
  n, refused, sample = 0, 0, ""
  math.randomseed(id * 7919 + tonumber(run))
  headers = { ["X-API-Key"] = key, ["Content-Type"] = "application/json" }
end

function request()
  n = n + 1
  local zone = "z" .. math.random(1, zones) .. ".example"
  local body = string.format('{"label":"w%s-%d-%d","type":"A","ttl":60,"value":"203.0.113.%d"}', run, id, n, n % 250 + 1)
  return wrk.format("POST", prefix .. "/zone/" .. zone .. "/add", headers, body)
end

function response(status, headers, body)
  if status ~= 201 then
    refused = refused + 1
    sample = status .. " " .. string.sub(body or "", 1, 200)
  end
end

function done(summary, latency, requests)
  local refused, sample = 0, ""
  for _, thread in ipairs(threads) do
    refused = refused + thread:get("refused")
    if thread:get("sample") ~= "" then sample = thread:get("sample") end
  end
  io.write(string.format("wrk: %d adds in %.2f s = %.0f adds/s, latency p50 %.1f ms p99 %.1f ms max %.1f ms, %d not 201%s\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, refused,
    sample ~= "" and (" (e.g. " .. sample .. ")") or ""))
end
