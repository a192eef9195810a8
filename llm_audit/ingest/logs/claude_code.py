"""Claude Code local transcripts (``~/.claude/projects/**.jsonl``), read as ccusage does (5e).

One API message is written as several lines (one per content block) repeating the same usage:
rows are de-duplicated on (message.id, requestId) and the LAST line's usage is kept (the final
cumulative output count). Lines without ``message.usage`` are not usage; sidechain replays
are dropped; agent progress lines nest the message under ``data.message``. Token semantics
are Anthropic's (cache beside input; see ``_common.anthropic_usage``). Each session file is
a session (``sessionId``); the project directory is the feature.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from llm_audit.errors import InputError
from llm_audit.ingest.base import Source
from llm_audit.ingest.logs._common import (
    Collected,
    JsonRecordReader,
    Obj,
    ReadOptions,
    Row,
    anthropic_usage,
    as_dict,
    opt_float,
    opt_str,
)


def _message(record: Obj) -> Obj:
    msg = as_dict(record.get("message"))
    if not msg:
        msg = as_dict(as_dict(record.get("data")).get("message"))
        msg = as_dict(msg.get("message")) or msg
    return msg


def _usage_records(source: Source, options: ReadOptions, bad: list[str], first_line: int = 1
                   ) -> Iterator[tuple[int, object]]:
    """(line, record) of the lines that can carry usage. Most transcript lines are prompts and
    tool output without a ``"usage"`` key; they are not parsed at all, which is most of the
    speed. A broken line that mentions usage is reported like any other."""
    for number, line in source.lines():
        if '"usage"' not in line:
            continue
        number += first_line - 1
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as e:
            if options.skip_bad_lines:
                bad.append(f"{source.name}:{number}: broken JSON ({e.msg})")
                continue
            raise InputError(f"broken JSON line: {e.msg} (column {e.colno})",
                             path=source.name, line=number,
                             hint="fix or delete the line (an interrupted session can leave "
                             "a partial last line), or pass --skip-bad-lines") from e


class ClaudeCodeTranscriptReader(JsonRecordReader):
    name = "claude-code"
    description = "Claude Code transcripts (~/.claude/projects/*/*.jsonl), deduplicated"

    def accepts(self, record: Obj) -> bool:
        return "sessionId" in record and ("type" in record or "message" in record)

    def detect(self, source: Source) -> bool:
        # A transcript may open with `{"type":"summary","leafUuid":...}` lines that carry no
        # sessionId; judge by the first lines that parse, not only the first.
        for line in source.head.splitlines()[:20]:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if not isinstance(record, dict):
                return False
            if record.get("type") == "summary" and "leafUuid" in record:
                continue
            return self.accepts(record)
        return False

    def collect(self, source: Source, options: ReadOptions, first_line: int = 1) -> Collected:
        bad: list[str] = []
        skipped: list[str] = []
        by_key: dict[tuple[str, str], Row] = {}
        loose: list[Row] = []
        duplicates = 0
        parts = source.name.replace("\\", "/").split("/")
        project = parts[-2] if len(parts) >= 2 else None
        for line, record in _usage_records(source, options, bad, first_line):
            if not isinstance(record, dict) or record.get("isSidechain") is True:
                continue
            msg = _message(record)
            usage = as_dict(msg.get("usage"))
            if not usage or msg.get("model") == "<synthetic>":
                continue
            row = anthropic_usage(usage)
            row.update({
                "timestamp": opt_str(record.get("timestamp")),
                "provider": "anthropic",
                "model_raw": opt_str(msg.get("model")),
                "request_id": opt_str(record.get("requestId")),
                "message_id": opt_str(msg.get("id")),
                "session_id": opt_str(record.get("sessionId")),
                "feature": project,
                "billed_usd": opt_float(record.get("costUSD")),
                "status": "error" if record.get("isApiErrorMessage") else "success",
                "requests": 1,
                "source_file": source.name,
                "source_line": line,
            })
            mid, rid = row["message_id"], row["request_id"]
            if mid and rid:
                if (mid, rid) in by_key:
                    duplicates += 1
                # The later line has the final usage (the rule). ccusage keeps the
                # first; the two agree whenever the repeated lines carry the same usage.
                by_key[(mid, rid)] = row
            else:
                loose.append(row)
        return Collected([*by_key.values(), *loose], bad, skipped, duplicates)

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        raise NotImplementedError  # read() handles the whole file (it de-duplicates)
