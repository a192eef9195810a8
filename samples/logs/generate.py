"""Write samples/logs/requests.jsonl: 200 wrapped OpenAI chat completions, deterministically.

The sample the README uses for `llm-audit logs`. Each line is the wrapper the openai-jsonl
reader documents: {"timestamp", "request", "response", "latency_ms", "ttft_ms", "user",
"feature", "trace_id"}. Prompt token counts are the real o200k_base counts of the logged
messages, so the shared-prefix analysis and the usage agree. Four features, each showing one
pattern the report should find:

* support-chat (gpt-4o, streamed): a long static policy block placed AFTER the user's message;
* classify-ticket (gpt-5, not streamed): short in, short out, on a frontier model;
* nightly-digest (gpt-4o-mini, not streamed, one trace per night): batchable, some repeats;
* draft-email (gpt-4.1, not streamed, no max_tokens): long generations, a few truncated.

Run: python samples/logs/generate.py  (rewrites requests.jsonl next to this script)
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from llm_audit.tokens import count

OUT = Path(__file__).with_name("requests.jsonl")
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
POLICY = " ".join(
    f"Policy {i}: refunds within 30 days need an order number; escalate billing disputes over "
    f"$500 to a human; never share another customer's data; answer in the customer's language."
    for i in range(1, 41))
QUESTIONS = ["Where is my order?", "Can I get a refund for order 1182?", "My card was charged "
             "twice.", "How do I change my address?", "The app crashes when I log in.",
             "Do you ship to Norway?", "I want to cancel my subscription."]
USERS = [f"user_{i:03d}" for i in range(1, 41)]


def tokens(messages: list[dict[str, str]]) -> int:
    # ~3 tokens of chat framing per message, as OpenAI's cookbook counts them
    return sum(count(m["content"], "gpt-4o").tokens + 3 for m in messages) + 3


def line(rng: random.Random, i: int, when: datetime) -> dict[str, object]:
    kind = rng.choices(["support", "classify", "digest", "draft"], [45, 30, 15, 10])[0]
    user = rng.choice(USERS)
    trace = None
    if kind == "support":
        model, feature, stream, cap = "gpt-4o", "support-chat", True, 400
        messages = [{"role": "user", "content": rng.choice(QUESTIONS) + f" (ticket {i})"},
                    {"role": "system", "content": POLICY}]
        out = rng.randint(60, 380)
        cached = 0
        ttft = rng.uniform(350, 1600)
        gen = out / rng.uniform(55, 90) * 1000
    elif kind == "classify":
        model, feature, stream, cap = "gpt-5", "classify-ticket", False, 16
        messages = [{"role": "system", "content": "Label the ticket: billing, bug, shipping, "
                     "account or other. Answer with the label only."},
                    {"role": "user", "content": rng.choice(QUESTIONS) + f" (ticket {i})"}]
        out = rng.randint(2, 40)  # reasoning tokens included
        cached = 0
        ttft, gen = 0.0, rng.uniform(600, 2500)
    elif kind == "digest":
        model, feature, stream, cap = "gpt-4o-mini", "nightly-digest", False, 800
        night = when.date().isoformat()
        trace = f"digest-{night}"
        messages = [{"role": "system", "content": "Summarise the day's tickets for the team."},
                    {"role": "user", "content": f"Tickets for {night}, queue "
                     f"{rng.randint(1, 3)}: " + " ".join(QUESTIONS)}]
        out = rng.randint(300, 700)
        cached = 0
        ttft, gen = 0.0, out / rng.uniform(80, 120) * 1000
        user = None  # a scheduled job, not an end user
    else:
        model, feature, stream, cap = "gpt-4.1", "draft-email", False, None
        messages = [{"role": "system", "content": "Draft a friendly reply email."},
                    {"role": "user", "content": rng.choice(QUESTIONS) + f" (ticket {i})"}]
        out = rng.randint(600, 2400)
        cached = 0
        ttft, gen = 0.0, out / rng.uniform(40, 70) * 1000
    prompt = tokens(messages)
    finish = "length" if cap is not None and out >= cap else "stop"
    if cap is None and rng.random() < 0.15:
        finish = "length"
    if cap is not None:
        out = min(out, cap)
    reasoning = max(out - 8, 0) if model == "gpt-5" else 0
    request: dict[str, object] = {"model": model, "messages": messages, "stream": stream}
    if cap is not None:
        request["max_tokens" if model != "gpt-5" else "max_completion_tokens"] = cap
    if stream:
        request["stream_options"] = {"include_usage": True}
    latency = ttft + gen + rng.uniform(20, 120)
    record: dict[str, object] = {
        "timestamp": when.isoformat().replace("+00:00", "Z"),
        "request": request,
        "response": {
            "id": f"chatcmpl-sample{i:04d}", "object": "chat.completion",
            "created": int(when.timestamp()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "…"},
                         "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": out,
                      "total_tokens": prompt + out,
                      "prompt_tokens_details": {"cached_tokens": cached},
                      "completion_tokens_details": {"reasoning_tokens": reasoning}},
            "service_tier": "default",
        },
        "latency_ms": round(latency, 1),
        "ttft_ms": round(ttft, 1) if stream else None,
        "user": user,
        "feature": feature,
    }
    if trace:
        record["trace_id"] = trace
    return record


def main() -> None:
    rng = random.Random(20261122)
    when = START
    lines = []
    for i in range(200):
        when += timedelta(minutes=rng.randint(10, 200))
        lines.append(json.dumps(line(rng, i, when), ensure_ascii=False))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
