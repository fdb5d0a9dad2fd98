-- wrk script: POST /api/search with a real photo as multipart/form-data (field "image", k=10).
-- The photo is named by the environment variable LOOKALIKE_LOAD_IMAGE.
local path = os.getenv("LOOKALIKE_LOAD_IMAGE")
local file = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
local image = file:read("*all")
file:close()

local boundary = "lookalike-load-test-boundary"
wrk.method = "POST"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
wrk.body = "--" .. boundary .. "\r\n" ..
  "Content-Disposition: form-data; name=\"image\"; filename=\"query" .. path:match("%.%w+$") .. "\"\r\n" ..
  "Content-Type: application/octet-stream\r\n\r\n" .. image .. "\r\n" ..
  "--" .. boundary .. "\r\n" ..
  "Content-Disposition: form-data; name=\"k\"\r\n\r\n10\r\n" ..
  "--" .. boundary .. "--\r\n"

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.2f p50_ms=%.1f p99_ms=%.1f errors=%d non2xx=%d timeouts=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors, summary.errors.status, summary.errors.timeout))
end
