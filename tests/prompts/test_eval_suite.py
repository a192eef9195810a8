"""The evaluation suite: hand-labelled call sites; precision and recall per rule.

Every call site in ``tests/assets/prompts/eval/`` carries ``labels: ...`` on its first line, or
on the line a finding about it is reported on when that is outside the call (``-`` for none).
A label is the reviewer's judgement of the code, made before running the tool. Run
``python -m tests.prompts.test_eval_suite`` to print the table (the README shows it).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from llm_audit.lint.engine import lint_source
from llm_audit.lint.rules import RULES
from llm_audit.lint.rules.base import RuleOptions

EVAL = Path(__file__).parent.parent / "assets" / "prompts" / "eval"
LABEL = re.compile(r"labels:\s*(.*)$")


def evaluate() -> tuple[int, dict[str, tuple[int, int, int]], list[str]]:
    """(call sites, code -> (tp, fp, fn), problems) over the whole suite."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    problems: list[str] = []
    n_sites = 0
    for path in sorted(EVAL.iterdir()):
        if path.suffix not in (".py", ".ts"):
            continue
        text = path.read_text()
        labels: dict[int, set[str]] = {}
        for n, line in enumerate(text.splitlines(), 1):
            m = LABEL.search(line)
            if m:
                labels[n] = {c for c in m.group(1).split() if c.startswith("LLM")}
        findings, sites, _ = lint_source(path.name, text, list(RULES), RuleOptions())
        n_sites += len(sites)
        for s in sites:
            if s.line not in labels:
                problems.append(f"{path.name}:{s.line}: call site without labels")
        # labels sit on a call's first line, or where a finding about the call is reported
        # when that is elsewhere (LLM003 on the loop over a helper); LLM001 may point at a
        # message inside the call or in an options object built before it: its call site
        predicted = {(f.line if f.line in labels else f.site.line, f.code) for f in findings}
        truth = {(ln, c) for ln, codes in labels.items() for c in codes}
        for ln, code in predicted:
            if ln not in labels:
                problems.append(f"{path.name}:{ln}: {code} on an unlabelled line")
        for item in predicted & truth:
            tp[item[1]] += 1
        for item in predicted - truth:
            fp[item[1]] += 1
        for item in truth - predicted:
            fn[item[1]] += 1
    return n_sites, {r.code: (tp[r.code], fp[r.code], fn[r.code]) for r in RULES}, problems


def table() -> str:
    n, scores, _ = evaluate()
    rows = [
        f"Evaluation suite: {n} call sites, hand-labelled for every rule.",
        "",
        "| rule | name | TP | FP | FN | precision | recall |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in RULES:
        t, f, m = scores[r.code]
        p = f"{t / (t + f):.2f}" if t + f else "-"
        rc = f"{t / (t + m):.2f}" if t + m else "-"
        rows.append(f"| {r.code} | {r.name} | {t} | {f} | {m} | {p} | {rc} |")
    return "\n".join(rows)


def test_suite_is_labelled_and_meets_targets() -> None:
    n, scores, problems = evaluate()
    assert problems == []
    assert n >= 60
    for code, (t, f, m) in scores.items():
        assert t + m > 0, f"{code}: the suite has no positive case"
        assert t / (t + f) >= 0.9 if t + f else True, f"{code}: precision {t}/{t + f}"
        if code in ("LLM001", "LLM002", "LLM003", "LLM004"):
            assert t / (t + m) >= 0.8, f"{code}: recall {t}/{t + m}"


def test_readme_table_is_current() -> None:
    """The README prints what the suite scores now, so it cannot go stale."""
    readme = (EVAL.parents[3] / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- eval-table:start -->\n", "\n<!-- eval-table:end -->"
    assert start in readme and end in readme
    shown = readme.split(start, 1)[1].split(end, 1)[0]
    assert shown == table(), (
        "README eval table is stale: paste `python -m tests.prompts.test_eval_suite`"
    )


if __name__ == "__main__":
    print(table())
    for p in evaluate()[2]:
        print(p)
