"""Conclusions that are checks: every bullet of a notebook's "What to notice" or "What the numbers show" list
opens with a bold claim, and a code cell of the same notebook checks that very sentence with
`gan_lib.claims.claim(sentence, holds, **evidence)`, whose `holds` and evidence are computed, not constants.

    python tools/claims.py        # list what is missing, notebook by notebook

A conclusions list is a markdown cell whose first line names it ("## What to notice", "What the numbers
show:"); each of its bullets ("- ") is one conclusion. Exercises and the summary live in cells of their own.
"""

import ast
import pathlib
import re
import sys

import nbformat

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
_HEADING = re.compile(r"^\W*(what to notice|what the numbers show)\b", re.I)
_BOLD_OPENING = re.compile(r"^-\s+\*\*(.+?)\*\*", re.S)


def normalized(text):
    """A sentence as the checks compare it: markdown emphasis and code marks dropped, spaces collapsed."""
    return " ".join(re.sub(r"[*`]", "", text).split())


def conclusions(nb):
    """(cell index, bullet text, bold claim or None) of every conclusion in the notebook's conclusions lists."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or not _HEADING.match(cell.source.strip()):
            continue
        for bullet in re.split(r"\n(?=- )", "\n" + cell.source)[1:]:
            bold = _BOLD_OPENING.match(bullet.strip())
            yield i, bullet.strip(), normalized(bold.group(1)) if bold else None


def _computed(node):
    """Whether an expression reads something the notebook computed (a name), rather than only constants."""
    return any(isinstance(n, ast.Name) for n in ast.walk(node))


def claim_calls(nb):
    """(cell index, sentence, problem or None) of every `claim(...)` call in the notebook's code cells."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "claim(" not in cell.source:
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue  # IPython magics; a claim never shares a cell with one
        for node in ast.walk(tree):
            func = getattr(node, "func", None)
            if not isinstance(node, ast.Call) or getattr(func, "id", getattr(func, "attr", None)) != "claim":
                continue
            if not node.args or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
                yield i, None, "its sentence is not a string written in the call"
                continue
            sentence, problem = normalized(node.args[0].value), None
            holds = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "holds"), None)
            evidence = [k for k in node.keywords if k.arg not in (None, "holds")]
            if holds is None or not _computed(holds):
                problem = "whether it holds is a constant, not a comparison of measured numbers"
            elif not evidence or not any(_computed(k.value) for k in evidence):
                problem = "its evidence is constant: give the measured numbers it compares"
            elif constant := [k.arg for k in evidence if not _computed(k.value)]:
                problem = f"evidence {', '.join(constant)} is a constant"
            yield i, sentence, problem


def problems(path):
    """What keeps a notebook's conclusions from being checks: a list of (cell index, message)."""
    nb = nbformat.read(path, as_version=4)
    calls = list(claim_calls(nb))
    checked = {sentence for _, sentence, problem in calls if sentence and not problem}
    found = [(i, f"claim {sentence!r}: {problem}" if sentence else f"a claim call: {problem}") for i, sentence, problem in calls if problem]
    for i, bullet, bold in conclusions(nb):
        if bold is None:
            found.append((i, f"a conclusion without a bold claim at its start: {bullet[:80]!r}"))
        elif bold not in checked:
            found.append((i, f"no code cell checks the claim {bold!r} (claim(\"...\", holds, **evidence))"))
    return sorted(found)


if __name__ == "__main__":
    count = 0
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        for i, message in problems(path):
            print(f"{path.name} cell {i}: {message}")
            count += 1
    sys.exit(1 if count else 0)
