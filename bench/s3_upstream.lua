-- wrk script for S3's baseline: the fake upstream alone, sent what confab sends it for one
-- of S3's answers (a system prompt and the room's last 200 turns, not streamed), so the
-- share and the added latency S3 reports are against the same client and upstream.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local turns = {'{"role":"system","content":"You are a helpful assistant. Answer clearly and concisely."}'}
for i = 1, 100 do
  turns[#turns + 1] = '{"role":"user","content":"What is the difference between a process and a thread?"}'
  turns[#turns + 1] = '{"role":"assistant","content":"A process has its own memory; threads share it."}'
end
wrk.body = '{"model":"bench","messages":[' .. table.concat(turns, ",") .. '],"stream":true}'
