-- Requests for wrk: rotate through the paths of a file, one per line, so a "cold"
-- run never asks for the same thing twice in a row; report percentiles as JSON.
--   wrk -s bench/wrk.lua URL -- PATHS_FILE [HEADER_NAME HEADER_VALUE]

local paths = {}
local position = 0
local header_name, header_value
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  header_name, header_value = args[2], args[3]
  -- Each wrk thread starts at a different place in the list.
  position = math.random(0, #paths - 1)
  cache_hits, cache_misses = 0, 0
end

-- Answers the server cached say so (X-Cache: hit or miss); others say nothing.
function response(status, headers, body)
  local cached = headers["X-Cache"]
  if cached == "hit" then
    cache_hits = cache_hits + 1
  elseif cached == "miss" then
    cache_misses = cache_misses + 1
  end
end

function request()
  position = position % #paths + 1
  local headers = {}
  if header_name then
    headers[header_name] = header_value
  end
  return wrk.format("GET", paths[position], headers)
end

function done(summary, latency, requests)
  local errors = summary.errors
  local hits, misses = 0, 0
  for _, thread in ipairs(threads) do
    hits = hits + thread:get("cache_hits")
    misses = misses + thread:get("cache_misses")
  end
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "non_2xx": %d, ' ..
    '"socket_errors": %d, "cache_hits": %d, "cache_misses": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout, hits, misses,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
