"""The `llm-audit` application and its one error boundary (exit codes 0/1/2/3).

Only this package imports typer, prints or exits; heavy libraries load inside commands so
that `llm-audit --help` stays fast.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Annotated

import typer

from llm_audit import __version__
from llm_audit.cli import bill as bill_cmd
from llm_audit.cli import diff as diff_cmd
from llm_audit.cli import estimate as estimate_cmd
from llm_audit.cli import fetch as fetch_cmd
from llm_audit.cli import formats as formats_cmd
from llm_audit.cli import gate as gate_cmd
from llm_audit.cli import logs as logs_cmd
from llm_audit.cli import pricing as pricing_cmd
from llm_audit.cli import prompts as prompts_cmd
from llm_audit.cli import rules as rules_cmd
from llm_audit.cli import snapshot as snapshot_cmd

app = typer.Typer(
    name="llm-audit",
    help="Audit what LLM features cost and how slow they are.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,  # locals can hold API keys
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"llm-audit {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Tracebacks and timings on stderr.")
                     ] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version.")] = False,
    max_price_age: Annotated[int | None, typer.Option(
        "--max-price-age", min=0, metavar="DAYS",
        help="Warn when the price data is older (default 30, or max-price-age in the config).",
    )] = None,
) -> None:
    """Audit what LLM features cost and how slow they are."""
    from llm_audit.pricing import age

    age.override = max_price_age  # set on every run: in-process runs must not inherit it
    age.as_of = None  # a command's --as-of sets it for that command only


app.command("estimate")(estimate_cmd.estimate)
app.command("formats")(formats_cmd.formats)
app.command("bill")(bill_cmd.bill)
app.command("logs")(logs_cmd.logs)
app.command("prompts")(prompts_cmd.prompts)
app.command("rules")(rules_cmd.rules)
app.command("rule")(rules_cmd.rule)
app.command("snapshot")(snapshot_cmd.snapshot)
app.command("diff")(diff_cmd.diff)
app.command("gate")(gate_cmd.gate)
app.command("fetch")(fetch_cmd.fetch)
app.add_typer(pricing_cmd.app, name="pricing")


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("LLM_AUDIT_DEBUG") == "1"


def run(argv: list[str] | None = None) -> None:
    """Console entry point: maps errors to exit codes, prints no traceback without --debug.

    typer turns usage errors into exit 2 itself (and `typer.Exit` into its code); everything
    that escapes a command lands here. As a process of its own (``argv`` None), once `bill`
    or `logs` has written its report it exits without the interpreter's teardown: freeing
    large tables object by object took longer than some reports.
    """
    if argv is not None:
        _run(argv)
        return
    try:
        _run(None)
    except SystemExit as e:
        if _report_done() and (e.code is None or isinstance(e.code, int)):
            _exit_now(e.code or 0)
        raise
    if _report_done():
        _exit_now(0)


def _report_done() -> bool:
    """A command whose tables are big (bill, logs) has written its report: freeing them
    object by object at exit is all that is left (0.2 s CPU on a 200 MB transcript dir)."""
    return bill_cmd.report_done or logs_cmd.report_done


def _exit_now(code: int) -> None:
    with contextlib.suppress(BrokenPipeError):  # a closed pipe (`| head`): exit 0, as in _run
        sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _run(argv: list[str] | None) -> None:
    from llm_audit.errors import LlmAuditError
    from llm_audit.redact import scrub  # no secret (an admin key) reaches stderr, even in --debug

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        app(args=args, prog_name="llm-audit")
    except LlmAuditError as e:
        if _debug_requested(args):
            import traceback

            sys.stderr.write(scrub(traceback.format_exc()))
        sys.stderr.write(scrub(f"error: {e.render()}") + "\n")
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:  # the internal-error boundary: exit 3
        if _debug_requested(args):
            import traceback

            sys.stderr.write(scrub(traceback.format_exc()))
        sys.stderr.write(scrub(f"internal error: {type(e).__name__}: {e}") + "\n"
                         "hint: rerun with --debug for a traceback, and report it\n")
        sys.exit(3)


if __name__ == "__main__":
    run()
