"""The repository keeps its promises: CI runs the README's test command, the package asks for the
floors that requirements.txt tests, the notebooks share their setup and navigation cells, and the
shipped data is the genuine file."""

import hashlib
import pathlib
import re
import subprocess
import sys

from gan_lib import data

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command():
    command = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert "-m pytest && KERAS_BACKEND=jax " in command, "every test on TensorFlow, then the JAX row"
    assert command.endswith("-m pytest tests notebooks/01_quadratic_toy_gan.ipynb")
    assert f"\n{command}\n" in (ROOT / "README.md").read_text()


def test_the_readme_is_short_with_both_commands_near_the_top():
    lines = (ROOT / "README.md").read_text().splitlines()
    commands = [i for i, line in enumerate(lines) if line.startswith("python3 -m venv .venv && ")]
    assert len(lines) < 150, "the README is what a newcomer reads in two minutes: measured tables go to docs/results.md"
    assert len(commands) == 2 and max(commands) < 60, "the main job and the test command, in the first 60 lines"


def test_every_local_link_of_the_readme_and_the_results_page_leads_somewhere():
    for page in (ROOT / "README.md", ROOT / "docs" / "results.md"):
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name} links to {target}, which is not there"


def test_the_jax_requirements_add_floors_to_the_main_ones():
    lines = [line for line in (ROOT / "requirements-jax.txt").read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert lines[0] == "-r requirements.txt"
    assert lines[1:] and all(re.match(r"^[A-Za-z0-9_.-]+>=\S+", line) for line in lines[1:]), "every requirement has a floor"


def test_every_requirement_has_a_floor_and_the_package_asks_for_the_same():
    requirements = (ROOT / "requirements.txt").read_text()
    lines = [line for line in requirements.splitlines() if line.strip() and not line.startswith("#")]
    assert all(">=" in line for line in lines), "every requirement has a floor"
    library = requirements.split("# Notebooks and tests")[0]
    floors = re.compile(r"^([A-Za-z0-9_.-]+)>=([^\s#]+)", re.M)
    dependencies = re.search(r"dependencies = \[(.*?)\]", (ROOT / "pyproject.toml").read_text(), re.S).group(1)
    assert dict(re.findall(r'"([A-Za-z0-9_.-]+)>=([^"]+)"', dependencies)) == dict(floors.findall(library))


def test_notebooks_share_setup_and_navigation():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "notebooks.py"), "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))) >= 3


def test_executing_an_unknown_notebook_names_the_ones_there_and_runs_none():
    def modified():
        return {p: p.stat().st_mtime_ns for p in (ROOT / "notebooks").glob("*.ipynb")}

    before = modified()
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "notebooks.py"), "execute", "01_quadratic_toy_gan.ipynb", "03_typo.ipynb"],
        capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert "no notebook 03_typo.ipynb" in result.stderr and "02_mnist_gan.ipynb" in result.stderr
    assert modified() == before


def test_shipped_mnist_is_the_genuine_file():
    assert hashlib.sha256(data.MNIST_PATH.read_bytes()).hexdigest() == data.MNIST_SHA256
