"""The renderer interface: a Report in, text out."""

from __future__ import annotations

from typing import Protocol

from llm_audit.report.model import Report


class Renderer(Protocol):
    name: str

    def render(self, report: Report, *, width: int = 100, color: bool = False) -> str: ...
