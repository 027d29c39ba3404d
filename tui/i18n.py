"""The UI's words in Dutch (default) and English.

`t(key, **values)` looks a key up in the current language. The language is chosen once per
app (`set_language`), from the `--lang` flag, else `ZORGKLUIS_LANG`, else Dutch.
"""

from __future__ import annotations

import os

LANGUAGES = ("nl", "en")

_TEXTS: dict[str, tuple[str, str]] = {
    # app and bindings
    "app.title": ("Zorgkluis", "Zorgkluis"),
    "key.quit": ("Stoppen", "Quit"),
    "key.help": ("Hulp", "Help"),
    "key.back": ("Terug", "Back"),
    "key.search": ("Zoeken", "Search"),
    "key.review": ("Beoordelen", "Review"),
    "key.refresh": ("Verversen", "Refresh"),
    "key.clear_filters": ("Filters wissen", "Clear filters"),
    "key.edit_yaml": ("YAML bewerken", "Edit YAML"),
    "key.save": ("Opslaan", "Save"),
    "key.check": ("Controleren", "Check"),
    "key.new_plan": ("Nieuw plan", "New plan"),
    "key.evaluate_plan": ("Plan evalueren", "Evaluate plan"),
    "key.bespreking": ("Bespreking", "Meeting"),
    "key.gesprek": ("Oudergesprek", "Parent talk"),
    "key.toestemming": ("Toestemming", "Consent"),
    "key.niveau": ("Niveau wijzigen", "Change level"),
    "key.toets": ("Toets", "Test"),
    "key.history": ("Historie", "History"),
    "key.mark_from": ("Van-versie", "From version"),
    "key.toggle_diff": ("Verschil groot/klein", "Diff full/normal"),
    "key.mark_reviewed": ("Gezien", "Mark reviewed"),
    "key.cancel": ("Annuleren", "Cancel"),
    "key.submit": ("Bevestigen", "Confirm"),
    # polish (2): palette, system commands, Textual's own keys, review, history, list
    "key.palette": ("Opdrachten", "Commands"),
    "key.mark_pupil": ("Leerling gezien", "Pupil reviewed"),
    "key.mark_all": ("Alles gezien", "All reviewed"),
    "key.open_pupil": ("Dossier openen", "Open dossier"),
    "key.sort_name": ("Sorteer op naam", "Sort by name"),
    "key.sort_next_eval": ("Sorteer op evaluatie", "Sort by evaluation"),
    "palette.placeholder": ("Zoek een opdracht of leerling…", "Search for a command or pupil…"),
    "palette.themes": ("Zoek een kleurenschema…", "Search for a colour theme…"),
    "palette.no_matches": ("Niets gevonden", "No matches found"),
    "sys.theme": ("Kleuren", "Theme"),
    "sys.help.theme": ("Een ander kleurenschema kiezen", "Choose another colour theme"),
    "sys.quit": ("Stoppen", "Quit"),
    "sys.help.quit": ("Zorgkluis sluiten", "Close Zorgkluis"),
    "sys.keys": ("Toetsen", "Keys"),
    "sys.help.keys_show": (
        "Hulp bij het actieve veld en de toetsen tonen",
        "Show help for the focused field and its keys",
    ),
    "sys.help.keys_hide": ("Het hulppaneel verbergen", "Hide the help panel"),
    "sys.maximize": ("Vergroten", "Maximise"),
    "sys.help.maximize": ("Het actieve deel schermvullend tonen", "Fill the screen with it"),
    "sys.minimize": ("Verkleinen", "Minimise"),
    "sys.help.minimize": ("Terug naar de gewone weergave", "Back to the normal layout"),
    "tx.group.input": ("Invoerveld", "Text field"),
    "tx.group.collapsible": ("Uitklapblok", "Section"),
    "tx.focus_next": ("Volgend veld", "Next field"),
    "tx.focus_previous": ("Vorig veld", "Previous field"),
    "tx.copy_selection": ("Selectie kopiëren", "Copy selection"),
    "tx.cursor_up": ("Omhoog", "Up"),
    "tx.cursor_down": ("Omlaag", "Down"),
    "tx.cursor_left": ("Naar links", "Left"),
    "tx.cursor_right": ("Naar rechts", "Right"),
    "tx.cursor_right_accept": (
        "Naar rechts of de suggestie overnemen",
        "Right, or accept the suggestion",
    ),
    "tx.select": ("Kiezen", "Select"),
    "tx.page_up": ("Pagina omhoog", "Page up"),
    "tx.page_down": ("Pagina omlaag", "Page down"),
    "tx.page_left": ("Pagina naar links", "Page left"),
    "tx.page_right": ("Pagina naar rechts", "Page right"),
    "tx.top": ("Naar het begin", "To the top"),
    "tx.bottom": ("Naar het eind", "To the bottom"),
    "tx.first": ("Eerste", "First"),
    "tx.last": ("Laatste", "Last"),
    "tx.scroll_up": ("Omhoog schuiven", "Scroll up"),
    "tx.scroll_down": ("Omlaag schuiven", "Scroll down"),
    "tx.scroll_left": ("Naar links schuiven", "Scroll left"),
    "tx.scroll_right": ("Naar rechts schuiven", "Scroll right"),
    "tx.scroll_home": ("Naar het begin schuiven", "Scroll to the start"),
    "tx.scroll_end": ("Naar het eind schuiven", "Scroll to the end"),
    "tx.word_left": ("Woord naar links", "Word left"),
    "tx.word_right": ("Woord naar rechts", "Word right"),
    "tx.select_left": ("Naar links selecteren", "Select left"),
    "tx.select_right": ("Naar rechts selecteren", "Select right"),
    "tx.select_up": ("Omhoog selecteren", "Select up"),
    "tx.select_down": ("Omlaag selecteren", "Select down"),
    "tx.select_word_left": ("Woord naar links selecteren", "Select a word left"),
    "tx.select_word_right": ("Woord naar rechts selecteren", "Select a word right"),
    "tx.line_start": ("Begin van de regel", "Start of the line"),
    "tx.line_end": ("Eind van de regel", "End of the line"),
    "tx.select_line_start": ("Tot het begin selecteren", "Select to the start"),
    "tx.select_line_end": ("Tot het eind selecteren", "Select to the end"),
    "tx.select_line": ("Regel selecteren", "Select the line"),
    "tx.select_all": ("Alles selecteren", "Select all"),
    "tx.delete_left": ("Teken links wissen", "Delete the character left"),
    "tx.delete_right": ("Teken rechts wissen", "Delete the character right"),
    "tx.delete_word_left": ("Woord links wissen", "Delete the word left"),
    "tx.delete_word_right": ("Woord rechts wissen", "Delete the word right"),
    "tx.delete_all_left": ("Alles links wissen", "Delete everything left"),
    "tx.delete_all_right": ("Alles rechts wissen", "Delete everything right"),
    "tx.delete_line": ("Regel wissen", "Delete the line"),
    "tx.submit": ("Bevestigen", "Submit"),
    "tx.cut": ("Knippen", "Cut"),
    "tx.copy": ("Kopiëren", "Copy"),
    "tx.paste": ("Plakken", "Paste"),
    "tx.undo": ("Ongedaan maken", "Undo"),
    "tx.redo": ("Opnieuw", "Redo"),
    "tx.show_menu": ("Keuzelijst openen", "Open the list"),
    "tx.dismiss_menu": ("Keuzelijst sluiten", "Close the list"),
    "tx.toggle": ("Aan/uit", "Toggle"),
    "tx.toggle_collapsible": ("In- of uitklappen", "Expand or collapse"),
    "tx.press": ("Knop indrukken", "Press the button"),
    "tx.previous_tab": ("Vorig tabblad", "Previous tab"),
    "tx.next_tab": ("Volgend tabblad", "Next tab"),
    "tx.next_option": ("Volgende keuze", "Next option"),
    "tx.previous_option": ("Vorige keuze", "Previous option"),
    "tx.next_command": ("Volgende opdracht", "Next command"),
    "tx.previous_command": ("Vorige opdracht", "Previous command"),
    "tx.close_palette": ("Opdrachtenlijst sluiten", "Close the command list"),
    "tx.next_page": ("Volgende pagina", "Next page"),
    "tx.previous_page": ("Vorige pagina", "Previous page"),
    "tx.open_link": ("Link openen", "Open the link"),
    "tx.tree_parent": ("Naar het bovenliggende", "To the parent"),
    "tx.tree_next_ancestor": ("Naar het volgende bovenliggende", "To the next ancestor"),
    "tx.tree_previous_sibling": ("Vorige op hetzelfde niveau", "Previous sibling"),
    "tx.tree_next_sibling": ("Volgende op hetzelfde niveau", "Next sibling"),
    "tx.tree_toggle_all": ("Alles in- of uitklappen", "Expand or collapse all"),
    "review.hint": (
        "Enter opent het dossier, `m` markeert de gekozen leerling als gezien, `a` alle "
        "leerlingen.",
        "Enter opens the dossier, `m` marks the chosen pupil reviewed, `a` every pupil.",
    ),
    "review.change": (
        "{date} · {author} · handtekening {signature}",
        "{date} · {author} · signature {signature}",
    ),
    "review.override": ("Afgeweken: {reason}", "Override: {reason}"),
    "review.confirm_all": (
        "Alle {count} leerling(en) met {changes} wijziging(en) als gezien markeren? Ze "
        "verdwijnen uit de wachtrij; dit wordt ondertekend vastgelegd.",
        "Mark all {count} pupil(s) with {changes} change(s) as reviewed? They leave the "
        "queue; this is recorded and signed.",
    ),
    "review.confirm_pupil": (
        "{name} ({changes} wijziging(en)) als gezien markeren? Dit wordt ondertekend "
        "vastgelegd.",
        "Mark {name} ({changes} change(s)) as reviewed? This is recorded and signed.",
    ),
    "review.marked_pupil": ("Beoordeling van {name} vastgelegd.", "Review of {name} recorded."),
    "history.from_mark": ("van", "from"),
    "history.from_set": ("Van-versie: {version}", "From version: {version}"),
    "history.from_cleared": ("Van-versie gewist", "From version cleared"),
    "findings.detail": ("Gekozen bevinding", "Selected finding"),
    "unlock.hint": (
        "Enter gaat naar het volgende veld; in de wachtwoordzin opent Enter de kluis.",
        "Enter moves to the next field; in the passphrase Enter unlocks.",
    ),
    "pupils.sorted": ("Gesorteerd op {column}", "Sorted by {column}"),
    # end polish (2)
    # unlock
    "unlock.title": ("Kluis openen", "Unlock vault"),
    "unlock.vault": ("Kluis: {path}", "Vault: {path}"),
    "unlock.identity": ("Sleutelbestand", "Identity file"),
    "unlock.passphrase": ("Wachtwoordzin", "Passphrase"),
    "unlock.button": ("Openen", "Unlock"),
    "unlock.busy": ("Bezig met openen…", "Unlocking…"),
    "unlock.no_identity": ("Geef je sleutelbestand op.", "Enter your identity file."),
    "unlock.missing_file": (
        "Sleutelbestand niet gevonden: {path}",
        "Identity file not found: {path}",
    ),
    # pupil list
    "pupils.search": ("Zoek op naam…", "Search by name…"),
    "pupils.all_groups": ("Alle groepen", "All groups"),
    "pupils.all_levels": ("Alle niveaus", "All levels"),
    "pupils.all_signals": ("Alle signalen", "All signals"),
    "pupils.group": ("Groep {groep}", "Group {groep}"),
    "pupils.level": ("Niveau {niveau}", "Level {niveau}"),
    "pupils.count": ("{shown} van {total} leerlingen", "{shown} of {total} pupils"),
    "pupils.loading": ("Leerlingen laden…", "Loading pupils…"),
    "pupils.review_count": ("Te beoordelen: {count}", "To review: {count}"),
    "pupils.user": ("{naam} ({rol})", "{naam} ({rol})"),
    "col.name": ("Naam", "Name"),
    "col.group": ("Groep", "Group"),
    "col.level": ("Niveau", "Level"),
    "col.errors": ("Fouten", "Errors"),
    "col.warnings": ("Waarsch.", "Warnings"),
    "col.next_eval": ("Volgende evaluatie", "Next evaluation"),
    "col.signals": ("Signalen", "Signals"),
    "col.date": ("Datum", "Date"),
    "col.author": ("Auteur", "Author"),
    "col.signature": ("Handtekening", "Signature"),
    "col.message": ("Omschrijving", "Description"),
    "col.severity": ("Ernst", "Severity"),
    "col.path": ("Plaats", "Path"),
    "col.source": ("Bron", "Source"),
    # signals (summary signal ids from dossier_format.model)
    "signal.evaluatie_verlopen": ("evaluatie verlopen", "evaluation overdue"),
    "signal.toestemming_ontbreekt": ("toestemming ontbreekt", "consent missing"),
    "signal.bewaartermijn": ("bewaartermijn verstreken", "retention due"),
    "signal.okr_open": ("OKR niet verzonden", "transfer report not sent"),
    "signal.correctie_open": ("correctieverzoek open", "correction request open"),
    "signal.opp": ("OPP", "development plan"),
    # roles
    "role.leerkracht": ("leerkracht", "teacher"),
    "role.intern_begeleider": ("intern begeleider", "care coordinator"),
    "role.directie": ("directie", "head"),
    # dossier
    "dossier.loading": ("Dossier laden…", "Loading dossier…"),
    "tab.overview": ("Overzicht", "Overview"),
    "tab.plannen": ("Plannen", "Plans"),
    "tab.besprekingen": ("Besprekingen", "Meetings"),
    "tab.gesprekken": ("Gesprekken/toestemmingen", "Talks/consents"),
    "tab.toetsen": ("Toetsen", "Tests"),
    "tab.protocollen": ("Protocollen/OPP", "Protocols/OPP"),
    "tab.okr": ("OKR", "Transfer report"),
    "tab.werkaantekeningen": ("Werkaant.", "Notes"),
    "tab.historie": ("Historie", "History"),
    "dossier.timeline": ("Route in de tijd", "Route over time"),
    "dossier.findings": ("Bevindingen", "Findings"),
    "dossier.no_findings": ("Geen bevindingen.", "No findings."),
    "dossier.empty": ("(nog niets vastgelegd)", "(nothing recorded yet)"),
    "dossier.trend": ("Niveauverloop", "Level trend"),
    "dossier.saved": ("Opgeslagen: {commit}", "Saved: {commit}"),
    "dossier.own_notes_only": (
        "Alleen je eigen werkaantekeningen.",
        "Only your own working notes.",
    ),
    "severity.error": ("fout", "error"),
    "severity.warning": ("waarschuwing", "warning"),
    "severity.info": ("info", "info"),
    # editor
    "editor.title": ("Bewerken: {name}", "Editing: {name}"),
    "editor.saving": ("Opslaan en controleren…", "Saving and checking…"),
    "editor.refused": (
        "Niet opgeslagen: {count} fout(en). Herstel ze of geef een reden om af te wijken.",
        "Not saved: {count} error(s). Fix them or give a reason to override.",
    ),
    "editor.unchanged": ("er is niets gewijzigd", "nothing changed"),
    "editor.failed": ("Niet opgeslagen: {message}", "Not saved: {message}"),
    "editor.unsaved": (
        "Je wijzigingen zijn niet opgeslagen. Toch weggaan?",
        "Your changes are not saved. Leave anyway?",
    ),
    "editor.checked": (
        "Gecontroleerd: {errors} fout(en), {warnings} waarschuwing(en).",
        "Checked: {errors} error(s), {warnings} warning(s).",
    ),
    # dialogs
    "confirm.yes": ("Ja", "Yes"),
    "confirm.no": ("Nee", "No"),
    "override.title": ("Afwijken van de route", "Override the route"),
    "override.explain": (
        "Deze fouten weigeren het opslaan. Met een reden sla je toch op; de reden komt in de "
        "ondertekende versie.",
        "These errors refuse the save. With a reason you can save anyway; the reason is "
        "recorded in the signed version.",
    ),
    "override.reason": ("Reden om af te wijken", "Reason to override"),
    "override.save": ("Toch opslaan", "Save anyway"),
    "override.required": ("Een reden is verplicht.", "A reason is required."),
    "form.required": ("Verplicht: {field}", "Required: {field}"),
    "form.bad_date": (
        "Geen geldige datum (JJJJ-MM-DD): {field}",
        "Not a valid date (YYYY-MM-DD): {field}",
    ),
    "form.no_plan": ("Er is geen plan om te evalueren.", "There is no plan to evaluate."),
    # acts (form titles)
    "act.plan": ("Nieuw plan", "New plan"),
    "act.evaluatie": ("Plan evalueren", "Evaluate a plan"),
    "act.bespreking": ("Bespreking vastleggen", "Record a meeting"),
    "act.gesprek": ("Oudergesprek vastleggen", "Record a parent talk"),
    "act.toestemming": ("Toestemming vastleggen", "Record a consent"),
    "act.niveau": ("Niveau wijzigen", "Change of level"),
    "act.toets": ("Toets vastleggen", "Record a test"),
    # history
    "history.pick": (
        "Kies een versie; `m` zet de van-versie, de diff loopt tot de gekozen versie.",
        "Pick a version; `m` sets the from-version, the diff runs to the picked version.",
    ),
    "history.diff": ("Verschil {a} → {b}", "Difference {a} → {b}"),
    "history.no_diff": ("Geen verschil.", "No difference."),
    "history.version": ("versie {number}", "version {number}"),
    "history.empty_version": ("leeg", "empty"),
    "signature.goed": ("✓", "✓"),
    "signature.ongeldig": ("✗ ongeldig", "✗ invalid"),
    "signature.onbekend": ("✗ onbekend", "✗ unknown"),
    "signature.ontbreekt": ("✗ ontbreekt", "✗ missing"),
    # review
    "review.title": ("Te beoordelen", "Review queue"),
    "review.none": ("Niets te beoordelen.", "Nothing to review."),
    "review.loading": ("Wijzigingen en verschillen ophalen…", "Fetching changes and diffs…"),
    "review.marked": ("Beoordeling vastgelegd.", "Review recorded."),
    "review.not_allowed": (
        "Alleen een intern begeleider of de directie beoordeelt.",
        "Only a care coordinator or the head reviews.",
    ),
    "review.pupil": ("{name}: {count} wijziging(en)", "{name}: {count} change(s)"),
    # palette
    "cmd.open_pupil": ("leerling: openen {name}", "pupil: open {name}"),
    "cmd.review": ("beoordelen: wachtrij openen", "review: open queue"),
    "cmd.help.open_pupil": ("Open het dossier van deze leerling", "Open this pupil's dossier"),
    "cmd.help.review": ("Wijzigingen van anderen bekijken", "See changes by others"),
    # retention, export wizard, sync (issues 5, 6, 7)
    "key.sweep": ("Vernietigen", "Sweep"),
    "key.export": ("Exporteren", "Export"),
    "key.sync": ("Synchroniseren", "Sync"),
    "key.resolve": ("Samenvoegen", "Finish merge"),
    "retention.title": ("Bewaartermijnen", "Retention terms"),
    "retention.loading": ("Bewaartermijnen bepalen…", "Deciding retention terms…"),
    "retention.count": (
        "{total} onderdelen, {todo} te vernietigen.",
        "{total} parts, {todo} to destroy.",
    ),
    "retention.unconfirmed": (
        "Let op: de school heeft de bewaartermijnen nog niet bevestigd; de standaard geldt.",
        "Note: the school has not confirmed its retention terms; the defaults apply.",
    ),
    "retention.col.pupil": ("Leerling", "Pupil"),
    "retention.col.part": ("Onderdeel", "Part"),
    "retention.col.state": ("Status", "State"),
    "retention.col.deadline": ("Termijn tot", "Kept until"),
    "retention.col.uiterlijk": ("Uiterlijk weg", "Destroy by"),
    "retention.col.reason": ("Reden", "Reason"),
    "retention.state.bewaren": ("bewaren", "keep"),
    "retention.state.verlopen": ("verlopen", "expired"),
    "retention.state.onbepaald": ("onbepaald", "undecided"),
    "retention.state.vernietigd": ("vernietigd", "destroyed"),
    "retention.overdue": ("te laat", "overdue"),
    "retention.not_allowed": (
        "Alleen directie en intern begeleiders voeren de bewaartermijnen uit.",
        "Only the head and care coordinators carry out retention.",
    ),
    "retention.nothing": ("Er is niets te vernietigen.", "There is nothing to destroy."),
    "retention.confirm": (
        "{count} onderdeel/onderdelen definitief vernietigen? Dit kan niet ongedaan worden.\n"
        "{items}",
        "Destroy {count} part(s) for good? This cannot be undone.\n{items}",
    ),
    "retention.swept": (
        "{count} onderdeel/onderdelen vernietigd (versie {commit}).",
        "{count} part(s) destroyed (version {commit}).",
    ),
    "export.title": ("Overdragen", "Transfer"),
    "export.title_for": ("Overdragen: {name}", "Transfer: {name}"),
    "export.loading": ("Overdracht voorbereiden…", "Preparing the transfer…"),
    "export.step.recipient": ("1. Ontvangende school", "1. Receiving school"),
    "export.step.preview": ("2. Wat gaat mee", "2. What goes"),
    "export.step.gate": ("3. Poort", "3. Gate"),
    "export.step.file": ("4. Bestand", "4. File"),
    "export.pick_school": ("Bekende school…", "Known school…"),
    "export.recipient_key": (
        "of de overdrachtssleutel (age1…)",
        "or the transfer key (age1…)",
    ),
    "export.included": ("Gaat mee:", "Goes:"),
    "export.withheld": ("Blijft achter:", "Withheld:"),
    "export.withhold": ("Ook {part} achterhouden", "Also withhold {part}"),
    "export.gate_open": ("De poort laat de overdracht door.", "The gate lets the transfer pass."),
    "export.gate_blocked": (
        "De poort vond fouten: exporteren kan alleen met een reden om af te wijken.",
        "The gate found errors: exporting needs a reason to override.",
    ),
    "export.button": ("Exporteren", "Export"),
    "export.no_recipient": (
        "Kies een school of geef een overdrachtssleutel.",
        "Pick a school or enter a transfer key.",
    ),
    "export.override_required": (
        "Een reden is verplicht: de poort vond fouten.",
        "A reason is required: the gate found errors.",
    ),
    "export.no_file": ("Geef een uitvoerbestand op.", "Enter an output file."),
    "export.busy": ("Exporteren…", "Exporting…"),
    "export.done": (
        "Geëxporteerd naar {path} ({parts}); de verzending staat in het dossier.",
        "Exported to {path} ({parts}); the sending is recorded in the dossier.",
    ),
    "export.failed": ("Niet geëxporteerd: {message}", "Not exported: {message}"),
    "sync.title": ("Synchroniseren", "Synchronise"),
    "sync.remote": ("Server (naam of adres)", "Server (name or URL)"),
    "sync.button": ("Synchroniseren", "Synchronise"),
    "sync.done.gelijk": ("Al gelijk met de server.", "Already in step with the server."),
    "sync.done.vooruit": (
        "Bijgewerkt van de server (versie {head}, {keys} sleutel(s)).",
        "Updated from the server (version {head}, {keys} key(s)).",
    ),
    "sync.done.samengevoegd": (
        "Samengevoegd en verstuurd (versie {head}).",
        "Merged and sent (version {head}).",
    ),
    "sync.done.verstuurd": ("Verstuurd (versie {head}).", "Sent (version {head})."),
    "sync.conflicts": (
        "{count} veld(en) op beide apparaten gewijzigd: kies per veld welke versie blijft.",
        "{count} field(s) changed on both devices: choose per field which version stays.",
    ),
    "sync.ours": ("Dit apparaat", "This device"),
    "sync.theirs": ("Server", "Server"),
    "sync.removed": ("(verwijderd)", "(removed)"),
    "sync.keep_ours": ("Houd deze versie", "Keep this device's"),
    "sync.keep_theirs": ("Neem die van de server", "Take the server's"),
    "sync.resolve": ("Samenvoegen", "Finish merge"),
    "sync.choose_all": ("Kies eerst bij elk veld een versie.", "Choose a version for every field."),
    "sync.failed": ("Niet gesynchroniseerd: {message}", "Not synchronised: {message}"),
    "cmd.retention": ("bewaartermijnen: bekijken", "retention: view"),
    "cmd.export": ("leerling: overdragen {name}", "pupil: transfer {name}"),
    "cmd.sync": ("kluis: synchroniseren", "vault: synchronise"),
    "cmd.help.retention": (
        "Termijnen per leerling en onderdeel; verlopen delen vernietigen",
        "Terms per pupil and part; destroy expired parts",
    ),
    "cmd.help.export": (
        "Exportwizard: naar de volgende school",
        "Export wizard: to the next school",
    ),
    "cmd.help.sync": ("Met de schoolserver synchroniseren", "Synchronise with the school server"),
}

_language = "nl"


def pick_language(flag: str | None) -> str:
    """The language to use: the flag, else ZORGKLUIS_LANG, else Dutch."""
    for candidate in (flag, os.environ.get("ZORGKLUIS_LANG")):
        if candidate and candidate.lower()[:2] in LANGUAGES:
            return candidate.lower()[:2]
    return "nl"


def set_language(language: str) -> None:
    """Switch the current language ("nl" or "en")."""
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    _language = language


def language() -> str:
    """The current language."""
    return _language


def t(key: str, **values: object) -> str:
    """The text for `key` in the current language, with `values` filled in."""
    texts = _TEXTS.get(key)
    if texts is None:
        return key
    text = texts[LANGUAGES.index(_language)]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    """Whether the table knows `key`."""
    return key in _TEXTS
