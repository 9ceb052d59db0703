-- wrk script for tests/bench/serve-bench: each request asks for the next path of a list, so
-- a run scans many distinct serials (first scans) instead of one URL again and again.
-- The list is the file $PATHS (one request path a line); $ACCEPT is the Accept header.
-- wrk gives every thread its own Lua state: thread i of n takes the lines i, i+n, i+2n, ...
-- so no two threads ask for the same serial, and a run that reaches the end of its share
-- starts again at its first line (those scans are then seen_before, and the script says so
-- in its summary line).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  local file = assert(io.open(os.getenv("PATHS"), "r"))
  local all = {}
  for line in file:lines() do
    if #line > 0 then
      table.insert(all, line)
    end
  end
  file:close()
  local n = tonumber(os.getenv("THREADS") or "1")
  paths = {}
  for i = id + 1, #all, n do
    table.insert(paths, all[i])
  end
  if #paths == 0 then
    paths = all -- fewer paths than threads (one serial repeated): every thread asks for all
  end
  next_path = 1
  wrapped = 0
  accept = os.getenv("ACCEPT") or "text/html"
end

function request()
  local path = paths[next_path]
  next_path = next_path + 1
  if next_path > #paths then
    next_path = 1
    wrapped = wrapped + 1
  end
  return wrk.format("GET", path, { ["Accept"] = accept })
end

function done(summary, latency, requests)
  local wraps = 0
  for _, thread in ipairs(threads) do
    wraps = wraps + (thread:get("wrapped") or 0)
  end
  io.write(string.format("paths-wrapped: %d\n", wraps))
end
