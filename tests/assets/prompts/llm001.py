"""LLM001 dynamic-before-static: cases."""
# ruff: noqa: E501

import datetime
import json
import uuid

from openai import OpenAI

client = OpenAI(timeout=30)
RULES = "You are a support agent for Acme. Answer politely, cite the policy, never guess."


def question_first(question: str) -> object:
    prompt = f"{question}\n\nYou are a support agent for Acme. Answer politely and cite the policy."
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": prompt}])  # expect: LLM001


def static_first(question: str) -> object:
    prompt = f"You are a support agent for Acme. Answer politely and cite the policy.\n\n{question}"
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": prompt}])  # ok: LLM001


def timestamp_in_system(question: str) -> object:
    system = f"{RULES}\nCurrent time: {datetime.datetime.now().isoformat()}"
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": system}, {"role": "user", "content": question}])  # expect: LLM001


def timestamp_in_user_message(question: str) -> object:
    user = f"{question}\n(asked at {datetime.datetime.now().isoformat()})"
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": RULES}, {"role": "assistant", "content": "Hi"}, {"role": "user", "content": user}])  # ok: LLM001


def request_id_in_system(question: str) -> object:
    system = "Request " + str(uuid.uuid4()) + ". " + RULES
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": system}, {"role": "user", "content": question}])  # expect: LLM001


def user_before_system(question: str) -> object:
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": question}, {"role": "system", "content": RULES}])  # expect: LLM001


def unsorted_json(record: dict[str, object]) -> object:
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": RULES}, {"role": "user", "content": json.dumps(record)}])  # expect: LLM001


def sorted_json(record: dict[str, object]) -> object:
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": RULES}, {"role": "user", "content": json.dumps(record, sort_keys=True)}])  # ok: LLM001


def set_in_prompt(tags: list[str]) -> object:
    listed = ", ".join(set(tags))
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": RULES}, {"role": "user", "content": "Tags: " + listed}])  # expect: LLM001


def short_variable_then_short_text(name: str) -> object:
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": f"{name}, hi"}])  # ok: LLM001


def format_template(question: str) -> object:
    template = "{q}\n\nAnswer as a pirate. Keep it under three sentences and stay in character."
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "user", "content": template.format(q=question)}])  # expect: LLM001


def langchain_template_first(question: str, context: str) -> object:
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_openai import ChatOpenAI

    chain = ChatPromptTemplate.from_messages([("system", "{context}\n\nYou are a support agent for Acme. Answer only from the context above."), ("human", "{question}")]) | ChatOpenAI(model="gpt-4o-mini", max_tokens=300, timeout=20)  # expect: LLM001
    return chain.invoke({"question": question, "context": context})


def langchain_template_static_first(question: str, context: str) -> object:
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_openai import ChatOpenAI

    chain = ChatPromptTemplate.from_messages([("system", "You are a support agent for Acme. Answer only from the context."), ("human", "{context}\n\n{question}")]) | ChatOpenAI(model="gpt-4o-mini", max_tokens=300, timeout=20)  # ok: LLM001
    return chain.invoke({"question": question, "context": context})


def labelled_date_first(question: str, today: str) -> object:
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": f"Date: {today}\nYou are the support agent of Acme. Follow the refund policy and answer briefly."}, {"role": "user", "content": question}])  # expect: LLM001


def long_intro_then_name(question: str, name: str) -> object:
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": f"You are the support agent of Acme. Follow the refund policy and answer briefly. The customer is {name}."}, {"role": "user", "content": question}])  # ok: LLM001
