"""LLM003 call-per-item-loop: cases."""
# ruff: noqa: E501

import asyncio

from openai import AsyncOpenAI, OpenAI

client = OpenAI(timeout=30)
aclient = AsyncOpenAI(timeout=30)


def label(review: str) -> str:
    r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=5, messages=[{"role": "user", "content": review}])
    return r.choices[0].message.content or ""


def label_all(reviews: list[str]) -> list[str]:
    out = []
    for review in reviews:
        out.append(label(review))  # expect: LLM003
    return out


def direct_loop(tickets: list[str]) -> list[object]:
    out = []
    for t in tickets:
        out.append(client.chat.completions.create(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": t}]))  # expect: LLM003
    return out


def comprehension(docs: list[str]) -> list[object]:
    return [client.chat.completions.create(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": d}]) for d in docs]  # expect: LLM003


async def gathered(docs: list[str]) -> list[object]:
    return await asyncio.gather(*[aclient.chat.completions.create(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": d}]) for d in docs])  # ok: LLM003


def agent(task: str) -> str:
    messages = [{"role": "user", "content": task}]
    while True:
        r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, messages=messages)  # ok: LLM003
        messages.append({"role": "assistant", "content": r.choices[0].message.content})
        if "DONE" in (r.choices[0].message.content or ""):
            return r.choices[0].message.content or ""


def retry(q: str) -> object:
    for _attempt in range(3):
        try:
            return client.chat.completions.create(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": q}])  # ok: LLM003
        except Exception:
            continue
    return None


def conversation(turns: list[str]) -> None:
    messages: list[dict[str, str]] = []
    for turn in turns:
        messages.append({"role": "user", "content": turn})
        r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=50, messages=messages)  # ok: LLM003
        messages.append({"role": "assistant", "content": r.choices[0].message.content or ""})


def refine(draft: str) -> str:
    for _ in ["tone", "length"]:
        draft = client.chat.completions.create(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": draft}]).choices[0].message.content or ""  # ok: LLM003
    return draft


def fallback_models(prompt: str) -> object:
    for model in ["gpt-4o", "gpt-4o-mini"]:  # a fallback chain, not one request per item
        try:
            return client.chat.completions.create(model=model, max_tokens=100, messages=[{"role": "user", "content": prompt}])  # ok: LLM003
        except Exception:
            continue
    return None


def refine_summary(chunks: list[str]) -> str:
    summary = ""
    for chunk in chunks:  # each request needs the previous answer
        r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": f"Summary so far: {summary}\nNew text: {chunk}\nUpdate the summary."}])  # ok: LLM003
        summary = r.choices[0].message.content or ""
    return summary


def summarize_each(chunks: list[str]) -> list[str]:
    out = []
    for chunk in chunks:  # independent chunks, one after another
        r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": f"Summarize:\n{chunk}"}])  # expect: LLM003
        out.append(r.choices[0].message.content or "")
    return out


def fallback_wrapped(prompt: str, wrap: object) -> object:
    for model in ["gpt-4o", "gpt-4o-mini"]:
        try:
            response = client.chat.completions.create(model=model, max_tokens=100, messages=[{"role": "user", "content": prompt}])  # ok: LLM003
            if response is not None:
                return wrap(response=response)  # type: ignore[operator]
        except Exception:
            continue
    return None
