-- Gives every request its own query parameter, so no answer can come from confab's page
-- cache: S1 and S2 measured on the path a changed or first-read page takes.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local n = 0
function request()
  n = n + 1
  return wrk.format(nil, wrk.path .. "&miss=" .. id .. "_" .. n)
end
