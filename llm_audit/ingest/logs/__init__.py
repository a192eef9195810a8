"""Request-log readers for `llm-audit logs`: the registry, in detection order.

Order matters where shapes overlap: batch outputs (``custom_id``) before bare responses, the
gateway exports before the generic shapes. ``generic`` is never auto-detected (``--map``).
"""

from __future__ import annotations

from llm_audit.ingest.logs.anthropic_batch import AnthropicBatchResultsReader
from llm_audit.ingest.logs.anthropic_messages import AnthropicMessagesReader
from llm_audit.ingest.logs.bedrock import BedrockInvocationLogReader
from llm_audit.ingest.logs.claude_code import ClaudeCodeTranscriptReader
from llm_audit.ingest.logs.gemini import GeminiGenerateContentReader
from llm_audit.ingest.logs.generic import GenericMappedReader
from llm_audit.ingest.logs.helicone import HeliconeReader
from llm_audit.ingest.logs.langfuse import LangfuseObservationsReader
from llm_audit.ingest.logs.litellm import LiteLLMSpendLogsReader
from llm_audit.ingest.logs.openai_batch import OpenAIBatchOutputReader
from llm_audit.ingest.logs.openai_jsonl import OpenAIResponsesJsonlReader
from llm_audit.ingest.logs.otel import OtelGenAiReader

READERS = (
    OpenAIBatchOutputReader(),
    AnthropicBatchResultsReader(),
    OpenAIResponsesJsonlReader(),
    AnthropicMessagesReader(),
    GeminiGenerateContentReader(),
    BedrockInvocationLogReader(),
    LiteLLMSpendLogsReader(),
    LangfuseObservationsReader(),
    HeliconeReader(),
    OtelGenAiReader(),
    ClaudeCodeTranscriptReader(),
    GenericMappedReader(),
)

__all__ = ["READERS"]
