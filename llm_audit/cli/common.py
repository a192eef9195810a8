"""Options every command shares, and how a report reaches stdout or --output."""

from __future__ import annotations

import enum
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from llm_audit.pricing.book import PriceBook
    from llm_audit.report.model import Report


class OutputFormat(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the report here (atomically).")
]
PricingOpt = Annotated[
    list[Path] | None,
    typer.Option("--pricing", help="Extra price table (YAML, or a folder of them such as "
                 "`pricing update` writes), merged over the bundled ones. Repeatable."),
]



def _max_price_age(value: int | None) -> int | None:
    """After the command, --max-price-age wins over the global one (set before it)."""
    if value is not None:
        from llm_audit.pricing import age

        age.override = value
    return value


MaxPriceAgeOpt = Annotated[
    int | None,
    typer.Option(
        "--max-price-age",
        min=0,
        metavar="DAYS",
        callback=_max_price_age,
        help="Warn when the price data is older (default 30, or max-price-age in the config).",
    ),
]


def load_book(extra: list[Path] | None) -> PriceBook:
    from llm_audit import config
    from llm_audit.pricing.book import PriceBook

    cfg = config.load()
    return PriceBook.load([*cfg.pricing, *(extra or [])])


def emit(report: Report, fmt: OutputFormat, output: Path | None,
         inputs: tuple[Path, ...] = ()) -> None:
    """Render and write; stdout carries the report only. Exit with the report's code."""
    from llm_audit.report import renderer

    if output is not None:
        check_output(output, inputs)
    report = stamp_prices(report, fmt.value)
    to_terminal = output is None and sys.stdout.isatty()
    width = os.get_terminal_size().columns if to_terminal else 160
    text = renderer(fmt.value).render(report, width=width, color=to_terminal and
                                      fmt is OutputFormat.table and "NO_COLOR" not in os.environ)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def stamp_prices(report: Report, fmt: str) -> Report:
    """``report`` with the age of its price data; every report says how old its prices are.

    Formats with no place for a warning line (json, csv and the findings formats sarif,
    gitlab, github) get it on stderr; json and sarif also carry the age as data.
    """
    if report.pricing is None:
        return report
    from dataclasses import replace

    from llm_audit import config
    from llm_audit.pricing import age

    cfg = config.load()
    limit = age.max_age_days(cfg.raw, str(cfg.path) if cfg.path else None)
    report = replace(report, pricing=age.stamp(report.pricing, limit))
    warning = report.pricing.warning() if report.pricing else None
    if warning and fmt not in (OutputFormat.table, OutputFormat.markdown):
        sys.stderr.write(warning + "\n")
    return report


def check_output(output: Path, inputs: tuple[Path, ...] = ()) -> None:
    """Refuse an --output that would overwrite an input or cannot be written, before any write.

    Commands that write more than the report (gate --update-baseline) call this first, so that
    a refused command writes nothing.
    """
    from llm_audit.errors import InputError

    target = output.resolve()
    if any(target == p.resolve() for p in inputs):
        raise InputError("--output names an input file; it would be overwritten",
                         path=str(output), hint="write the report to another file")
    if target.is_dir():
        raise InputError("--output names a folder", path=str(output),
                         hint="give a file name, e.g. report.md")
    if not target.parent.is_dir():
        raise InputError("--output is in a folder that does not exist", path=str(output),
                         hint=f"create the folder first (mkdir -p {output.parent})")


def write_atomic(path: Path, text: str) -> None:
    """Write next to the target, then rename: an interrupted write leaves the old file."""
    from llm_audit.errors import InputError

    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir() or not folder.is_dir():
        check_output(path)  # a usage error (exit 2), not an internal one
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise InputError(f"cannot write here: {e.strerror}", path=str(path),
                         hint="check the folder exists and is writable") from e
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, _mode_for(path))  # mkstemp's 0600: a report is no secret
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The file's own mode when it is replaced, else what a plain open() would give."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
