-- wrk script: every request is one resident submitting, through the JSON API or the HTML form.
-- Each wrk thread reads its own pre-signed request file (bench/load_support.py writes them):
--   api  <code> <participant token> <submission id> <ip> <dup 0|1>
--   form <code> <device cookie> <form token> <ip> <dup 0|1>
-- dup=1 re-uses an earlier participant (long answered) with a new submission id: must be a 409.
-- The client address travels in X-Forwarded-For (the bench server trusts one proxy hop).

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local answers_json = '{"gov":"5","security":"4","transport":"dk","suggestion":"路灯需要修"}'
local answers_form = "gov=5&security=4&transport=dk&suggestion=ok"

local function finish()
  -- wrk's main thread sleeps for -d whatever the threads do: tell bench/run_load.py, which
  -- interrupts wrk (SIGINT prints the summary at once).
  local fh = io.open(dir .. "/done-" .. id, "w")
  fh:write("done\n")
  fh:close()
  wrk.thread:stop()
end

function init(args)
  dir = args[1]
  reqs, n = {}, 0
  for line in io.lines(args[1] .. "/thread-" .. id .. ".txt") do
    n = n + 1
    reqs[n] = line
  end
  -- i: requests built; answered: POST answers seen (duplicates are checked as totals:
  -- dup_sent expected refusals vs dup_refused, and no participant twice in PostgreSQL).
  -- A POST whose connection broke never gets an answer: the thread gives up waiting 3 s after
  -- the last answer and reports it as lost (the server may or may not have stored it).
  i, answered, last_answer = 0, 0, os.time()
  acked, dup_refused, dup_sent = 0, 0, 0
  errors, limited, unavailable, exhausted = 0, 0, 0, 0
end

local function split(line)
  local parts = {}
  for part in string.gmatch(line, "%S+") do parts[#parts + 1] = part end
  return parts
end

local function build(line)
  local p = split(line)
  if p[1] == "api" then
    local body = '{"submission_id":"' .. p[4] .. '","answers":' .. answers_json .. ',"duration_seconds":60}'
    return wrk.format("POST", "/api/v1/entries/" .. p[2] .. "/responses",
      {["Content-Type"] = "application/json", ["X-Participant-Token"] = p[3], ["X-Forwarded-For"] = p[5]},
      body), p[6] == "1"
  end
  return wrk.format("POST", "/s/" .. p[2],
    {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = "sq_device=" .. p[3],
     ["X-Forwarded-For"] = p[5]},
    answers_form .. "&token=" .. p[4]), p[6] == "1"
end

function request()
  if id == 0 and not verified then
    -- wrk calls request() once on the first thread to check the script's output: never sent
    verified = true
    return (build(reqs[1]))
  end
  i = i + 1
  if i > n then
    exhausted = exhausted + 1
    return wrk.format("GET", "/bench-exhausted", {["X-Forwarded-For"] = "10.250.250.2"})
  end
  local req, dup = build(reqs[i])
  if dup then dup_sent = dup_sent + 1 end
  return req
end

-- 201 (API) / 200 (thank-you page) = acknowledged, 409 = already participated.
-- The run of a thread ends when every POST has its answer, so "acknowledged" is exact.
function response(status, headers, body)
  if status == 404 and i > n then
    if answered >= n or os.time() - last_answer > 3 then finish() end
    return
  end
  answered, last_answer = answered + 1, os.time()
  if status == 201 or status == 200 then
    acked = acked + 1
  elseif status == 409 then
    dup_refused = dup_refused + 1
  elseif status == 429 then
    limited = limited + 1
  elseif status == 503 then
    unavailable = unavailable + 1
  else
    errors = errors + 1
  end
  if answered >= n then finish() end
end

function done(summary, latency, requests)
  local keys = {"acked", "dup_refused", "dup_sent", "errors", "limited", "unavailable", "exhausted", "n", "answered"}
  io.write("RESULT")
  for _, k in ipairs(keys) do
    local total = 0
    for _, thread in ipairs(threads) do total = total + (thread:get(k) or 0) end
    io.write(string.format(" %s=%d", k, total))
  end
  io.write(string.format(" requests=%d duration_us=%d socket_errors=%d",
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format(" p50_us=%d p90_us=%d p95_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
