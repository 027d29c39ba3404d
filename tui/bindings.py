"""Key bindings whose descriptions follow the UI's language."""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding
from textual.dom import DOMNode

from tui.i18n import has, t


def bind(
    key: str, action: str, text_key: str, *, show: bool = True, priority: bool = False
) -> Binding:
    """A binding with an id (so users can rebind it) and an i18n key as its description."""
    return Binding(key, action, text_key, show=show, priority=priority, id=action)


def translate_bindings(node: DOMNode) -> None:
    """Swap each binding's i18n key for the current language's text on this instance.

    Textual shows `Binding.description` as is and merges class bindings once per class, so the
    language (chosen at run time) is applied per instance.
    """
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [
            replace(b, description=t(b.description)) if has(b.description) else b for b in bindings
        ]
