"""Key bindings whose descriptions follow the UI's language, Textual's own included."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from textual.binding import Binding, BindingType
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
            replace(
                b,
                description=t(b.description) if has(b.description) else b.description,
                tooltip=t(b.tooltip) if b.tooltip and has(b.tooltip) else b.tooltip,
            )
            for b in bindings
        ]


# Textual's own widgets describe their keys in English (the footer, F1's key panel). Their
# actions map to i18n keys; "Class:action" wins over "action" where one action means another
# thing in a particular widget.
TEXTUAL_KEYS: dict[str, str] = {
    # Screen, App
    "app.focus_next": "tx.focus_next",
    "app.focus_previous": "tx.focus_previous",
    "screen.copy_text": "tx.copy_selection",
    "quit": "sys.quit",
    # scrolling containers (VerticalScroll, the help panel, ...)
    "scroll_up": "tx.scroll_up",
    "scroll_down": "tx.scroll_down",
    "scroll_left": "tx.scroll_left",
    "scroll_right": "tx.scroll_right",
    "scroll_home": "tx.scroll_home",
    "scroll_end": "tx.scroll_end",
    "page_up": "tx.page_up",
    "page_down": "tx.page_down",
    "page_left": "tx.page_left",
    "page_right": "tx.page_right",
    # DataTable, OptionList, ListView, Tree
    "select_cursor": "tx.select",
    "select": "tx.select",
    "cursor_up": "tx.cursor_up",
    "cursor_down": "tx.cursor_down",
    "cursor_left": "tx.cursor_left",
    "cursor_right": "tx.cursor_right",
    "scroll_top": "tx.top",
    "scroll_bottom": "tx.bottom",
    "first": "tx.first",
    "last": "tx.last",
    "cursor_parent": "tx.tree_parent",
    "cursor_parent_next_sibling": "tx.tree_next_ancestor",
    "cursor_previous_sibling": "tx.tree_previous_sibling",
    "cursor_next_sibling": "tx.tree_next_sibling",
    "toggle_node": "tx.toggle",
    "toggle_expand_all": "tx.tree_toggle_all",
    # Input
    "cursor_left(True)": "tx.select_left",
    "cursor_left_word": "tx.word_left",
    "cursor_left_word(True)": "tx.select_word_left",
    "Input:cursor_right": "tx.cursor_right_accept",
    "cursor_right(True)": "tx.select_right",
    "cursor_right_word": "tx.word_right",
    "cursor_right_word(True)": "tx.select_word_right",
    "delete_left": "tx.delete_left",
    "delete_right": "tx.delete_right",
    "select_all": "tx.select_all",
    "home": "tx.top",
    "end": "tx.bottom",
    "home(True)": "tx.select_line_start",
    "end(True)": "tx.select_line_end",
    "submit": "tx.submit",
    "delete_left_word": "tx.delete_word_left",
    "delete_left_all": "tx.delete_all_left",
    "delete_right_word": "tx.delete_word_right",
    "delete_right_all": "tx.delete_all_right",
    "cut": "tx.cut",
    "copy": "tx.copy",
    "paste": "tx.paste",
    # TextArea
    "cursor_word_left": "tx.word_left",
    "cursor_word_right": "tx.word_right",
    "cursor_line_start": "tx.line_start",
    "cursor_line_end": "tx.line_end",
    "cursor_page_up": "tx.page_up",
    "cursor_page_down": "tx.page_down",
    "cursor_word_left(True)": "tx.select_word_left",
    "cursor_word_right(True)": "tx.select_word_right",
    "cursor_line_start(True)": "tx.select_line_start",
    "cursor_line_end(True)": "tx.select_line_end",
    "cursor_up(True)": "tx.select_up",
    "cursor_down(True)": "tx.select_down",
    "select_line": "tx.select_line",
    "delete_word_left": "tx.delete_word_left",
    "delete_word_right": "tx.delete_word_right",
    "delete_to_start_of_line": "tx.delete_all_left",
    "delete_to_end_of_line_or_delete_line": "tx.delete_all_right",
    "delete_line": "tx.delete_line",
    "undo": "tx.undo",
    "redo": "tx.redo",
    # Select, Collapsible, Button, Tabs, RadioSet, Checkbox, Switch, Link
    "show_overlay": "tx.show_menu",
    "dismiss": "tx.dismiss_menu",
    "toggle_collapsible": "tx.toggle_collapsible",
    "press": "tx.press",
    "previous_tab": "tx.previous_tab",
    "next_tab": "tx.next_tab",
    "next_button": "tx.next_option",
    "previous_button": "tx.previous_option",
    "toggle_button": "tx.toggle",
    "toggle_switch": "tx.toggle",
    "open_link": "tx.open_link",
    # the command palette
    "CommandPalette:command_list('last')": "tx.last",
    "CommandPalette:command_list('first')": "tx.first",
    "CommandPalette:cursor_down": "tx.next_command",
    "CommandPalette:command_list('cursor_up')": "tx.previous_command",
    "CommandPalette:command_list('page_down')": "tx.next_page",
    "CommandPalette:command_list('page_up')": "tx.previous_page",
    "CommandPalette:escape": "tx.close_palette",
}

# Textual classes whose key panel section has an English title.
_GROUP_TITLES = {"Input": "tx.group.input", "Collapsible": "tx.group.collapsible"}

# Each Textual class's own BINDINGS as Textual defines them, kept at the first localisation so
# the language can change between apps in one process (the tests run both).
_ORIGINAL: dict[type[DOMNode], list[BindingType]] = {}


def textual_key(owner: type[DOMNode], binding: Binding) -> str | None:
    """The i18n key that describes a binding Textual defined on `owner`, if there is one."""
    for cls in owner.__mro__:
        key = TEXTUAL_KEYS.get(f"{cls.__name__}:{binding.action}")
        if key:
            return key
    return TEXTUAL_KEYS.get(binding.action)


def _subclasses(cls: type[DOMNode]) -> Iterator[type[DOMNode]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _import_textual_widgets() -> None:
    """Define the Textual widgets the app uses (textual.widgets loads them lazily), so their
    bindings are localised before any subclass or instance copies them."""
    from textual import widgets

    for name in (
        "Button",
        "Checkbox",
        "Collapsible",
        "DataTable",
        "HelpPanel",
        "Input",
        "Link",
        "ListView",
        "Markdown",
        "OptionList",
        "RadioButton",
        "RadioSet",
        "Select",
        "Switch",
        "TabbedContent",
        "Tabs",
        "TextArea",
        "Tree",
    ):
        getattr(widgets, name)


def _localised(owner: type[DOMNode], binding: BindingType) -> BindingType:
    if not isinstance(binding, Binding):
        binding = Binding(*binding)
    if binding.system or not binding.description:
        return binding
    key = textual_key(owner, binding)
    return replace(binding, description=t(key)) if key else binding


def localise_textual() -> None:
    """Describe the keys of Textual's own widgets in the current language.

    Rewrites each Textual class's BINDINGS (from Textual's originals) and merges every class's
    bindings again, so existing subclasses and every later instance or subclass see the
    current language. Call once per app, after `set_language`.
    """
    _import_textual_widgets()
    everything = list(_subclasses(DOMNode))
    for cls in everything:
        if not cls.__module__.startswith("textual."):
            continue
        own = cls.__dict__.get("BINDINGS")
        if own:
            original = _ORIGINAL.setdefault(cls, list(own))
            cls.BINDINGS = [_localised(cls, b) for b in original]
        title_key = _GROUP_TITLES.get(cls.__name__)
        if title_key and "BINDING_GROUP_TITLE" in cls.__dict__:
            cls.BINDING_GROUP_TITLE = t(title_key)
    for cls in everything:
        cls._merged_bindings = cls._merge_bindings()
