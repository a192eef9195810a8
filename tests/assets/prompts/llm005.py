"""LLM005 frontier-model-for-simple-task: cases."""
# ruff: noqa: E501

import os

from anthropic import Anthropic
from openai import OpenAI

client = OpenAI(timeout=30)
claude = Anthropic(timeout=30)
BIG = "gpt-4o"


def classify_ticket(text: str) -> object:
    return client.chat.completions.create(model=BIG, max_tokens=5, messages=[{"role": "system", "content": "Classify the ticket as billing, bug or other. Respond with only the label."}, {"role": "user", "content": text}])  # expect: LLM005


def is_spam(text: str) -> object:
    return claude.messages.create(model="claude-opus-4-1", max_tokens=3, messages=[{"role": "user", "content": text}])  # expect: LLM005


def small_model_classifier(text: str) -> object:
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=5, messages=[{"role": "system", "content": "Classify the ticket. Respond with only the label."}, {"role": "user", "content": text}])  # ok: LLM005


def configurable(text: str) -> object:
    return client.chat.completions.create(model=os.environ["CLASSIFIER_MODEL"], max_tokens=5, messages=[{"role": "system", "content": "Classify the ticket."}, {"role": "user", "content": text}])  # ok: LLM005


def write_report(data: str) -> object:
    return client.chat.completions.create(model=BIG, max_tokens=2000, messages=[{"role": "system", "content": "Write a detailed quarterly report from these figures."}, {"role": "user", "content": data}])  # ok: LLM005


def sentiment(text: str) -> object:
    return client.chat.completions.create(model="gpt-4.1", max_tokens=400, messages=[{"role": "user", "content": f"{text}"}])  # expect: LLM005
