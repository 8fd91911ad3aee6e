-- POST /v1/chat/completions (non-streamed) with the key in $KEY and the model in $MODEL.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("KEY") or "none")
wrk.body = '{"model":"' .. (os.getenv("MODEL") or "fake-model") ..
  '","messages":[{"role":"user","content":"What is a process?"}]}'
