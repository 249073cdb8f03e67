"""Numbers in a notebook's prose that none of its code cells prints: the numbers that go stale.

    python tools/prose_numbers.py        # list them, notebook by notebook

A measured number in the prose must be printed by a code cell of the same notebook (or stand in
that cell's code, as a setting does), so that re-executing the notebook shows whether the prose still
holds. The prose may round: "8.9" agrees with a printed 8.904, "48 %" with 48.4 % or with 0.484.
Checked are the numbers with a decimal point and the percentages, outside formulas ($...$), code
(`...`) and links; whole counts (steps, modes, layer sizes) are not, as most are settings.
tests/test_prose_numbers.py holds the short list of published numbers the prose may quote unprinted.
"""

import pathlib
import re
import sys

import nbformat

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
_NOT_PROSE = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$|`[^`\n]*`|\]\([^)]*\)|<[^>]+>", re.S)
_PROSE_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s?%)?(?!\w)")
_PRINTED_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?")


def prose_numbers(markdown):
    """(text, value, decimals, is_percentage) of each checked number in a markdown cell."""
    for match in _PROSE_NUMBER.finditer(_NOT_PROSE.sub(" ", markdown)):
        whole, fraction, percent = match.groups()
        if fraction or percent:
            value = float(whole.replace(",", "") + (fraction or ""))
            yield match.group(0).strip(), value, len(fraction) - 1 if fraction else 0, bool(percent)


def printed_numbers(nb):
    """Every number that a code cell of `nb` holds in its code or prints in its text outputs."""
    texts = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            texts.append(cell.source)
            for output in cell.get("outputs", []):
                texts.append(output.get("text", ""))
                texts.append(output.get("data", {}).get("text/plain", ""))
    return {float(s.replace(",", "")) for text in texts for s in _PRINTED_NUMBER.findall(text)}


def agrees(value, decimals, percent, printed):
    """Does a printed number round to `value` (a percentage also as a fraction of one)?"""
    half = 0.5 * 10**-decimals + 1e-9
    return any(abs(x - value) <= half or (percent and abs(100 * x - value) <= half) for x in printed)


def unprinted(path):
    """(cell index, number as written) of every checked prose number that no code cell prints."""
    nb = nbformat.read(path, as_version=4)
    printed = printed_numbers(nb)
    return [
        (i, text)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "markdown"
        for text, value, decimals, percent in prose_numbers(cell.source)
        if not agrees(value, decimals, percent, printed)
    ]


if __name__ == "__main__":
    found = 0
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        for i, text in unprinted(path):
            print(f"{path.name} cell {i}: {text}")
            found += 1
    sys.exit(1 if found else 0)
