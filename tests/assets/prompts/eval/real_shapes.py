"""Eval: the shapes most open-source code has (black-formatted, clients on self, v0 + v1).

Labelled by hand before running the tool; the label sits on the call's first line.
"""
# ruff: noqa: E501
from __future__ import annotations

import datetime
import json
import os
import time
from typing import Any

import anthropic
import google.generativeai as genai
import openai
import requests
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from openai import AsyncOpenAI, OpenAI
from tenacity import retry, stop_after_attempt, wait_random_exponential

OPENAI_MODEL = os.getenv("OPENAI_MODEL", "gpt-4o-mini")


class OpenAIChatClient:
    """A wrapper class: the client on self, the model from the constructor."""

    def __init__(self, api_key: str, model: str = "gpt-3.5-turbo") -> None:
        self.client = OpenAI(api_key=api_key)
        self.model = model

    def chat(self, messages: list[dict[str, str]], temperature: float = 0.7) -> str:
        resp = self.client.chat.completions.create(  # labels: LLM002 LLM004
            model=self.model,
            messages=messages,
            temperature=temperature,
        )
        return resp.choices[0].message.content or ""

    def chat_capped(self, messages: list[dict[str, str]], max_tokens: int = 512) -> str:
        resp = self.client.chat.completions.create(  # labels: LLM004
            model=self.model,
            messages=messages,
            max_tokens=max_tokens,
        )
        return resp.choices[0].message.content or ""


class TimedClient:
    def __init__(self) -> None:
        self.client = OpenAI(timeout=30.0, max_retries=3)

    def complete(self, prompt: str) -> str:
        resp = self.client.chat.completions.create(  # labels: -
            model=OPENAI_MODEL,
            messages=[{"role": "user", "content": prompt}],
            max_tokens=400,
        )
        return resp.choices[0].message.content or ""


def legacy_completion(messages: list[dict[str, str]], model: str = "gpt-3.5-turbo") -> str:
    # openai<1.0: no client object, no default retries
    response = openai.ChatCompletion.create(  # labels: LLM002 LLM004 LLM008
        model=model,
        messages=messages,
        temperature=0,
    )
    return response["choices"][0]["message"]["content"]


@retry(wait=wait_random_exponential(min=1, max=40), stop=stop_after_attempt(3))
def legacy_with_tenacity(messages: list[dict[str, str]]) -> str:
    response = openai.ChatCompletion.create(  # labels: LLM004
        model="gpt-3.5-turbo",
        messages=messages,
        max_tokens=256,
    )
    return response["choices"][0]["message"]["content"]


def module_level_client(prompt: str) -> str:
    # openai>=1 module client: the ten-minute default timeout
    response = openai.chat.completions.create(  # labels: LLM002 LLM004
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": prompt}],
    )
    return response.choices[0].message.content or ""


def system_prompt_with_date(question: str, client: OpenAI) -> str:
    today = datetime.datetime.now().strftime("%Y-%m-%d")
    system = f"Today is {today}. You are a helpful assistant for ACME Corp. Answer briefly and cite the policy section."
    response = client.chat.completions.create(  # labels: LLM001
        model="gpt-4o-mini",
        max_tokens=300,
        messages=[
            {"role": "system", "content": system},
            {"role": "user", "content": question},
        ],
    )
    return response.choices[0].message.content or ""


def user_name_first(name: str, question: str, client: OpenAI) -> str:
    response = client.chat.completions.create(  # labels: LLM001
        model="gpt-4o-mini",
        max_tokens=300,
        messages=[
            {"role": "system", "content": f"{name} is talking to you. You are the support assistant of ACME; follow the refund policy strictly."},
            {"role": "user", "content": question},
        ],
    )
    return response.choices[0].message.content or ""


def grade_answers(rows: list[dict[str, Any]], client: OpenAI) -> list[str]:
    grades = []
    for row in rows:
        completion = client.chat.completions.create(  # labels: LLM003
            model="gpt-4o-mini",
            max_tokens=5,
            temperature=0,
            messages=[
                {"role": "system", "content": "Grade the answer as CORRECT or INCORRECT."},
                {"role": "user", "content": f"Question: {row['q']}\nAnswer: {row['a']}"},
            ],
        )
        grades.append(completion.choices[0].message.content or "")
        time.sleep(0.5)
    return grades


