-- Requests for wrk: rotate through the paths of a file, one per line, so a "cold"
-- run never asks for the same thing twice in a row; report percentiles as JSON.
--   wrk -s bench/wrk.lua URL -- PATHS_FILE [HEADER_NAME HEADER_VALUE]

local paths = {}
local position = 0
local header_name, header_value

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  header_name, header_value = args[2], args[3]
  -- Each wrk thread starts at a different place in the list.
  position = math.random(0, #paths - 1)
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
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "non_2xx": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
