"""Eval: more real shapes: instructor, LiteLLM Router, LlamaIndex, FastAPI streaming, Celery.

Labelled by hand before running the tool; the label sits on the call's first line.
"""
# ruff: noqa: E501
from __future__ import annotations

import asyncio
from typing import Any

import anthropic
import instructor
import litellm
from celery import shared_task
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from litellm import Router
from llama_index.llms.openai import OpenAI as LlamaOpenAI
from openai import AsyncOpenAI, OpenAI
from pydantic import BaseModel

app = FastAPI()
client = OpenAI(timeout=30, max_retries=2)
aclient = AsyncOpenAI(timeout=30)
structured = instructor.from_openai(OpenAI())
router = Router(model_list=[{"model_name": "gpt-4o", "litellm_params": {"model": "azure/gpt-4o"}}], num_retries=3, timeout=30)
claude = anthropic.Anthropic(timeout=60)
SUPPORT_POLICY = """You are the customer support assistant of Acme Outdoor Gear. Follow these rules.
1. Refunds: explain the policy in plain words, quote the relevant clause number, never promise an outcome the policy does not allow, offer the self-service link first, escalate to a human agent when the customer asks twice, when the order value is above five hundred dollars, or when the customer mentions a legal dispute, and always confirm the order number before discussing account details or personal data of any kind.
   Examples for refunds: a customer who writes in anger gets a calm, short answer; a customer who writes in another language gets an answer in that language; a customer who asks about refunds for a business account is routed to the business desk with the account id and a one-line summary of the request, and the conversation is tagged with the topic 'refunds'.
2. Shipping delays: explain the policy in plain words, quote the relevant clause number, never promise an outcome the policy does not allow, offer the self-service link first, escalate to a human agent when the customer asks twice, when the order value is above five hundred dollars, or when the customer mentions a legal dispute, and always confirm the order number before discussing account details or personal data of any kind.
   Examples for shipping delays: a customer who writes in anger gets a calm, short answer; a customer who writes in another language gets an answer in that language; a customer who asks about shipping delays for a business account is routed to the business desk with the account id and a one-line summary of the request, and the conversation is tagged with the topic 'shipping delays'.
3. Damaged items: explain the policy in plain words, quote the relevant clause number, never promise an outcome the policy does not allow, offer the self-service link first, escalate to a human agent when the customer asks twice, when the order value is above five hundred dollars, or when the customer mentions a legal dispute, and always confirm the order number before discussing account details or personal data of any kind.
   Examples for damaged items: a customer who writes in anger gets a calm, short answer; a customer who writes in another language gets an answer in that language; a customer who asks about damaged items for a business account is routed to the business desk with the account id and a one-line summary of the request, and the conversation is tagged with the topic 'damaged items'.
4. Warranty claims: explain the policy in plain words, quote the relevant clause number, never promise an outcome the policy does not allow, offer the self-service link first, escalate to a human agent when the customer asks twice, when the order value is above five hundred dollars, or when the customer mentions a legal dispute, and always confirm the order number before discussing account details or personal data of any kind.
   Examples for warranty claims: a customer who writes in anger gets a calm, short answer; a customer who writes in another language gets an answer in that language; a customer who asks about warranty claims for a business account is routed to the business desk with the account id and a one-line summary of the request, and the conversation is tagged with the topic 'warranty claims'.
5. Subscription cancellations: explain the policy in plain words, quote the relevant clause number, never promise an outcome the policy does not allow, offer the self-service link first, escalate to a human agent when the customer asks twice, when the order value is above five hundred dollars, or when the customer mentions a legal dispute, and always confirm the order number before discussing account details or personal data of any kind.
   Examples for subscription cancellations: a customer who writes in anger gets a calm, short answer; a customer who writes in another language gets an answer in that language; a customer who asks about subscription cancellations for a business account is routed to the business desk with the account id and a one-line summary of the request, and the conversation is tagged with the topic 'subscription cancellations'.
6. Gift cards: explain the policy in plain words, quote the relevant clause number, never promise an outcome the policy does not allow, offer the self-service link first, escalate to a human agent when the customer asks twice, when the order value is above five hundred dollars, or when the customer mentions a legal dispute, and always confirm the order number before discussing account details or personal data of any kind.
   Examples for gift cards: a customer who writes in anger gets a calm, short answer; a customer who writes in another language gets an answer in that language; a customer who asks about gift cards for a business account is routed to the business desk with the account id and a one-line summary of the request, and the conversation is tagged with the topic 'gift cards'.
7. Price matching: explain the policy in plain words, quote the relevant clause number, never promise an outcome the policy does not allow, offer the self-service link first, escalate to a human agent when the customer asks twice, when the order value is above five hundred dollars, or when the customer mentions a legal dispute, and always confirm the order number before discussing account details or personal data of any kind.
   Examples for price matching: a customer who writes in anger gets a calm, short answer; a customer who writes in another language gets an answer in that language; a customer who asks about price matching for a business account is routed to the business desk with the account id and a one-line summary of the request, and the conversation is tagged with the topic 'price matching'.
8. International orders: explain the policy in plain words, quote the relevant clause number, never promise an outcome the policy does not allow, offer the self-service link first, escalate to a human agent when the customer asks twice, when the order value is above five hundred dollars, or when the customer mentions a legal dispute, and always confirm the order number before discussing account details or personal data of any kind.
   Examples for international orders: a customer who writes in anger gets a calm, short answer; a customer who writes in another language gets an answer in that language; a customer who asks about international orders for a business account is routed to the business desk with the account id and a one-line summary of the request, and the conversation is tagged with the topic 'international orders'.
9. Account security: explain the policy in plain words, quote the relevant clause number, never promise an outcome the policy does not allow, offer the self-service link first, escalate to a human agent when the customer asks twice, when the order value is above five hundred dollars, or when the customer mentions a legal dispute, and always confirm the order number before discussing account details or personal data of any kind.
   Examples for account security: a customer who writes in anger gets a calm, short answer; a customer who writes in another language gets an answer in that language; a customer who asks about account security for a business account is routed to the business desk with the account id and a one-line summary of the request, and the conversation is tagged with the topic 'account security'.
10. Data deletion requests: explain the policy in plain words, quote the relevant clause number, never promise an outcome the policy does not allow, offer the self-service link first, escalate to a human agent when the customer asks twice, when the order value is above five hundred dollars, or when the customer mentions a legal dispute, and always confirm the order number before discussing account details or personal data of any kind.
   Examples for data deletion requests: a customer who writes in anger gets a calm, short answer; a customer who writes in another language gets an answer in that language; a customer who asks about data deletion requests for a business account is routed to the business desk with the account id and a one-line summary of the request, and the conversation is tagged with the topic 'data deletion requests'.
"""


