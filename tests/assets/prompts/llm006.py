"""LLM006 stream-mismatch: cases."""
# ruff: noqa: E501

import queue

from fastapi import FastAPI
from openai import OpenAI

app = FastAPI()
client = OpenAI(timeout=60)
jobs: queue.Queue[str] = queue.Queue()


def summarise_to_queue(doc: str) -> None:
    stream = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}])  # expect: LLM006
    text = ""
    for chunk in stream:
        text += chunk.choices[0].delta.content or ""
    jobs.put(text)


def stream_to_user(doc: str):  # type: ignore[no-untyped-def]
    stream = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}])  # ok: LLM006
    for chunk in stream:
        yield chunk.choices[0].delta.content or ""


def print_live(doc: str) -> None:
    stream = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}])  # ok: LLM006
    for chunk in stream:
        print(chunk.choices[0].delta.content or "", end="", flush=True)


@app.post("/essay")
def essay(topic: str) -> dict[str, str]:
    r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=4000, messages=[{"role": "user", "content": topic}])  # expect: LLM006
    return {"text": r.choices[0].message.content or ""}


@app.post("/title")
def title(topic: str) -> dict[str, str]:
    r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=20, messages=[{"role": "user", "content": topic}])  # ok: LLM006
    return {"text": r.choices[0].message.content or ""}


class EssayView:  # a Django / DRF class-based view
    def post(self, request: object) -> dict[str, str]:
        r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=3000, messages=[{"role": "user", "content": str(request)}])  # expect: LLM006
        return {"text": r.choices[0].message.content or ""}

    def helper(self, request: object) -> dict[str, str]:
        r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=3000, messages=[{"role": "user", "content": str(request)}])  # ok: LLM006
        return {"text": r.choices[0].message.content or ""}
