"""Every package in the source tree ships in the wheel (the package list is explicit)."""

from __future__ import annotations

import tomllib

from tests.conftest import ROOT


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "llm_audit").rglob("*.py") if "__pycache__" not in p.parts}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert "llm_audit.pricing_data" in listed
