-- GET /v1/r/:token over the click links in the file named by args[1], one per line, in order (a single wrk thread).
local tokens = {}
local n = 0

function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
end

function request()
  n = n + 1
  return wrk.format("GET", "/v1/r/" .. tokens[(n - 1) % #tokens + 1])
end
