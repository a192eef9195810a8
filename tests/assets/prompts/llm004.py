"""LLM004 missing-timeout: cases."""
# ruff: noqa: E501

import anthropic
import httpx
import litellm
import requests
from openai import OpenAI

bare = OpenAI()
timed = OpenAI(timeout=20.0)
claude = anthropic.Anthropic()


def get_client() -> OpenAI:
    return OpenAI(timeout=httpx.Timeout(30, connect=5))


class Service:
    def __init__(self) -> None:
        self.client = OpenAI(max_retries=3)

    def ask(self, q: str) -> object:
        return self.client.chat.completions.create(model="gpt-4o-mini", max_tokens=9, messages=[{"role": "user", "content": q}])  # expect: LLM004


def no_timeout(q: str) -> object:
    return bare.chat.completions.create(model="gpt-4o-mini", max_tokens=9, messages=[{"role": "user", "content": q}])  # expect: LLM004


def per_call_timeout(q: str) -> object:
    return bare.chat.completions.create(model="gpt-4o-mini", max_tokens=9, timeout=10, messages=[{"role": "user", "content": q}])  # ok: LLM004


def with_options(q: str) -> object:
    return bare.with_options(timeout=10).chat.completions.create(model="gpt-4o-mini", max_tokens=9, messages=[{"role": "user", "content": q}])  # ok: LLM004


def client_timeout(q: str) -> object:
    return timed.chat.completions.create(model="gpt-4o-mini", max_tokens=9, messages=[{"role": "user", "content": q}])  # ok: LLM004


def factory(q: str) -> object:
    return get_client().chat.completions.create(model="gpt-4o-mini", max_tokens=9, messages=[{"role": "user", "content": q}])  # ok: LLM004


def handed_in(client: OpenAI, q: str) -> object:
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=9, messages=[{"role": "user", "content": q}])  # ok: LLM004


def anthropic_default(q: str) -> object:
    return claude.messages.create(model="claude-haiku-4-5", max_tokens=9, messages=[{"role": "user", "content": q}])  # expect: LLM004


def raw_requests(q: str) -> object:
    return requests.post("https://api.openai.com/v1/chat/completions", json={"model": "gpt-4o-mini", "max_tokens": 9, "messages": [{"role": "user", "content": q}]})  # expect: LLM004


def raw_requests_timeout(q: str) -> object:
    return requests.post("https://api.openai.com/v1/chat/completions", timeout=30, json={"model": "gpt-4o-mini", "max_tokens": 9, "messages": [{"role": "user", "content": q}]})  # ok: LLM004


def module_level_client(q: str) -> object:
    import openai

    return openai.chat.completions.create(model="gpt-4o-mini", max_tokens=9, messages=[{"role": "user", "content": q}])  # expect: LLM004


def spread_kwargs(q: str, **call_kwargs: object) -> object:
    return litellm.completion(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": q}], **call_kwargs)  # ok: LLM004
