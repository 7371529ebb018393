"""Helpers shared by the staff exports (CSV, spreadsheets)."""


def spreadsheet_safe(value):
    """Neutralise a person's text that a spreadsheet would run as a formula
    (=, +, -, @ at the start of a cell)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
