"""Eval: web handlers (FastAPI, Flask), streaming responses, raw HTTP to providers."""
# ruff: noqa: E501
from __future__ import annotations

import httpx
import requests
from fastapi import APIRouter, FastAPI
from fastapi.responses import StreamingResponse
from flask import Flask, request
from openai import OpenAI

app = FastAPI()
router = APIRouter()
flask_app = Flask(__name__)
client = OpenAI(timeout=20)
OPENAI_URL = "https://api.openai.com/v1/chat/completions"


@app.post("/report")
def make_report(topic: str) -> dict[str, str]:
    r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=3000, messages=[{"role": "system", "content": "Write a detailed market report with sections and tables."}, {"role": "user", "content": topic}])  # labels: LLM006
    return {"report": r.choices[0].message.content or ""}


@app.post("/report/stream")
def stream_report(topic: str) -> StreamingResponse:
    def gen():  # type: ignore[no-untyped-def]
        stream = client.chat.completions.create(model="gpt-4o-mini", max_tokens=3000, stream=True, messages=[{"role": "system", "content": "Write a detailed market report."}, {"role": "user", "content": topic}])  # labels: -
        for chunk in stream:
            yield chunk.choices[0].delta.content or ""

    return StreamingResponse(gen(), media_type="text/plain")


@router.get("/tagline")
async def tagline(product: str) -> dict[str, str]:
    r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=30, messages=[{"role": "user", "content": f"A tagline for {product}"}])  # labels: -
    return {"tagline": r.choices[0].message.content or ""}


@flask_app.route("/summarize", methods=["POST"])
def summarize() -> dict[str, str]:
    text = request.json["text"]  # type: ignore[index]
    resp = requests.post(OPENAI_URL, headers={"Authorization": "Bearer sk-test"}, json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Summarize:\n{text}"}]})  # labels: LLM002 LLM004 LLM008
    return {"summary": resp.json()["choices"][0]["message"]["content"]}


def raw_httpx(text: str) -> str:
    with httpx.Client(timeout=30) as http:
        resp = http.post("https://api.anthropic.com/v1/messages", json={"model": "claude-haiku-4-5", "max_tokens": 300, "messages": [{"role": "user", "content": text}]})  # labels: LLM008
    return resp.json()["content"][0]["text"]


def raw_requests_ok(text: str) -> str:
    payload = {"model": "gpt-4o-mini", "max_tokens": 200, "messages": [{"role": "user", "content": text}]}
    session = requests.Session()
    session.mount("https://", requests.adapters.HTTPAdapter(max_retries=requests.adapters.Retry(total=3, backoff_factor=1)))
    resp = session.post(OPENAI_URL, json=payload, timeout=(5, 60))  # labels: -
    return resp.json()["choices"][0]["message"]["content"]


def collect_stream(prompt: str, out_path: str) -> None:
    stream = client.chat.completions.create(model="gpt-4o-mini", max_tokens=2000, stream=True, messages=[{"role": "user", "content": prompt}])  # labels: LLM006
    text = ""
    for chunk in stream:
        text += chunk.choices[0].delta.content or ""
    with open(out_path, "w") as f:
        f.write(text)
