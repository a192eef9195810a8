"""Readers of provider bills: usage and cost exports, API reports, cloud billing rows.

``READERS`` is the registry `bill` auto-detects with (first match wins, so the more specific
formats come first) and `llm-audit formats` lists.
"""

from __future__ import annotations

from llm_audit.ingest.base import Reader
from llm_audit.ingest.billing.anthropic_cost_csv import AnthropicCostCsvReader
from llm_audit.ingest.billing.anthropic_cost_report import AnthropicCostReportReader
from llm_audit.ingest.billing.anthropic_usage_csv import AnthropicUsageCsvReader
from llm_audit.ingest.billing.anthropic_usage_report import AnthropicUsageReportReader
from llm_audit.ingest.billing.aws_cur import AwsCurReader
from llm_audit.ingest.billing.azure_cost import AzureCostReader
from llm_audit.ingest.billing.gcp_billing import GcpBillingReader
from llm_audit.ingest.billing.generic import GenericReader
from llm_audit.ingest.billing.openai_cost_csv import OpenAICostCsvReader
from llm_audit.ingest.billing.openai_costs_api import OpenAICostsApiReader
from llm_audit.ingest.billing.openai_usage_api import OpenAIUsageApiReader
from llm_audit.ingest.billing.openai_usage_csv import OpenAIUsageCsvReader

READERS: tuple[Reader, ...] = (
    OpenAIUsageCsvReader(),
    OpenAICostCsvReader(),
    OpenAIUsageApiReader(),
    OpenAICostsApiReader(),
    AnthropicUsageCsvReader(),
    AnthropicCostCsvReader(),
    AnthropicCostReportReader(),  # before usage: its token_type values name usage fields
    AnthropicUsageReportReader(),
    GcpBillingReader(),
    AwsCurReader(),
    AzureCostReader(),
    GenericReader(),
)

__all__ = ["READERS", "GenericReader"]
