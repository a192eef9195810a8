"""Renderers: one family, one registry; every command's Report goes through one of these."""

from __future__ import annotations

from typing import Literal

from llm_audit.report.base import Renderer
from llm_audit.report.csv import CsvRenderer
from llm_audit.report.json import JsonRenderer
from llm_audit.report.markdown import MarkdownRenderer
from llm_audit.report.table import TableRenderer

Format = Literal["table", "json", "csv", "markdown"]
RENDERERS: tuple[Renderer, ...] = (TableRenderer(), JsonRenderer(), CsvRenderer(),
                                   MarkdownRenderer())
BY_NAME: dict[str, Renderer] = {r.name: r for r in RENDERERS}


def renderer(name: str) -> Renderer:
    return BY_NAME[name]
