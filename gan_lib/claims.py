"""Conclusions that are checks: a notebook states a conclusion once, in bold, and `claim` checks that very
sentence against the numbers the notebook measured, so re-executing the notebook (nbval) fails the day the
conclusion stops being true. `Spread` holds one measure over a benchmark's seeds: the margin a comparison
must beat, and the range a live run is placed in.
"""

import dataclasses
import json
import numbers

import numpy as np

from gan_lib import data

BENCHMARKS = data.DATA_DIR.parent / "benchmarks"


class ClaimFailed(AssertionError):
    """A conclusion that the notebook's own numbers no longer support; the message quotes it."""


def claim(sentence, holds, **evidence):
    """Print `sentence` with its `evidence` (name=number or Spread); raise ClaimFailed quoting it unless `holds`."""
    if not isinstance(holds, (bool, np.bool_)):
        raise TypeError(f"claim({sentence!r}): `holds` must be the outcome of a comparison (a bool), got {holds!r}")
    if not evidence:
        raise TypeError(f"claim({sentence!r}): give the numbers it rests on as keyword arguments")
    shown = "; ".join(f"{name.replace('_', ' ')}: {_shown(value)}" for name, value in evidence.items())
    if not holds:
        raise ClaimFailed(f"no longer true: {sentence!r} ({shown})")
    print(f"[holds] {sentence}\n        {shown}")


def _shown(value):
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return f"{float(value):.4g}"
    return str(value)


@dataclasses.dataclass(frozen=True)
class Spread:
    """One measure over the seeds of a benchmark row: its values, their mean and their range."""

    values: tuple

    def __post_init__(self):
        values = tuple(float(v) for v in self.values)
        if not values or not all(np.isfinite(values)):
            raise ValueError(f"a spread needs one finite value per seed, got {self.values!r}")
        object.__setattr__(self, "values", values)

    @property
    def mean(self):
        return float(np.mean(self.values))

    @property
    def low(self):
        return min(self.values)

    @property
    def high(self):
        return max(self.values)

    @property
    def se(self):
        """The standard error of the mean (0 for a single seed)."""
        return float(np.std(self.values, ddof=1) / np.sqrt(len(self))) if len(self) > 1 else 0.0

    def __len__(self):
        return len(self.values)

    def __str__(self):
        return f"{self.mean:.4g} ({self.low:.4g} to {self.high:.4g} over {len(self)} seeds)"

    def below(self, other):
        """Every seed of this row lies below every seed of `other` (a Spread or a number)."""
        return self.high < _low(other)

    def above(self, other):
        """Every seed of this row lies above every seed of `other` (a Spread or a number)."""
        return self.low > _high(other)

    def mean_below(self, other, z=2.0):
        """This row's mean lies below `other`'s by more than `z` standard errors of the difference: the test for
        rows of many seeds, whose ranges may overlap at their ends while their means clearly differ."""
        return other.mean - self.mean > z * float(np.hypot(self.se, other.se))

    def holds(self, value, slack=0.0):
        """Whether `value` lies within the seeds' range, widened by `slack` times the range's width on each side."""
        margin = slack * (self.high - self.low)
        return self.low - margin <= value <= self.high + margin

    def place(self, value):
        """Where one more draw (a live run) falls: 'within', 'below' or 'above' the seeds' range."""
        return "within" if self.holds(value) else "below" if value < self.low else "above"


def _low(x):
    return x.low if isinstance(x, Spread) else float(x)


def _high(x):
    return x.high if isinstance(x, Spread) else float(x)


def benchmark(name):
    """The committed results of `benchmarks/NAME.py`: benchmarks/NAME_results.json as a dict."""
    path = BENCHMARKS / f"{name}_results.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no committed results; re-make them with `python benchmarks/{name}.py`")
    return json.loads(path.read_text())


def spread(runs, measure):
    """The Spread of `measure` over a row's runs (one dict per seed); a dotted measure reads nested dicts
    ("generated.frechet_distance")."""
    values = []
    for run in runs:
        value = run
        for key in measure.split("."):
            value = value[key]
        values.append(value)
    return Spread(tuple(values))
