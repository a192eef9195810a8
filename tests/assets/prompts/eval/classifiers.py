"""Eval: model choice for small tasks (frontier vs small, config-driven models)."""
# ruff: noqa: E501
from __future__ import annotations

from anthropic import Anthropic
from openai import OpenAI

from .settings import settings  # type: ignore[import-not-found]

client = OpenAI(timeout=10)
claude = Anthropic(timeout=10)
ROUTER_MODEL = "gpt-4o"
ROUTER_PROMPT = "Route the message to one of: billing, technical, sales. Answer with only the category name."


def route(message: str) -> str:
    r = client.chat.completions.create(model=ROUTER_MODEL, max_tokens=5, messages=[{"role": "system", "content": ROUTER_PROMPT}, {"role": "user", "content": message}])  # labels: LLM005
    return r.choices[0].message.content or ""


def route_configured(message: str) -> str:
    r = client.chat.completions.create(model=settings.router_model, max_tokens=5, messages=[{"role": "system", "content": ROUTER_PROMPT}, {"role": "user", "content": message}])  # labels: -
    return r.choices[0].message.content or ""


def detect_language(text: str) -> str:
    r = claude.messages.create(model="claude-opus-4-1", max_tokens=5, system="Detect the language of the text. Reply with the ISO code only.", messages=[{"role": "user", "content": text}])  # labels: LLM005
    return r.content[0].text


def write_story(prompt: str) -> str:
    r = claude.messages.create(model="claude-opus-4-1", max_tokens=4000, system="You are a novelist. Write vivid, original fiction.", messages=[{"role": "user", "content": prompt}])  # labels: -
    return r.content[0].text


def small_classifier(text: str) -> str:
    r = claude.messages.create(model="claude-haiku-4-5", max_tokens=5, system="Classify the ticket priority as low, medium or high.", messages=[{"role": "user", "content": text}])  # labels: -
    return r.content[0].text


def plan_migration(spec: str) -> str:
    r = client.chat.completions.create(model="gpt-4.1", max_completion_tokens=3000, messages=[{"role": "system", "content": "You are a senior engineer. Produce a step-by-step migration plan with risks."}, {"role": "user", "content": spec}])  # labels: -
    return r.choices[0].message.content or ""
