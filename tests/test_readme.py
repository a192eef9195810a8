"""The README stays true: its set-up commands are what CI runs, and every example runs."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from tests.conftest import ROOT, Result

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```bash\n(.*?)```", README, flags=re.S)


def setup_commands() -> list[str]:
    return [line for block in BLOCKS for line in block.splitlines()
            if line.startswith("python3 -m venv")]


def examples() -> list[str]:
    return [line for block in BLOCKS for line in block.splitlines()
            if line.startswith("llm-audit ")]


def test_two_setup_commands_and_ci_runs_them_verbatim() -> None:
    commands = setup_commands()
    assert len(commands) == 2
    assert "pip install" in commands[0] and "&& llm-audit " in commands[0]
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands:
        assert command in ci.splitlines(), f"CI does not run the README command: {command}"


def test_every_readme_example_runs(cli: Callable[..., Result]) -> None:
    runs = examples()
    assert len(runs) >= 5
    main_job = setup_commands()[0].split("&& llm-audit ", 1)[1]
    for line in [*runs, "llm-audit " + main_job]:
        result = cli(shlex.split(line)[1:])
        assert result.exit_code in (0, 1), f"{line}\n{result.stderr}"
        assert result.stdout.strip(), line
