"""A scrollable, coloured unified diff."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.render import colour_diff


class DiffView(VerticalScroll):
    """Shows one diff with a title line; it can fill the screen (`z` in the history)."""

    ALLOW_MAXIMIZE = True

    DEFAULT_CSS = """
    DiffView { height: 1fr; }
    DiffView > .diff-title { text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", classes="diff-title")
        yield Static("", classes="diff-body")

    def show(self, title: str, diff: str) -> None:
        """Replace the shown diff."""
        self.query_one(".diff-title", Static).update(title)
        self.query_one(".diff-body", Static).update(colour_diff(diff))
        self.scroll_home(animate=False)
