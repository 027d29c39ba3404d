"""Suite-wide rule for CI: a test that skips there is a failure.

Several tests skip on a developer machine when an oracle is missing (the shared age vectors
and OSO standards beside the checkout, tmux). In CI (`.ci/run` sets ZORGKLUIS_CI=1) they must
run, or the suite would pass without testing what they test. Only skips for what the project
deliberately does not implement are allowed (listed below, with the reason).
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

ALLOWED_SKIPS = ("post-quantum",)  # ML-KEM hybrid age identities: not implemented


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not os.environ.get("ZORGKLUIS_CI") or not report.skipped:
        return
    reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report)
    if any(allowed in reason for allowed in ALLOWED_SKIPS):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped in CI, where every oracle must be present: {reason}"
