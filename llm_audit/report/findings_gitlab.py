"""GitLab Code Quality JSON for findings; fingerprints survive line moves."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from llm_audit.report.model import Report

SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


class GitlabRenderer:
    name = "gitlab"

    def render(self, report: Report, *, width: int = 100, color: bool = False) -> str:
        findings: Sequence[Mapping[str, Any]] = report.data.get("findings", [])  # type: ignore[assignment]
        seen: Counter[str] = Counter()
        out = []
        for f in findings:
            base = str(f["fingerprint"])
            seen[base] += 1
            # the same call text twice in one function: keep each issue's fingerprint unique
            fp = hashlib.md5(f"{base}:{seen[base]}".encode()).hexdigest()
            out.append(
                {
                    "description": f"{f['code']} {f['message']}",
                    "check_name": f"{f['code']} {f['name']}",
                    "fingerprint": fp,
                    "severity": SEVERITY[f["severity"]],
                    "location": {"path": f["path"], "lines": {"begin": f["line"]}},
                }
            )
        return json.dumps(out, indent=2) + "\n"
