"""LLM002 missing-output-cap: a call with no cap on the tokens it may generate."""

from __future__ import annotations

from collections.abc import Iterator

from llm_audit.lint.callsite import CallSite
from llm_audit.lint.rules.base import Confidence, Hit, RuleOptions, Severity

REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")


def cap_names(site: CallSite) -> tuple[str, ...]:
    """The option names that cap output for this API (each API takes its own)."""
    if site.api == "responses":
        return ("max_output_tokens",)
    if site.sdk in ("google-genai", "google-generativeai"):
        return ("max_output_tokens",)
    if site.sdk == "vercel-ai":  # the JS front-end maps maxTokens/maxOutputTokens to these
        return ("max_output_tokens", "max_tokens")
    if site.sdk == "langchain":
        return ("max_tokens", "max_completion_tokens", "max_output_tokens", "num_predict")
    if site.sdk == "llama-index":
        return ("max_tokens", "max_new_tokens")
    return ("max_tokens", "max_completion_tokens")


class MissingOutputCap:
    """No ``max_tokens`` / ``max_completion_tokens`` / ``max_output_tokens`` on the call.

    Output tokens cost four to eight times input tokens and set most of the latency. Without a
    cap a runaway answer (a loop, a repeated list) runs to the model's limit, and you pay for it.

    Anti-pattern
    ------------
    ``client.chat.completions.create(model="gpt-4o", messages=msgs)``;
    ``client.responses.create(model="gpt-5", input=q, max_tokens=200)`` (wrong name for the
    Responses API); ``max_tokens`` on an o-series or GPT-5 chat call (rejected: they take
    ``max_completion_tokens``).

    Best practice
    -------------
    Cap every call with the name its API takes: ``max_completion_tokens`` (chat completions,
    required for o-series / GPT-5), ``max_output_tokens`` (Responses API, Gemini),
    ``max_tokens`` (Anthropic, LiteLLM, LangChain constructors). Size it from the longest answer
    you expect.
    """

    code = "LLM002"
    name = "missing-output-cap"
    severity: Severity = "warning"
    confidence: Confidence = "high"
    summary = "No output token cap; a runaway answer runs to the model's limit."

    def check(self, site: CallSite, options: RuleOptions) -> Iterator[Hit]:
        if site.is_batch_api or site.api == "batches":
            return
        if site.sdk == "anthropic" or (site.sdk == "langchain" and site.provider == "anthropic"):
            return  # the Messages API requires max_tokens; ChatAnthropic defaults to 1024
        model = (site.model or "").lower().rsplit("/", 1)[-1]
        if (
            site.api == "chat"
            and site.sdk in ("openai", "azure-openai")
            and model.startswith(REASONING_PREFIXES)
            and site.has("max_tokens")
            and not site.has("max_completion_tokens")
        ):
            yield Hit(
                f"{site.model} rejects max_tokens on chat completions", "use max_completion_tokens"
            )
            return
        names = cap_names(site)
        if site.has(*names) or site.kwargs_open:
            return
        if site.api == "responses" and site.has("max_tokens"):
            yield Hit(
                "the Responses API takes max_output_tokens, not max_tokens",
                "rename to max_output_tokens",
            )
            return
        best = (
            "max_completion_tokens"
            if "max_completion_tokens" in names
            and (model.startswith(REASONING_PREFIXES) or site.sdk != "litellm")
            else names[0]
        )
        yield Hit(
            f"no output cap ({' / '.join(names)}): a runaway answer runs to the model's limit",
            f"add {best}=<the longest answer you expect>",
        )
