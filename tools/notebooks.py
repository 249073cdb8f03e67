"""Keep the notebooks consistent: navigation cells, the shared setup cell, and execution.

    python tools/notebooks.py check              # exit 1 and list what is out of date
    python tools/notebooks.py fix                # rewrite navigation and setup cells
    python tools/notebooks.py execute [NAME ...] # run notebooks in place, keeping their outputs

Navigation cells start with NAVIGATION; the setup cell starts with SETUP_MARKER. Both are
generated here, so every notebook has the same ones.
"""

import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
REPO = "gan-notebooks/gan-notebooks"
NAVIGATION = "<!--NAVIGATION-->"
SETUP_MARKER = "# Setup (the same in every notebook)"
# Colab already has TensorFlow, Keras and every other dependency, so the cell only fetches the
# series and puts it on the path: no pip, which could upgrade TensorFlow under a running kernel.
SETUP = f'''{SETUP_MARKER}: in Colab, fetch the series so that gan_lib can be imported.
import os, subprocess, sys

HOME = "/content/gan-notebooks"
if "google.colab" in sys.modules:
    if not os.path.exists(HOME):
        subprocess.run(["git", "clone", "-q", "--depth", "1", "https://github.com/{REPO}", HOME], check=True)
    sys.path.insert(0, HOME)

from gan_lib import environment

environment.prepare(seed=0)  # one call seeds Python, NumPy and TensorFlow'''


def notebook_paths():
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def title(path):
    """The notebook's title: the first '# ' heading of its markdown."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not cell.source.startswith(NAVIGATION):
            match = re.search(r"^# (.+)$", cell.source, re.MULTILINE)
            if match:
                return match.group(1).strip()
    return path.stem


def colab_badge(name):
    url = f"https://colab.research.google.com/github/{REPO}/blob/main/notebooks/{name}"
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})"


def navigation(paths, i):
    """The navigation cell of notebook i: previous | contents | next, and its Colab badge."""
    parts = []
    if i > 0:
        parts.append(f"< [{title(paths[i - 1])}]({paths[i - 1].name})")
    parts.append("[Contents](../README.md#the-notebooks)")
    if i + 1 < len(paths):
        parts.append(f"[{title(paths[i + 1])}]({paths[i + 1].name}) >")
    return f"{NAVIGATION}\n{' | '.join(parts)} | {colab_badge(paths[i].name)}"


def expected(paths, i, nb):
    """The notebook with its generated cells in place: navigation first and last, setup first code."""
    nav = navigation(paths, i)
    cells = [c for c in nb.cells if not (c.cell_type == "markdown" and c.source.startswith(NAVIGATION))]
    for cell in cells:
        if cell.cell_type == "code":
            if cell.source.startswith(SETUP_MARKER):
                cell.source = SETUP
            break
    top, bottom = (nbformat.v4.new_markdown_cell(nav, id=f"navigation-{where}") for where in ("top", "bottom"))
    nb.cells = [top, *cells, bottom]
    return nb


def problems():
    """What differs from the generated navigation and setup cells, one line per notebook."""
    paths, found = notebook_paths(), []
    for i, path in enumerate(paths):
        nb = nbformat.read(path, as_version=4)
        have = [(c.cell_type, c.source) for c in nb.cells]
        want = [(c.cell_type, c.source) for c in expected(paths, i, nbformat.read(path, as_version=4)).cells]
        first_code = next((c for c in nb.cells if c.cell_type == "code"), None)
        if first_code is None or first_code.source != SETUP:
            found.append(f"{path.name}: the first code cell is not the shared setup cell")
        elif have != want:
            found.append(f"{path.name}: navigation cells out of date")
    return found


def fix():
    paths = notebook_paths()
    for i, path in enumerate(paths):
        nbformat.write(expected(paths, i, nbformat.read(path, as_version=4)), path)


def execute(names):
    from nbclient import NotebookClient

    paths = [NOTEBOOKS / n for n in names] if names else notebook_paths()
    missing = [p.name for p in paths if not p.exists()]
    if missing:  # before running any: a typo should not cost the notebooks listed before it
        sys.exit(f"no notebook {', '.join(missing)} in notebooks/; choose from {', '.join(p.name for p in notebook_paths())}")
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=1200, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
        nbformat.write(nb, path)
        print(f"executed {path.name}")


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["check"]
    if command == "check":
        issues = problems()
        print("\n".join(issues) or "notebooks consistent")
        sys.exit(1 if issues else 0)
    elif command == "fix":
        fix()
    elif command == "execute":
        execute(rest)
    else:
        sys.exit(__doc__)
