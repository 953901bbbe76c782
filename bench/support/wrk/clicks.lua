-- POST /v1/clicks or /v1/clicks/batch: args are a run prefix, the clicks per request (1: one JSON object; more:
-- a JSON array) and the Authorization header (a partner key). Every click has its own event id (prefix, thread, counter), so none is a duplicate.
local countries = { "US", "US", "US", "IN", "BR", "DE", "GB", "FR", "JP", "MX" }
local counter = 0
local prefix, size

function init(args)
  prefix = args[1] .. "-" .. thread_index .. "-"
  size = tonumber(args[2])
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = args[3]
end

local function click()
  counter = counter + 1
  return '{"eventId":"' .. prefix .. counter .. '","adId":"ad-' .. (counter % 5000) .. '","country":"' ..
    countries[counter % 10 + 1] .. '","userId":"u-' .. (counter % 100000) .. '","ip":"198.51.100.' ..
    (counter % 250) .. '"}'
end

function request()
  if size == 1 then return wrk.format(nil, nil, nil, click()) end
  local parts = {}
  for k = 1, size do parts[k] = click() end
  return wrk.format(nil, nil, nil, "[" .. table.concat(parts, ",") .. "]")
end
