"""`llm-audit fetch openai|anthropic`: usage and cost reports from the admin APIs, as files."""

from __future__ import annotations

import datetime as dt
import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from llm_audit.fetch.base import Endpoint, Progress

if TYPE_CHECKING:
    from rich.progress import Progress as Bar
    from rich.progress import TaskID


class ProviderName(enum.StrEnum):
    openai = "openai"
    anthropic = "anthropic"


class Bucket(enum.StrEnum):
    d = "1d"
    h = "1h"
    m = "1m"


def _day(value: str, flag: str) -> dt.datetime:
    from llm_audit.errors import InputError

    try:
        day = dt.date.fromisoformat(value)
    except ValueError as e:
        raise InputError(f"{flag} {value!r} is not a date", hint="use YYYY-MM-DD (UTC)") from e
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


class _Reporter(Progress):
    """Progress on stderr: a bar on a TTY only; retry waits are always said (stderr)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.bar: Bar | None = None
        self.task: TaskID | None = None

    def start(self, total_windows: int) -> None:
        if not self.tty:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
        from rich.progress import Progress as RichProgress

        bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = bar.add_task("fetching", total=total_windows)
        bar.start()
        self.bar = bar

    def page(self, endpoint: Endpoint, window: int, page: int, results: int) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, description=f"{endpoint.path} page {page}")

    def window_done(self) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.advance(self.task)

    def wait(self, seconds: float, why: str) -> None:
        from llm_audit.redact import scrub

        sys.stderr.write(scrub(f"retrying in {seconds:.3g} s: {why}") + "\n")
        sys.stderr.flush()

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def fetch(
    provider: Annotated[ProviderName, typer.Argument(help="Whose admin API to read.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the page files.")],
    since: Annotated[str, typer.Option(help="First day, YYYY-MM-DD (UTC).")],
    until: Annotated[
        str | None, typer.Option(help="Last day included, YYYY-MM-DD (UTC). Default: today.")
    ] = None,
    bucket: Annotated[
        Bucket, typer.Option(help="Usage bucket width (costs are daily).")
    ] = Bucket.d,
    group_by: Annotated[
        str | None,
        typer.Option(
            help="KEY[,KEY] for the usage report (model is always included). "
            "Default: every key `bill` uses."
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the fetch saved in the folder.")
    ] = False,
    base_url: Annotated[
        str | None, typer.Option(help="API root up to /v1, for proxies (default: the provider's).")
    ] = None,
    key_env: Annotated[
        str | None,
        typer.Option(
            help="Variable holding the admin key (default OPENAI_ADMIN_KEY or "
            "ANTHROPIC_ADMIN_KEY). Keys are never taken as a value."
        ),
    ] = None,
    connect_timeout: Annotated[float, typer.Option(help="Seconds to connect.")] = 10.0,
    read_timeout: Annotated[float, typer.Option(help="Seconds to wait for an answer.")] = 60.0,
    retries: Annotated[int, typer.Option(help="Retries on 429, 5xx and timeouts.")] = 5,
    max_wait: Annotated[
        float, typer.Option(help="Cap in seconds on one wait, a Retry-After included.")
    ] = 60.0,
    backoff_base: Annotated[
        float, typer.Option(hidden=True, help="First backoff in seconds (doubles per retry).")
    ] = 1.0,
) -> None:
    """Page through the usage and cost reports and write files that `llm-audit bill` reads."""
    from llm_audit import fetch as fetch_pkg
    from llm_audit.errors import InputError
    from llm_audit.fetch.http import HttpSettings
    from llm_audit.fetch.run import FetchRequest, saved_end
    from llm_audit.fetch.run import fetch as run_fetch

    prov = fetch_pkg.provider(provider.value)
    start = _day(since, "--since")
    now = dt.datetime.now(dt.UTC)
    if start >= now:
        raise InputError(
            f"--since {since} is in the future", hint="the APIs report up to now (UTC)"
        )
    # --until is the last day included; a range reaching into today stops at now.
    end = min(_day(until, "--until") + dt.timedelta(days=1) if until else now, now)
    if resume and until is None:
        end = saved_end(output) or end  # continue the saved range, not up to a new "now"
    keys = (
        prov.default_group_by
        if group_by is None
        else tuple(k.strip() for k in group_by.split(",") if k.strip())
    )
    unknown = sorted(set(keys) - prov.group_keys)
    if unknown:
        raise InputError(
            f"--group-by: {', '.join(unknown)} not known to the {prov.label} usage report",
            hint=f"choose from {', '.join(sorted(prov.group_keys))}",
        )
    if "model" not in keys:
        keys = ("model", *keys)  # without it no row can be priced
    if min(connect_timeout, read_timeout) <= 0 or retries < 0 or max_wait < 0:
        raise InputError("timeouts must be > 0 seconds, --retries and --max-wait >= 0")
    req = FetchRequest(
        provider=prov,
        start=start,
        end=end,
        bucket=bucket.value,
        group_by=keys,
        out_dir=output,
        key_env=key_env or prov.key_env,
        base_url=base_url or prov.base_url,
        resume=resume,
        http=HttpSettings(connect_timeout, read_timeout, retries, backoff_base, max_wait),
    )
    reporter = _Reporter()
    try:
        result = run_fetch(req, reporter)
    finally:
        reporter.stop()
    done = f", {result.skipped_windows} window(s) already saved" if result.skipped_windows else ""
    # a resumed fetch may have written its pages in an earlier run
    pages_saved = any(p.suffix == ".json" and not p.name.startswith(".") for p in output.iterdir())
    sys.stderr.write(
        f"fetched {result.pages} page(s) ({result.empty_pages} without results, not written), "
        f"{result.results} result(s) in {len(result.files)} file(s) under {result.out_dir}"
        f"{done}\n"
        + (
            f"next: llm-audit bill {result.out_dir}\n"
            if pages_saved
            else "no usage or cost in this period: nothing for `llm-audit bill`\n"
        )
    )
