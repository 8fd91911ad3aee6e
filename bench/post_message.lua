-- wrk script for S3: send a message (non-streamed) to one room.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"content":"What is the difference between a process and a thread?"}'
