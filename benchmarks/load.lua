-- wrk script of the load benchmark (benchmarks/load.py).
--
--   wrk ... -s load.lua http://127.0.0.1:PORT -- REQUESTS_FILE MAX_PER_THREAD
--
-- REQUESTS_FILE has one request a line, tab-separated: method, path, Host, Cookie, form body
-- (the last two may be empty).  Each thread starts at its own place in the list and goes round
-- it; it stops after MAX_PER_THREAD answers (0: only the duration bounds it).  Answers are
-- counted by status class; done() prints one line "WRK {json}" with them and the latencies.

local threads = {}

function setup(thread)
   thread:set("number", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   requests = {}
   for line in io.lines(args[1]) do
      local method, path, host, cookie, body =
         line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = { Host = host }
      if cookie ~= "" then headers["Cookie"] = cookie end
      if body ~= "" then
         -- As a browser's form sends it: over https, the CSRF check also wants the Origin.
         headers["Content-Type"] = "application/x-www-form-urlencoded"
         headers["Origin"] = "https://" .. host
      else
         body = nil
      end
      requests[#requests + 1] = wrk.format(method, path, headers, body)
   end
   limit = tonumber(args[2]) or 0
   position = math.floor(#requests * (number - 1) / 8)
   answered, ok, redirected, refused, failed = 0, 0, 0, 0, 0
end

function request()
   position = position % #requests + 1
   return requests[position]
end

function response(status, headers, body)
   answered = answered + 1
   if status >= 500 then
      failed = failed + 1
   elseif status >= 400 then
      refused = refused + 1
   elseif status >= 300 then
      redirected = redirected + 1
   else
      ok = ok + 1
   end
   if limit > 0 and answered >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
   local totals = { ok = 0, redirected = 0, refused = 0, failed = 0 }
   for _, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + thread:get(name)
      end
   end
   local errors = summary.errors
   io.write(string.format(
      'WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "ok": %d, '
         .. '"redirected": %d, "refused": %d, "failed": %d, "socket_errors": %d, "timeouts": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      totals.ok, totals.redirected, totals.refused, totals.failed,
      errors.connect + errors.read + errors.write, errors.timeout))
end
