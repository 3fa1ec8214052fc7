-- Paces each wrk connection: one request every WRK_DELAY_MS milliseconds, so that
-- connections * 1000 / WRK_DELAY_MS is the offered rate (while latency stays below the delay).
local pause = tonumber(os.getenv("WRK_DELAY_MS") or "4")
function delay()
  return pause
end
