"""Eval: retrieval-augmented answers (openai, LangChain), context assembly shapes."""
# ruff: noqa: E501
from __future__ import annotations

from pathlib import Path

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from openai import OpenAI

client = OpenAI(timeout=45)
llm = ChatOpenAI(model="gpt-4o-mini", max_tokens=512, timeout=30)
unbounded_llm = ChatOpenAI(model="gpt-4o-mini")
INSTRUCTIONS = "Answer only from the provided context. If the answer is not there, say you don't know."


def answer_all(question: str, documents: list[str]) -> str:
    context = "\n\n---\n\n".join(documents)
    r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, messages=[{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question}"}])  # labels: LLM007
    return r.choices[0].message.content or ""


def answer_top_k(question: str, store: object) -> str:
    docs = store.similarity_search(question, k=5)  # type: ignore[attr-defined]
    context = "\n\n".join(d.page_content for d in docs)
    r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, messages=[{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question}"}])  # labels: -
    return r.choices[0].message.content or ""


def answer_budgeted(question: str, chunks: list[str], count_tokens: object) -> str:
    picked, used = [], 0
    for c in chunks:
        n = count_tokens(c)  # type: ignore[operator]
        if used + n > 6000:
            break
        picked.append(c)
        used += n
    context = "\n".join(picked)
    r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, messages=[{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": f"{context}\n\n{question}"}])  # labels: -
    return r.choices[0].message.content or ""


def summarize_file(path: str) -> str:
    text = Path(path).read_text(encoding="utf-8")
    r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=800, messages=[{"role": "system", "content": "Summarize the document for an executive reader."}, {"role": "user", "content": text}])  # labels: LLM007
    return r.choices[0].message.content or ""


def lc_answer(question: str, context: str) -> str:
    msg = llm.invoke([SystemMessage(content=INSTRUCTIONS), HumanMessage(content=f"{context}\n\n{question}")])  # labels: -
    return str(msg.content)


def lc_question_first(question: str) -> str:
    msg = llm.invoke([HumanMessage(content=f"{question}\n\n{INSTRUCTIONS} Use bullet points and keep it under 200 words.")])  # labels: LLM001
    return str(msg.content)


def lc_no_cap(question: str) -> str:
    msg = unbounded_llm.invoke([("system", INSTRUCTIONS), ("human", question)])  # labels: LLM002 LLM004
    return str(msg.content)


def lc_batch(questions: list[str]) -> list[object]:
    return llm.batch([[("system", INSTRUCTIONS), ("human", q)] for q in questions])  # labels: -


def lc_each(questions: list[str]) -> list[object]:
    return [llm.invoke([("system", INSTRUCTIONS), ("human", q)]) for q in questions]  # labels: LLM003
