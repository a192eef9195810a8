"""LLM002 missing-output-cap: cases."""
# ruff: noqa: E501

import anthropic
import litellm
from google import genai
from google.genai import types
from openai import OpenAI

client = OpenAI(timeout=30)
claude = anthropic.Anthropic(timeout=30)
gclient = genai.Client()
MODEL = "gpt-4o-mini"


def no_cap(q: str) -> object:
    return client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": q}])  # expect: LLM002


def cap(q: str) -> object:
    return client.chat.completions.create(model=MODEL, max_tokens=200, messages=[{"role": "user", "content": q}])  # ok: LLM002


def completion_cap(q: str) -> object:
    return client.chat.completions.create(model="gpt-5", max_completion_tokens=200, messages=[{"role": "user", "content": q}])  # ok: LLM002


def wrong_name_for_reasoning_model(q: str) -> object:
    return client.chat.completions.create(model="o3-mini", max_tokens=200, messages=[{"role": "user", "content": q}])  # expect: LLM002


def responses_no_cap(q: str) -> object:
    return client.responses.create(model="gpt-4.1-mini", input=q)  # expect: LLM002


def responses_cap(q: str) -> object:
    return client.responses.create(model="gpt-4.1-mini", input=q, max_output_tokens=300)  # ok: LLM002


def kwargs_dict(q: str) -> object:
    params = {"model": MODEL, "messages": [{"role": "user", "content": q}]}
    params["max_tokens"] = 256
    return client.chat.completions.create(**params)  # ok: LLM002


def kwargs_dict_without_cap(q: str) -> object:
    params = {"model": MODEL, "messages": [{"role": "user", "content": q}]}
    return client.chat.completions.create(**params)  # expect: LLM002


def passthrough(q: str, **kwargs: object) -> object:
    return client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": q}], **kwargs)  # ok: LLM002


def anthropic_requires_it(q: str) -> object:
    return claude.messages.create(model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": q}])  # ok: LLM002


def litellm_no_cap(q: str) -> object:
    return litellm.completion(model="gpt-4o-mini", messages=[{"role": "user", "content": q}], num_retries=2, timeout=30)  # expect: LLM002


def gemini_no_cap(q: str) -> object:
    return gclient.models.generate_content(model="gemini-2.5-flash", contents=q)  # expect: LLM002


def gemini_cap(q: str) -> object:
    return gclient.models.generate_content(model="gemini-2.5-flash", contents=q, config=types.GenerateContentConfig(max_output_tokens=256))  # ok: LLM002


def langchain_bound_cap(q: str) -> object:
    from langchain_openai import ChatOpenAI

    capped = ChatOpenAI(model="gpt-4o-mini", timeout=20).bind(max_tokens=200)
    return capped.invoke(q)  # ok: LLM002


def langchain_no_cap(q: str) -> object:
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(model="gpt-4o-mini", timeout=20)
    return llm.invoke(q)  # expect: LLM002


def llama_index_no_cap(q: str) -> object:
    from llama_index.llms.openai import OpenAI as LlamaOpenAI

    llm = LlamaOpenAI(model="gpt-4o-mini", timeout=20)
    return llm.complete(q)  # expect: LLM002


def llama_index_cap(q: str) -> object:
    from llama_index.llms.openai import OpenAI as LlamaOpenAI

    llm = LlamaOpenAI(model="gpt-4o-mini", max_tokens=256, timeout=20)
    return llm.complete(q)  # ok: LLM002


def legacy_langchain_predict(q: str) -> object:
    from langchain.chat_models import ChatOpenAI

    old = ChatOpenAI(model_name="gpt-3.5-turbo", temperature=0, request_timeout=30)
    return old.predict(q)  # expect: LLM002


def legacy_langchain_predict_capped(q: str) -> object:
    from langchain.chat_models import ChatOpenAI

    old = ChatOpenAI(model_name="gpt-3.5-turbo", max_tokens=200, request_timeout=30)
    return old.predict(q)  # ok: LLM002


def sklearn_predict(model: object, rows: list[list[float]]) -> object:
    return model.predict(rows)  # type: ignore[attr-defined]  # ok: LLM002
