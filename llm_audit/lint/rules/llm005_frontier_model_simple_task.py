"""LLM005 frontier-model-for-simple-task: a frontier model hard-coded for a small job."""

from __future__ import annotations

import re
from collections.abc import Iterator

from llm_audit.lint.callsite import CallSite
from llm_audit.lint.rules.base import Confidence, Hit, RuleOptions, Severity, is_model_in

TASK_WORDS = re.compile(
    r"\b(classify|classification|categori[sz]e|category|label|sentiment|extract|"
    r"yes or no|yes/no|true or false|one word|only the (label|category|name|number)|"
    r"respond with (only|just)|answer with (only|just)|is this (spam|toxic)|detect (the )?"
    r"language|intent)\b",
    re.I,
)
TASK_FUNCTION = re.compile(
    r"(classif|categori|label|sentiment|extract|detect|is_|has_|"
    r"route|triage|tag|moderat)",
    re.I,
)


class FrontierModelForSimpleTask:
    """A frontier model hard-coded for classification, extraction or a yes/no answer.

    Small models (gpt-4o-mini, Haiku, Gemini Flash) classify and extract about as well as
    frontier ones at a tenth to a thirtieth of the price.

    Anti-pattern
    ------------
    ``model="gpt-4o"`` with "Classify the sentiment ... answer with one word" and
    ``max_tokens=5``; ``claude-opus`` behind a function named ``is_spam``.

    Best practice
    -------------
    Use a small model, or read the model name from configuration so that it can be swapped;
    evaluate the small model on a labelled sample before switching. The frontier and small
    model lists are rule options.
    """

    code = "LLM005"
    name = "frontier-model-for-simple-task"
    severity: Severity = "info"
    confidence: Confidence = "medium"
    summary = "A frontier model hard-coded for classification / extraction / yes-no."

    def check(self, site: CallSite, options: RuleOptions) -> Iterator[Hit]:
        if not site.model_hardcoded or not is_model_in(site.model, options.frontier_models):
            return
        if is_model_in(site.model, options.small_models):
            return
        signals = []
        m = TASK_WORDS.search(site.prompt_text_words)
        if m:
            signals.append(f"the prompt says {m.group(0)!r}")
        cap = next(
            (
                site.const(k)
                for k in ("max_tokens", "max_completion_tokens", "max_output_tokens")
                if site.const(k) is not None
            ),
            None,
        )
        if isinstance(cap, int) and cap <= options.small_output_tokens:
            signals.append(f"the output cap is {cap} tokens")
        if site.response_enum:
            signals.append("the response format is an enum")
        fn = site.function.rsplit(".", 1)[-1]
        if fn and TASK_FUNCTION.search(fn):
            signals.append(f"the function is named {fn}()")
        if not signals:
            return
        small = (
            next(
                (
                    s
                    for s in options.small_models
                    if s.split("-")[0] == site.model.lower().split("-")[0]
                ),
                options.small_models[0],
            )
            if site.model
            else options.small_models[0]
        )
        yield Hit(
            f"{site.model} for a simple task ({'; '.join(signals)})",
            f"try a small model (e.g. {small}) or read the model from config",
            confidence="high" if len(signals) >= 2 else None,
        )
