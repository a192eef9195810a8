"""Eval: a support assistant service (openai v1, client in __init__, kwargs dicts, wrappers)."""
# ruff: noqa: E501
from __future__ import annotations

import datetime as dt
import json
import os

from openai import AsyncOpenAI, OpenAI

SYSTEM_PROMPT = "You are Acme's support assistant. Be concise, cite the relevant help-center article, and never promise refunds."
DEFAULT_MODEL = os.getenv("SUPPORT_MODEL", "gpt-4o-mini")


class SupportBot:
    def __init__(self) -> None:
        self.client = OpenAI(timeout=30, max_retries=3)
        self.history: list[dict[str, str]] = []

    def _params(self, question: str) -> dict[str, object]:
        return {"model": DEFAULT_MODEL, "max_tokens": 400, "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": question}]}

    def answer(self, question: str) -> str:
        r = self.client.chat.completions.create(**self._params(question))  # labels: -
        return r.choices[0].message.content or ""

    def chat(self, text: str) -> str:
        self.history.append({"role": "user", "content": text})
        r = self.client.chat.completions.create(model=DEFAULT_MODEL, max_tokens=400, messages=[{"role": "system", "content": SYSTEM_PROMPT}, *self.history])  # labels: LLM007
        self.history.append({"role": "assistant", "content": r.choices[0].message.content or ""})
        return r.choices[0].message.content or ""

    def greet(self, user_name: str) -> str:
        system = f"Today is {dt.date.today():%A %d %B}. {SYSTEM_PROMPT}"
        r = self.client.chat.completions.create(model=DEFAULT_MODEL, max_tokens=100, messages=[{"role": "system", "content": system}, {"role": "user", "content": f"Say hello to {user_name}"}])  # labels: LLM001
        return r.choices[0].message.content or ""


client = OpenAI()
aclient = AsyncOpenAI(timeout=20)


def summarize_ticket(ticket: dict[str, object]) -> str:
    r = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "system", "content": "Summarize this support ticket in two sentences for the on-call engineer."}, {"role": "user", "content": json.dumps(ticket)}])  # labels: LLM001 LLM002 LLM004
    return r.choices[0].message.content or ""


def draft_reply(ticket_text: str, tone: str = "friendly") -> str:
    params = {"model": "gpt-4.1-mini", "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": ticket_text}]}
    if tone:
        params["temperature"] = 0.3
    r = client.with_options(timeout=15).chat.completions.create(**params)  # labels: LLM002
    return r.choices[0].message.content or ""


async def suggest_titles(body: str) -> str:
    r = await aclient.responses.create(model="gpt-4.1-mini", instructions="Suggest three short titles for this article.", input=body, max_output_tokens=60)  # labels: -
    return r.output_text


async def rewrite(body: str) -> str:
    r = await aclient.responses.create(model="gpt-5-mini", input=f"{body}\n\nRewrite the text above in plain English for a general audience, keeping every fact.")  # labels: LLM001 LLM002
    return r.output_text


def answer_with_reasoning(question: str) -> str:
    r = client.with_options(timeout=60).chat.completions.create(model="o3-mini", max_tokens=2000, messages=[{"role": "user", "content": question}])  # labels: LLM002
    return r.choices[0].message.content or ""


def chat_with(client: OpenAI, question: str) -> str:
    r = client.chat.completions.create(model=DEFAULT_MODEL, max_completion_tokens=300, messages=[{"role": "user", "content": question}])  # labels: -
    return r.choices[0].message.content or ""
