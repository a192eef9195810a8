"""Eval: offline jobs: per-item loops, batch APIs, gather, executors, retries."""
# ruff: noqa: E501, SIM115
from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

from openai import AsyncOpenAI, OpenAI

client = OpenAI(timeout=60)
aclient = AsyncOpenAI(timeout=60)
LABEL_PROMPT = "Label the review as positive, negative or neutral. Reply with the label only."


def label_review(review: str) -> str:
    r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=3, messages=[{"role": "system", "content": LABEL_PROMPT}, {"role": "user", "content": review}])  # labels: -
    return r.choices[0].message.content or ""


def label_all(reviews: list[str]) -> list[str]:
    labels = []
    for review in reviews:
        labels.append(label_review(review))  # labels: LLM003
    return labels


def label_threaded(reviews: list[str]) -> list[str]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(label_review, reviews))


def translate_rows(rows: list[dict[str, str]]) -> None:
    for row in rows:
        r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": "Translate to French."}, {"role": "user", "content": row["text"]}])  # labels: LLM003
        row["fr"] = r.choices[0].message.content or ""


async def embed_like(texts: list[str]) -> list[object]:
    sem = asyncio.Semaphore(10)

    async def one(t: str) -> object:
        async with sem:
            return await aclient.chat.completions.create(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": t}])  # labels: -

    return await asyncio.gather(*(one(t) for t in texts))


async def sequential_async(texts: list[str]) -> list[object]:
    out = []
    for t in texts:
        out.append(await aclient.chat.completions.create(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": t}]))  # labels: LLM003
    return out


def submit_batch(path: str) -> object:
    f = client.files.create(file=open(path, "rb"), purpose="batch")
    return client.batches.create(input_file_id=f.id, endpoint="/v1/chat/completions", completion_window="24h")  # labels: -


def write_batch_file(items: list[str], path: str) -> None:
    with open(path, "w") as out:
        for i, item in enumerate(items):
            out.write(json.dumps({"custom_id": str(i), "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": item}]}}) + "\n")


def with_retry_loop(prompt: str) -> str:
    for attempt in range(3):
        try:
            r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=200, messages=[{"role": "user", "content": prompt}])  # labels: -
            return r.choices[0].message.content or ""
        except Exception:
            if attempt == 2:
                raise
    return ""


def iterative_refine(draft: str, rounds: int = 3) -> str:
    for _ in range(rounds):
        draft = client.chat.completions.create(model="gpt-4o-mini", max_tokens=800, messages=[{"role": "system", "content": "Improve the draft's clarity. Return only the improved draft."}, {"role": "user", "content": draft}]).choices[0].message.content or draft  # labels: -
    return draft
