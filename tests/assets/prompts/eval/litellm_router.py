"""Eval: LiteLLM, the legacy openai v0 API, instructor."""
# ruff: noqa: E501
from __future__ import annotations

from typing import Literal

import instructor
import litellm
import openai
from litellm import completion as llm_complete
from openai import OpenAI
from pydantic import BaseModel

openai.api_key = "sk-test"
structured = instructor.from_openai(OpenAI(timeout=30))


class Verdict(BaseModel):
    label: Literal["spam", "ham"]


def lite_answer(q: str) -> str:
    r = litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": q}], max_tokens=300, timeout=30, num_retries=2)  # labels: -
    return r.choices[0].message.content


def lite_bare(q: str) -> str:
    r = llm_complete(model="anthropic/claude-haiku-4-5", messages=[{"role": "user", "content": q}])  # labels: LLM002 LLM004 LLM008
    return r.choices[0].message.content


async def lite_async(q: str) -> str:
    r = await litellm.acompletion(model="gpt-4o-mini", messages=[{"role": "user", "content": q}], max_tokens=100, timeout=10, fallbacks=["claude-haiku-4-5"])  # labels: -
    return r.choices[0].message.content


def legacy(q: str) -> str:
    r = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": q}], max_tokens=200)  # labels: LLM004 LLM008
    return r["choices"][0]["message"]["content"]


def legacy_timeout(q: str) -> str:
    r = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": q}], max_tokens=200, request_timeout=20)  # labels: LLM008
    return r["choices"][0]["message"]["content"]


def is_spam(message: str) -> Verdict:
    return structured.chat.completions.create(model="gpt-4o", response_model=Verdict, max_tokens=20, messages=[{"role": "user", "content": message}])  # labels: LLM005


def extract_invoice(text: str) -> Verdict:
    return structured.chat.completions.create(model="gpt-4o-mini", response_model=Verdict, max_tokens=200, messages=[{"role": "user", "content": text}])  # labels: -