def is_toxic(comment: str, client: OpenAI) -> bool:
    completion = client.chat.completions.create(  # labels: LLM005
        model="gpt-4o",
        max_tokens=1,
        messages=[
            {"role": "system", "content": "Answer yes or no: is the following comment toxic?"},
            {"role": "user", "content": comment},
        ],
    )
    return (completion.choices[0].message.content or "").lower().startswith("y")


def raw_requests(prompt: str) -> str:
    headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}", "Content-Type": "application/json"}
    payload = {
        "model": "gpt-3.5-turbo",
        "messages": [{"role": "user", "content": prompt}],
        "max_tokens": 200,
    }
    r = requests.post("https://api.openai.com/v1/chat/completions", headers=headers, json=payload)  # labels: LLM004 LLM008
    return r.json()["choices"][0]["message"]["content"]


def raw_requests_timeout(prompt: str) -> str:
    r = requests.post(  # labels: LLM002 LLM008
        "https://api.openai.com/v1/chat/completions",
        headers={"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"},
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]},
        timeout=60,
    )
    return r.json()["choices"][0]["message"]["content"]


aclient = AsyncOpenAI(timeout=20)


async def agenerate(prompt: str, **kwargs: Any) -> str:
    response = await aclient.chat.completions.create(  # labels: -
        model=OPENAI_MODEL,
        messages=[{"role": "user", "content": prompt}],
        **kwargs,
    )
    return response.choices[0].message.content or ""


claude = anthropic.Anthropic()
TOOLS = [{"name": "search", "description": "Search the docs", "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}}}]


def run_agent(task: str, dispatch: Any) -> str:
    messages: list[dict[str, Any]] = [{"role": "user", "content": task}]
    for _ in range(10):
        response = claude.messages.create(  # labels: LLM004
            model="claude-3-5-sonnet-20241022",
            max_tokens=2048,
            system="You are a research agent. Use the search tool when you need facts.",
            tools=TOOLS,
            messages=messages,
        )
        messages.append({"role": "assistant", "content": response.content})
        if response.stop_reason != "tool_use":
            break
        results = [dispatch(b) for b in response.content if b.type == "tool_use"]
        messages.append({"role": "user", "content": results})
    return str(messages[-1]["content"])


class ChatSession:
    """A REPL chat: every turn re-sends the whole conversation."""

    def __init__(self) -> None:
        self.client = anthropic.Anthropic(timeout=60)
        self.history: list[dict[str, str]] = []

    def send(self, text: str) -> str:
        self.history.append({"role": "user", "content": text})
        reply = self.client.messages.create(  # labels: LLM007
            model="claude-3-haiku-20240307",
            max_tokens=1024,
            messages=self.history,
        )
        self.history.append({"role": "assistant", "content": reply.content[0].text})
        return reply.content[0].text


genai.configure(api_key=os.environ.get("GOOGLE_API_KEY"))
gemini = genai.GenerativeModel("gemini-1.5-flash")


def gemini_summary(text: str) -> str:
    response = gemini.generate_content(f"Summarize the following text in three bullet points:\n\n{text}")  # labels: LLM002 LLM004 LLM008
    return response.text


def gemini_capped(text: str) -> str:
    response = gemini.generate_content(  # labels: LLM008
        ["Extract the invoice number from this email.", text],
        generation_config=genai.GenerationConfig(max_output_tokens=64, temperature=0),
        request_options={"timeout": 30},
    )
    return response.text


lc_llm = ChatOpenAI(model="gpt-4o-mini", temperature=0, max_tokens=300, timeout=30)
prompt = ChatPromptTemplate.from_messages([("system", "You translate English to French."), ("human", "{text}")])
chain = prompt | lc_llm | StrOutputParser()


def translate(text: str) -> str:
    return chain.invoke({"text": text})  # labels: -


def translate_many(texts: list[str]) -> list[str]:
    return chain.batch([{"text": t} for t in texts])  # labels: -


def classify_tickets_json(tickets: list[dict[str, str]], client: OpenAI) -> str:
    response = client.chat.completions.create(  # labels: LLM007
        model="gpt-4o-mini",
        max_tokens=1000,
        messages=[
            {"role": "system", "content": "Classify each ticket as billing, bug or other. Reply with JSON."},
            {"role": "user", "content": "\n".join(json.dumps(t) for t in tickets)},
        ],
    )
    return response.choices[0].message.content or ""
