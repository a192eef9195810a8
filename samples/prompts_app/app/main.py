"""The HTTP API."""

from __future__ import annotations

from fastapi import FastAPI

from app.llm import answer, openai_client, triage

api = FastAPI()


@api.post("/ask")
def ask(question: str) -> dict[str, str]:
    return {"answer": answer(question, articles=[])}


@api.post("/triage")
def triage_ticket(ticket: str) -> dict[str, str]:
    return {"queue": triage(ticket)}


@api.post("/draft")
def draft(ticket: str) -> dict[str, str]:
    r = openai_client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=2000,
        messages=[{"role": "user", "content": f"Draft a reply to this ticket:\n{ticket}"}],
    )
    return {"draft": r.choices[0].message.content or ""}
