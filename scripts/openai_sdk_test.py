"""confab's /v1 with the official openai SDK (run by scripts/openai-sdk-test).

Signs up a member, makes a personal API key, then uses the SDK as any user would. The
server allows three chat calls a day, so the fourth is the 429 the SDK must surface at
once: the server says `x-should-retry: false`, and the request is counted to prove that
the SDK sent it once, even with retries enabled.
"""

import json
import os
import sys
import time
import urllib.request

try:  # openai 3 ships its HTTP client as httpx2; openai 1 and 2 use httpx.
    import httpx2 as httpx
except ImportError:
    import httpx
import openai
from openai import OpenAI

BASE = os.environ["CONFAB_URL"]
PASSWORD = "sdk-lantern-horse-42"


def call(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req) as res:
        text = res.read()
        return json.loads(text) if text else None


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print(f"ok - {message}")


def main():
    call("POST", "/api/auth/signup", {"email": "sdk@example.com", "username": "sdk_user",
                                      "password": PASSWORD, "password2": PASSWORD})
    token = call("POST", "/api/auth/login", {"email": "sdk@example.com", "password": PASSWORD})["access_token"]
    key = call("POST", "/api/me/api-keys", {"name": "sdk test"}, token)
    check(key["secret"].startswith("cfk_"), "a key is made and its secret shown")

    sent = []
    http = httpx.Client(event_hooks={"request": [lambda request: sent.append(request.url.path)]})
    client = OpenAI(base_url=BASE + "/v1", api_key=key["secret"], max_retries=3, http_client=http)

    ids = [m.id for m in client.models.list()]
    check("fake-model" in ids and "confab-general" in ids and "confab-tech-interview" in ids,
          f"models lists the configured model and the assistants: {ids}")

    reply = client.chat.completions.create(
        model="confab-general", messages=[{"role": "user", "content": "Say hello"}], temperature=0.2)
    check(reply.choices[0].message.content.startswith("Hello from the fake upstream"),
          "a plain completion answers")
    check(reply.choices[0].finish_reason == "stop" and reply.usage.total_tokens > 0,
          f"with a finish reason and usage: {reply.usage}")

    stream = client.chat.completions.create(
        model="fake-model", messages=[{"role": "user", "content": "Stream it"}], stream=True,
        stream_options={"include_usage": True})
    pieces, usage, finish = [], None, None
    for chunk in stream:
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
            finish = chunk.choices[0].finish_reason or finish
        if chunk.usage:
            usage = chunk.usage
    text = "".join(pieces)
    check(text == "Hello from the fake upstream, streamed word by word." and len(pieces) > 3,
          f"a streamed completion arrives in pieces ({len(pieces)})")
    check(finish == "stop" and usage is not None and usage.completion_tokens > 0,
          f"the stream ends with a finish reason and usage: {usage}")

    client.chat.completions.create(model="fake-model", messages=[{"role": "user", "content": "three"}])
    sent.clear()
    started = time.monotonic()
    try:
        client.chat.completions.create(model="fake-model", messages=[{"role": "user", "content": "four"}])
        check(False, "the fourth call is refused")
    except openai.RateLimitError as err:
        took = time.monotonic() - started
        check(err.status_code == 429 and err.response.headers.get("x-should-retry") == "false",
              "the fourth call is a RateLimitError with x-should-retry: false")
        check(int(err.response.headers["retry-after"]) > 0, "with Retry-After until the reset")
        check(len(sent) == 1 and took < 2, f"the SDK sent it once and gave up at once ({len(sent)} requests, {took:.2f}s)")
        check(err.body.get("code") == "quota_exceeded", f"with an OpenAI-shaped error: {err.body}")

    try:
        client.chat.completions.create(model="gpt-nope", messages=[{"role": "user", "content": "x"}])
        check(False, "an unknown model is refused")
    except openai.NotFoundError as err:
        check(err.body.get("code") == "model_not_found", "an unknown model is a NotFoundError model_not_found")

    call("DELETE", f"/api/me/api-keys/{key['id']}", token=token)
    try:
        client.models.list()
        check(False, "a revoked key is refused")
    except openai.AuthenticationError as err:
        check(err.status_code == 401 and err.body.get("code") == "invalid_api_key",
              "a revoked key is an AuthenticationError at once")
    print("openai-sdk-test: all passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as err:
        print(f"not ok - {err}", file=sys.stderr)
        sys.exit(1)
