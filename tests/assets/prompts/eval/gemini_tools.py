"""Eval: Gemini through google-genai and google-generativeai."""
# ruff: noqa: E501
from __future__ import annotations

import google.generativeai as genai_legacy
from google import genai
from google.genai import types

client = genai.Client()
timed = genai.Client(http_options=types.HttpOptions(timeout=30_000))
legacy_model = genai_legacy.GenerativeModel("gemini-1.5-flash", generation_config={"max_output_tokens": 256})
legacy_unbounded = genai_legacy.GenerativeModel("gemini-1.5-pro")


def describe(text: str) -> str:
    r = timed.models.generate_content(model="gemini-2.5-flash", contents=text, config=types.GenerateContentConfig(max_output_tokens=300, system_instruction="Describe the product in one paragraph."))  # labels: -
    return r.text or ""


def describe_no_cap(text: str) -> str:
    r = timed.models.generate_content(model="gemini-2.5-flash", contents=text)  # labels: LLM002
    return r.text or ""


def describe_default_client(text: str) -> str:
    r = client.models.generate_content(model="gemini-2.5-flash", contents=text, config={"max_output_tokens": 200})  # labels: LLM004
    return r.text or ""


def legacy_describe(text: str) -> str:
    r = legacy_model.generate_content(f"Describe this product for a catalogue page, in two sentences: {text}")  # labels: LLM004 LLM008
    return r.text


def legacy_sentiment(text: str) -> str:
    r = legacy_unbounded.generate_content(f"Classify the sentiment of this review as positive or negative: {text}")  # labels: LLM002 LLM004 LLM005 LLM008
    return r.text


async def describe_many(texts: list[str]) -> list[object]:
    import asyncio

    return await asyncio.gather(*[timed.aio.models.generate_content(model="gemini-2.5-flash", contents=t, config=types.GenerateContentConfig(max_output_tokens=100)) for t in texts])  # labels: -


def describe_each(texts: list[str]) -> list[str]:
    return [timed.models.generate_content(model="gemini-2.5-flash", contents=t, config=types.GenerateContentConfig(max_output_tokens=100)).text or "" for t in texts]  # labels: LLM003
