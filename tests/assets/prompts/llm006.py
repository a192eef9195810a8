"""LLM006 stream-mismatch: cases."""
# ruff: noqa: E501

import queue

from fastapi import FastAPI
from openai import OpenAI

app = FastAPI()
client = OpenAI(timeout=60)
jobs: queue.Queue[str] = queue.Queue()


def summarise_to_queue(doc: str) -> None:
    stream = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}])  # expect: LLM006
    text = ""
    for chunk in stream:
        text += chunk.choices[0].delta.content or ""
    jobs.put(text)


def stream_to_user(doc: str):  # type: ignore[no-untyped-def]
    stream = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}])  # ok: LLM006
    for chunk in stream:
        yield chunk.choices[0].delta.content or ""


def print_live(doc: str) -> None:
    stream = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}])  # ok: LLM006
    for chunk in stream:
        print(chunk.choices[0].delta.content or "", end="", flush=True)


@app.post("/essay")
def essay(topic: str) -> dict[str, str]:
    r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=4000, messages=[{"role": "user", "content": topic}])  # expect: LLM006
    return {"text": r.choices[0].message.content or ""}


@app.post("/title")
def title(topic: str) -> dict[str, str]:
    r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=20, messages=[{"role": "user", "content": topic}])  # ok: LLM006
    return {"text": r.choices[0].message.content or ""}


class EssayView:  # a Django / DRF class-based view
    def post(self, request: object) -> dict[str, str]:
        r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=3000, messages=[{"role": "user", "content": str(request)}])  # expect: LLM006
        return {"text": r.choices[0].message.content or ""}

    def helper(self, request: object) -> dict[str, str]:
        r = client.chat.completions.create(model="gpt-4o-mini", max_tokens=3000, messages=[{"role": "user", "content": str(request)}])  # ok: LLM006
        return {"text": r.choices[0].message.content or ""}


def summarise_and_return(doc: str) -> str:
    stream = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}])  # ok: LLM006
    text = ""
    for chunk in stream:
        text += chunk.choices[0].delta.content or ""
    return text  # the caller may show it: not judged here


def summarise_to_db(session, Summary, doc: str) -> None:  # type: ignore[no-untyped-def]
    parts = []
    for chunk in client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}]):  # expect: LLM006
        parts.append(chunk.choices[0].delta.content or "")
    text = "".join(parts)
    session.add(Summary(body=text))
    session.commit()


def summarise_to_redis(redis, doc: str) -> None:  # type: ignore[no-untyped-def]
    stream = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}])  # expect: LLM006
    out = []
    for chunk in stream:
        out.append(chunk.choices[0].delta.content or "")
    redis.lpush("summaries", "".join(out))


def summarise_to_sqs(sqs, url: str, doc: str) -> None:  # type: ignore[no-untyped-def]
    stream = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}])  # expect: LLM006
    text = ""
    for chunk in stream:
        text += chunk.choices[0].delta.content or ""
    sqs.send_message(QueueUrl=url, MessageBody=text)


def summarise_to_task(index_task, doc: str) -> None:  # type: ignore[no-untyped-def]
    stream = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}])  # expect: LLM006
    text = ""
    for chunk in stream:
        text += chunk.choices[0].delta.content or ""
    index_task.delay(doc_id=1, summary=text)


def chunks_to_file(doc: str, path: str) -> None:
    with open(path, "w") as fh:
        for chunk in client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}]):  # expect: LLM006
            fh.write(chunk.choices[0].delta.content or "")


def chunks_to_stdout(doc: str) -> None:
    import sys

    for chunk in client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}]):  # ok: LLM006
        sys.stdout.write(chunk.choices[0].delta.content or "")


def joined_then_logged(log, doc: str) -> None:  # type: ignore[no-untyped-def]
    stream = client.chat.completions.create(model="gpt-4o-mini", max_tokens=500, stream=True, messages=[{"role": "user", "content": doc}])  # ok: LLM006
    text = ""
    for chunk in stream:
        text += chunk.choices[0].delta.content or ""
    log.info("summary: %s", text)  # a log line is not a sink of the answer
    jobs.put(doc)  # the queue gets the input, not the joined text


def anthropic_final_to_db(db, doc: str) -> None:  # type: ignore[no-untyped-def]
    import anthropic

    aclient = anthropic.Anthropic(timeout=60)
    with aclient.messages.stream(model="claude-3-5-haiku-20241022", max_tokens=800, messages=[{"role": "user", "content": doc}]) as stream:  # expect: LLM006
        message = stream.get_final_message()
    db.execute("insert into notes(body) values (?)", (message.content[0].text,))


def anthropic_stream_to_ui(ui, doc: str) -> None:  # type: ignore[no-untyped-def]
    import anthropic

    aclient = anthropic.Anthropic(timeout=60)
    with aclient.messages.stream(model="claude-3-5-haiku-20241022", max_tokens=800, messages=[{"role": "user", "content": doc}]) as stream:  # ok: LLM006
        for text in stream.text_stream:
            ui.render(text)
        final = stream.get_final_message()
    ui.save_history(final)
