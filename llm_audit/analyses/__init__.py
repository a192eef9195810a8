"""llm-audit."""
