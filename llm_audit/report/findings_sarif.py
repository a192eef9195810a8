"""SARIF 2.1.0 for findings (GitHub code scanning): rules with help, fingerprints, dollars."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from llm_audit import __version__
from llm_audit.report.json import payload
from llm_audit.report.model import Report

LEVEL = {"error": "error", "warning": "warning", "info": "note"}


class SarifRenderer:
    name = "sarif"

    def render(self, report: Report, *, width: int = 100, color: bool = False) -> str:
        rules: Sequence[Mapping[str, Any]] = report.data.get("rules", [])  # type: ignore[assignment]
        findings: Sequence[Mapping[str, Any]] = report.data.get("findings", [])  # type: ignore[assignment]
        index = {r["code"]: i for i, r in enumerate(rules)}
        doc = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "llm-audit",
                            "version": __version__,
                            "informationUri": "https://github.com/llm-audit/llm-audit",
                            "rules": [
                                {
                                    "id": r["code"],
                                    "name": r["name"],
                                    "shortDescription": {"text": r["summary"]},
                                    "fullDescription": {"text": r["doc"].split("\n", 1)[0]},
                                    "help": {"text": r["doc"], "markdown": r["doc"]},
                                    "defaultConfiguration": {"level": LEVEL[r["severity"]]},
                                    "properties": {
                                        "precision": r["confidence"],
                                        "tags": ["llm", "cost", "performance"],
                                    },
                                }
                                for r in rules
                            ],
                        }
                    },
                    "automationDetails": {"id": "llm-audit/prompts/"},
                    # the price data's version and age, as in the JSON report's "pricing"
                    "properties": {"pricing": payload(report)["pricing"]},
                    "columnKind": "unicodeCodePoints",
                    "results": [
                        {
                            "ruleId": f["code"],
                            "ruleIndex": index.get(f["code"], 0),
                            "level": LEVEL[f["severity"]],
                            "message": {"text": f"{f['message']} (fix: {f['fix']})"},
                            "locations": [
                                {
                                    "physicalLocation": {
                                        "artifactLocation": {
                                            "uri": f["path"],
                                            "uriBaseId": "%SRCROOT%",
                                        },
                                        "region": {
                                            "startLine": f["line"],
                                            "startColumn": f["column"],
                                        },
                                    }
                                }
                            ],
                            "partialFingerprints": {"llmAudit/v1": f["fingerprint"]},
                            "properties": {
                                "confidence": f["confidence"],
                                "model": f["model"],
                                "static_prompt_tokens": f["static_prompt_tokens"],
                                "usd_per_call": f["cost_per_call"],
                                "usd_per_month_at_stake": f["usd_per_month_at_stake"],
                                "calls_per_month": f["calls_per_month"],
                            },
                        }
                        for f in findings
                    ],
                }
            ],
        }
        return json.dumps(doc, indent=2) + "\n"
