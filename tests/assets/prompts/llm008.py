"""LLM008 missing-retry-fallback: cases."""
# ruff: noqa: E501

import litellm
import requests
from openai import OpenAI
from tenacity import retry, stop_after_attempt

fragile = OpenAI(max_retries=0, timeout=30)
default = OpenAI(timeout=30)


def no_retries(q: str) -> object:
    return fragile.chat.completions.create(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": q}])  # expect: LLM008


def sdk_default(q: str) -> object:
    return default.chat.completions.create(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": q}])  # ok: LLM008


@retry(stop=stop_after_attempt(4))
def wrapped(q: str) -> object:
    return fragile.chat.completions.create(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": q}])  # ok: LLM008


def lite(q: str) -> object:
    return litellm.completion(model="gpt-4o-mini", max_tokens=50, timeout=30, messages=[{"role": "user", "content": q}])  # expect: LLM008


def lite_retries(q: str) -> object:
    return litellm.completion(model="gpt-4o-mini", max_tokens=50, timeout=30, num_retries=3, fallbacks=["claude-haiku-4-5"], messages=[{"role": "user", "content": q}])  # ok: LLM008


def raw(q: str) -> object:
    return requests.post("https://api.anthropic.com/v1/messages", timeout=30, json={"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": q}]})  # expect: LLM008


router = litellm.Router(model_list=[], num_retries=3)


def routed(q: str) -> object:
    return router.completion(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": q}])  # ok: LLM008


def direct_beside_router(q: str) -> object:
    return litellm.completion(model="gpt-4o-mini", max_tokens=50, timeout=30, messages=[{"role": "user", "content": q}])  # expect: LLM008
