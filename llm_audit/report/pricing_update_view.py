"""The change list of `pricing update`: new models, changed prices, models the source dropped."""

from __future__ import annotations

from llm_audit.pricing.tables import Provenance
from llm_audit.pricing.update import UpdatePlan
from llm_audit.report.model import Col, Report, Section

_ORDER = {"new": 0, "changed": 1, "removed": 2}


def update_report(plan: UpdatePlan, provenance: Provenance, dry_run: bool) -> Report:
    """The change list, shown before anything is written (the CLI writes after printing)."""
    changes = sorted(plan.changes, key=lambda c: (_ORDER[c.kind], c.provider, c.model))
    rows = tuple(
        {
            "change": c.kind,
            "provider": c.provider,
            "model": c.model,
            "source_id": c.source_id,
            "effective": c.effective or "",
            "details": c.details,
        }
        for c in changes
    )
    section = Section(
        "Changes",
        (
            Col("change", "change"),
            Col("provider", "provider"),
            Col("model", "model"),
            Col("effective", "from"),
            Col("details", "what"),
        ),
        rows,
        notes=() if rows else ("no differences: the tables agree with the source",),
    )
    files = [plan.out_dir / name for name in plan.tables]
    if dry_run:
        outcome = f"nothing written (--dry-run); would write {', '.join(map(str, files))}"
    else:
        outcome = "writing " + ", ".join(map(str, files))
    headline = (
        ("source", f"{plan.source} ({plan.url})"),
        ("new models", str(plan.count("new"))),
        ("changed prices", str(plan.count("changed"))),
        ("removed from the source (kept)", str(plan.count("removed"))),
        ("unchanged", str(plan.matched - plan.count("changed"))),
        ("output", outcome),
    )
    notes = [
        f"{plan.variants_skipped} source entries are dated, regional or duplicate variants of a "
        f"listed model; {plan.source_skipped} are not token-priced models of our providers",
        *plan.notes,
    ]
    if not dry_run:
        notes.append(
            f"use them with --pricing {plan.out_dir} (or pricing = "
            f'["{plan.out_dir}"] in [tool.llm-audit])'
        )
    return Report(
        command="pricing update",
        title=f"Price update from {plan.source}",
        headline=headline,
        sections=(section,),
        pricing=provenance,
        data={
            "source": plan.source,
            "url": plan.url,
            "output": str(plan.out_dir),
            "files": [str(p) for p in files],
            "dry_run": dry_run,
            "changes": [dict(r) for r in rows],
            "counts": {k: plan.count(k) for k in ("new", "changed", "removed")},
        },
        notes=tuple(notes),
    )
