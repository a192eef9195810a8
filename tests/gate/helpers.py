"""A small project on disk whose one call site the gate tests change, commit and compare."""

from __future__ import annotations

import json
from pathlib import Path

PYPROJECT = """\
[project]
name = "shop"
version = "0.1.0"

[tool.llm-audit.usage]
default = 1000
"app/chat.py::answer" = {calls}
"""

APP = """\
from openai import OpenAI

client = OpenAI(timeout=10)


def answer(question: str) -> str:
    r = client.chat.completions.create(
        model="{model}",{cap}
        messages=[
            {{"role": "system", "content": "{system}"}},
            {{"role": "user", "content": question}},
        ],
    )
    return r.choices[0].message.content or ""
"""
SYSTEM = "You answer questions about orders."


def write_project(
    root: Path,
    *,
    model: str = "gpt-4o-mini",
    cap: int | None = 100,
    system: str = SYSTEM,
    calls: int = 100_000,
    gate: str = "",
) -> Path:
    (root / "app").mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT.format(calls=calls) + gate)
    cap_line = f"\n        max_tokens={cap}," if cap is not None else ""
    (root / "app" / "chat.py").write_text(APP.format(model=model, cap=cap_line, system=system))
    return root


def load_json(text: str) -> dict[str, object]:
    data = json.loads(text)
    assert isinstance(data, dict)
    return data