class Invoice(BaseModel):
    number: str
    total: float


def extract_invoice(email: str) -> Invoice:
    return structured.chat.completions.create(  # labels: LLM002 LLM004
        model="gpt-4o-mini",
        response_model=Invoice,
        messages=[{"role": "user", "content": f"Extract the invoice from this email:\n{email}"}],
    )


def quick_completion(messages: list[dict[str, str]]) -> str:
    response = litellm.completion(model="gpt-4o-mini", messages=messages)  # labels: LLM002 LLM004 LLM008
    return response.choices[0].message.content


def routed(messages: list[dict[str, str]]) -> str:
    response = router.completion(model="gpt-4o", messages=messages, max_tokens=500)  # labels: -
    return response.choices[0].message.content


llama = LlamaOpenAI(model="gpt-4o-mini", max_tokens=256, timeout=30)


def llama_complete(prompt: str) -> str:
    return str(llama.complete(prompt))  # labels: -


@app.post("/chat/stream")
async def chat_stream(body: dict[str, Any]) -> StreamingResponse:
    stream = await aclient.chat.completions.create(  # labels: -
        model="gpt-4o-mini",
        max_tokens=2000,
        stream=True,
        messages=[{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": body["q"]}],
    )

    async def gen():  # type: ignore[no-untyped-def]
        async for chunk in stream:
            yield chunk.choices[0].delta.content or ""

    return StreamingResponse(gen(), media_type="text/plain")


@app.post("/report")
async def long_report(body: dict[str, Any]) -> dict[str, str]:
    r = await aclient.chat.completions.create(  # labels: LLM006
        model="gpt-4o-mini",
        max_tokens=3000,
        messages=[{"role": "system", "content": "Write a detailed market report."}, {"role": "user", "content": body["topic"]}],
    )
    return {"report": r.choices[0].message.content or ""}


@shared_task
def summarize_document(doc_id: int, text: str, Document: Any) -> None:
    stream = client.chat.completions.create(  # labels: LLM006
        model="gpt-4o-mini",
        max_tokens=600,
        stream=True,
        messages=[{"role": "system", "content": "Summarize the document in five bullet points."}, {"role": "user", "content": text}],
    )
    summary = ""
    for chunk in stream:
        summary += chunk.choices[0].delta.content or ""
    Document.objects.filter(id=doc_id).update(summary=summary)


def ask(question: str) -> str:
    r = client.chat.completions.create(  # labels: -
        model="gpt-4o-mini",
        max_tokens=200,
        messages=[{"role": "system", "content": "Answer in one paragraph."}, {"role": "user", "content": question}],
    )
    return r.choices[0].message.content or ""


def ask_all(questions: list[str]) -> list[str]:
    return [ask(q) for q in questions]  # labels: LLM003


async def ask_async(question: str) -> str:
    r = await aclient.chat.completions.create(  # labels: -
        model="gpt-4o-mini",
        max_tokens=200,
        messages=[{"role": "user", "content": question}],
    )
    return r.choices[0].message.content or ""


async def ask_all_async(questions: list[str]) -> list[str]:
    return await asyncio.gather(*[ask_async(q) for q in questions])


def support_reply(message: str) -> str:
    r = claude.messages.create(  # labels: LLM009
        model="claude-sonnet-4-5",
        max_tokens=800,
        system=SUPPORT_POLICY,
        messages=[{"role": "user", "content": message}],
    )
    return r.content[0].text


def support_reply_cached(message: str) -> str:
    r = claude.messages.create(  # labels: -
        model="claude-sonnet-4-5",
        max_tokens=800,
        system=[{"type": "text", "text": SUPPORT_POLICY, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": message}],
    )
    return r.content[0].text


def support_reply_dated(message: str, today: str) -> str:
    r = claude.messages.create(  # labels: LLM001
        model="claude-sonnet-4-5",
        max_tokens=800,
        system=f"Date: {today}\n" + SUPPORT_POLICY,
        messages=[{"role": "user", "content": message}],
    )
    return r.content[0].text
