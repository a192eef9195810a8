"""A small helpdesk backend that calls LLMs: the sample `llm-audit prompts` lints."""
