"""`python -m llm_audit`."""

from llm_audit.cli.main import run

run()
