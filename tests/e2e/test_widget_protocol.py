"""The chat widget against docs/chat-protocol.md, in chromium, with a scripted fake server (no Django)."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

HARNESS = Path(__file__).parent / "widget" / "harness.html"


def test_the_widget_speaks_the_protocol(page):
    page.goto(HARNESS.as_uri())
    page.wait_for_function("window.harnessResult !== undefined")
    result = page.evaluate("window.harnessResult")
    assert result["failed"] == [] and result["passed"] >= 20, result
