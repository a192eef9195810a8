"""The bundled price tables (pricing/*.yaml), shipped as llm_audit.pricing_data."""
