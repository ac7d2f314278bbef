"""CSV exports that spreadsheet programs open safely: member-written text that starts like a formula
(=, +, -, @, a tab or a carriage return) gets a leading apostrophe, so it is shown as text, never evaluated."""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text cells neutralised; numbers, dates and None pass as they are (None as an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose every row goes through safe_cell."""

    def __init__(self, file, **kwargs):
        self._writer = csv.writer(file, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])
