"""Conclusions are checks: `claim` prints a conclusion with its numbers and fails quoting it; every notebook's
conclusions open with a bold claim that one of its code cells checks with computed evidence (tools/claims.py)."""

import importlib.util
import pathlib

import nbformat
import numpy as np
import pytest

from gan_lib import claims

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("claims_tool", ROOT / "tools" / "claims.py")
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)


def test_a_claim_that_holds_prints_the_sentence_with_its_numbers(capsys):
    claims.claim("The fix keeps every mode.", np.int64(25) == 25, modes=np.int64(25), high_quality=0.87512)
    out = capsys.readouterr().out
    assert "The fix keeps every mode." in out and "modes: 25" in out and "high quality: 0.8751" in out


def test_a_claim_that_fails_raises_quoting_the_sentence_and_its_evidence():
    with pytest.raises(claims.ClaimFailed, match=r"no longer true: 'The fix keeps every mode.' \(modes: 24\)"):
        claims.claim("The fix keeps every mode.", 24 == 25, modes=24)


def test_a_claim_needs_a_comparison_and_evidence():
    with pytest.raises(TypeError, match="must be the outcome of a comparison"):
        claims.claim("Something.", 1, value=1)
    with pytest.raises(TypeError, match="give the numbers"):
        claims.claim("Something.", True)


def test_a_spread_compares_whole_ranges_and_places_one_more_draw():
    low, high = claims.Spread((2.4, 2.6, 3.1)), claims.Spread((3.2, 3.5, 4.0))
    assert low.below(high) and high.above(low) and not low.above(high)
    assert not low.below(claims.Spread((3.0, 3.3, 3.4)))  # overlapping ranges: no order beyond the spread
    assert (low.mean, low.low, low.high, len(low)) == (pytest.approx(8.1 / 3), 2.4, 3.1, 3)
    assert [low.place(v) for v in (2.0, 2.5, 3.5)] == ["below", "within", "above"]
    assert low.holds(3.2, slack=0.2) and not low.holds(3.3, slack=0.2)
    assert str(low) == "2.7 (2.4 to 3.1 over 3 seeds)"
    with pytest.raises(ValueError, match="one finite value per seed"):
        claims.Spread((1.0, float("nan")))


def test_means_of_many_seeds_differ_beyond_their_standard_errors_even_where_ranges_touch():
    plain = claims.Spread((13, 15, 15, 16, 16, 17, 18, 19, 19, 20))
    fixed = claims.Spread((20, 22, 22, 23, 24, 25, 25, 25, 25, 25))
    assert not plain.below(fixed)  # the ranges meet at 20
    assert plain.mean_below(fixed) and not fixed.mean_below(plain)
    assert plain.se == pytest.approx(np.std(plain.values, ddof=1) / np.sqrt(10))
    assert not plain.mean_below(claims.Spread((14, 16, 16, 17, 17, 18, 19, 20, 20, 21)))  # one mode apart: within the noise


def test_a_spread_reads_nested_measures_of_a_rows_runs():
    runs = [{"seed": s, "generated": {"frechet_distance": d}} for s, d in enumerate((3.0, 2.5, 2.8))]
    assert claims.spread(runs, "generated.frechet_distance").values == (3.0, 2.5, 2.8)


def _notebook(tmp_path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(c) if isinstance(c, str) else c for c in cells]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def test_the_check_finds_unbold_unchecked_and_constant_claims(tmp_path):
    code = nbformat.v4.new_code_cell(
        'claim("The fix keeps every *mode*.", modes == 25, modes=modes)\n'
        'claim("A constant verdict.", True, modes=modes)\n'
        'claim("Constant evidence.", modes == 25, modes=25)\n'
    )
    path = _notebook(tmp_path, [
        code,
        "## What to notice\n\n- **The fix keeps every mode.** Prose.\n- A bullet without a claim.\n"
        "- **A constant verdict.** More.\n- **Nobody checks this.**\n",
        "## Exercises\n\n- an exercise is not a conclusion\n",
    ])
    found = [message for _, message in tool.problems(path)]
    assert len(found) == 5, found
    assert any("'A constant verdict.': whether it holds is a constant" in m for m in found)
    assert any("'Constant evidence.': its evidence is constant" in m for m in found)
    assert any("without a bold claim" in m and "A bullet without a claim" in m for m in found)
    assert any("no code cell checks the claim 'Nobody checks this.'" in m for m in found)
    assert any("no code cell checks the claim 'A constant verdict.'" in m for m in found)


def notebooks():
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name[:2])
def test_every_conclusion_is_a_claim_its_notebook_checks(path):
    nb = nbformat.read(path, as_version=4)
    assert list(tool.conclusions(nb)), f"{path.name}: no 'What to notice' or 'What the numbers show' list"
    found = tool.problems(path)
    assert not found, f"{path.name}: " + "; ".join(f"cell {i}: {m}" for i, m in found)
