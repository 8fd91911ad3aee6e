-- Gives every request its own cursor, so no answer can come from confab's page cache: S1
-- and S2 measured on the path a changed or first-read page takes. (The cache keys a page
-- by the inputs its handler uses, so an unused extra parameter would still hit.) Each
-- cursor lies after every row, so every request still reads a full first page:
-- `<far-future activity>_<id>` for the room list, an id above every UUIDv7 for messages.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local n = 0
function request()
  n = n + 1
  local tail = string.format("%04x%08x", id, n)
  local cursor
  if string.find(wrk.path, "/messages", 1, true) or string.find(wrk.path, "/api/posts", 1, true) then
    cursor = "ffffffff-ffff-7fff-bfff-" .. tail
  else
    cursor = "9000000000000000_ffffffff-ffff-7fff-bfff-" .. tail
  end
  return wrk.format(nil, wrk.path .. "&cursor=" .. cursor)
end
