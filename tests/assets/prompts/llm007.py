"""LLM007 unbounded-context: cases."""
# ruff: noqa: E501

from pathlib import Path

from openai import OpenAI

client = OpenAI(timeout=30)


def answer_over_all_docs(question: str, docs: list[str]) -> object:
    context = "\n\n".join(docs)
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": "Answer from the context only."}, {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question}"}])  # expect: LLM007


def answer_top_k(question: str, docs: list[str]) -> object:
    context = "\n\n".join(docs[:5])
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": "Answer from the context only."}, {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question}"}])  # ok: LLM007


def answer_retrieved(question: str, store: object) -> object:
    hits = store.similarity_search(question, k=4)  # type: ignore[attr-defined]
    context = "\n\n".join(h.page_content for h in hits)
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": "Answer from the context only."}, {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question}"}])  # ok: LLM007


def whole_file(path: str) -> object:
    text = Path(path).read_text()
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": "Summarise the file."}, {"role": "user", "content": text}])  # expect: LLM007


def file_head(path: str) -> object:
    text = Path(path).read_text()[:8000]
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": "Summarise the file."}, {"role": "user", "content": text}])  # ok: LLM007


class Chat:
    def __init__(self) -> None:
        self.history: list[dict[str, str]] = []

    def say(self, text: str) -> str:
        self.history.append({"role": "user", "content": text})
        r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=self.history)  # expect: LLM007
        self.history.append({"role": "assistant", "content": r.choices[0].message.content or ""})
        return r.choices[0].message.content or ""


class RecentChat:
    def __init__(self) -> None:
        from collections import deque

        self.history: deque[dict[str, str]] = deque(maxlen=20)

    def say(self, text: str) -> object:
        self.history.append({"role": "user", "content": text})
        return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": "Be brief."}, *self.history])  # ok: LLM007


def retrieved_top_k(question: str, vectorstore: object) -> object:
    docs = vectorstore.similarity_search(question)  # type: ignore[attr-defined]  # a retriever's top k
    context = "\n".join(d.page_content for d in docs)
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": "Answer from the context only."}, {"role": "user", "content": f"{context}\n\n{question}"}])  # ok: LLM007


def every_row(question: str, cursor: object) -> object:
    rows = cursor.fetchall()  # type: ignore[attr-defined]
    context = "\n".join(str(r) for r in rows)
    return client.chat.completions.create(model="gpt-4o-mini", max_tokens=300, messages=[{"role": "system", "content": "Answer from the rows only."}, {"role": "user", "content": f"{context}\n\n{question}"}])  # expect: LLM007
