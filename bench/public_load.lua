-- wrk script of bench/public_load.py: each request's path is drawn at random from a
-- file of paths, one a line (the script's first argument):
--
--     wrk -c20 -d20s --timeout 120s -s bench/public_load.lua http://127.0.0.1:8123 -- paths.txt
--
-- When the run ends, its figures are printed as one line of JSON: requests, seconds,
-- the errors wrk counts (status: answers other than 2xx and 3xx) and the latency
-- percentiles in microseconds.

local threads = {}
local paths = {}

function setup(thread)
   thread:set("number", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   for line in io.lines(args[1]) do
      if #line > 0 then
         paths[#paths + 1] = line
      end
   end
   if #paths == 0 then
      error("no paths in " .. args[1])
   end
   -- Each thread draws its own sequence.
   math.randomseed(os.time() * 100 + number)
end

function request()
   return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      '{"requests": %d, "seconds": %.3f, "connect": %d, "read": %d, "write": %d, "status": %d, '
         .. '"timeout": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d}\n',
      summary.requests, summary.duration / 1e6, errors.connect, errors.read, errors.write,
      errors.status, errors.timeout, latency:percentile(50), latency:percentile(95),
      latency:percentile(99), latency.max
   ))
end
