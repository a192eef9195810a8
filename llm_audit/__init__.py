"""llm-audit: what LLM features cost and how slow they are."""

__version__ = "0.1.0"
