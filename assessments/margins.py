"""How sure a figure is: margins of error, and when a change is a clear change. Pure.

Staff who answer are a sample of the organisation's staff, so a mean moves from one round to
the next just because other people answered. Every mean the report shows carries a 95% margin
of error, and a change is called up or down only when its 95% interval excludes zero:

- a mean of n scores with standard deviation s has the margin t × s / √n, t being Student's t
  for n − 1 degrees of freedom at 97.5% (t = 2.09 for n = 20, 1.96 for very large n);
- a change between two rounds (independent samples) has the margin t × √(se₁² + se₂²), the
  degrees of freedom by Welch and Satterthwaite: (se₁² + se₂²)² / (se₁⁴/(n₁−1) + se₂⁴/(n₂−1));
- with fewer than MIN_FOR_CHANGE scores on either side, no change is stated at all.

Worked example: a theme scored 48 with SD 20 from 30 people, against 40 with SD 24 from 25
people before. se₁ = 20/√30 = 3.65, se₂ = 24/√25 = 4.80, se of the change √(3.65² + 4.80²) =
6.03, df = 6.03⁴ / (3.65⁴/29 + 4.80⁴/24) = 46.8, t = 2.01, margin 12.1: the change of +8 lies
within ±12, so the report says "no clear change" (8, ±12).

Student's t comes from the regularised incomplete beta function (a continued fraction, as in
Numerical Recipes), inverted by Newton's method kept inside a bracket: no statistics library
is needed, and the tests check it against published tables and against SciPy.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from statistics import NormalDist
from typing import Protocol

CONFIDENCE = 0.95
# Fewer people than this on either side of a change, and no change is stated.
MIN_FOR_CHANGE = 10


def _incomplete_beta(a: float, b: float, x: float, y: float) -> float:
    """The regularised incomplete beta function I_x(a, b); `y` is 1 - x, given separately so
    that neither loses its digits to the other near 0 or 1."""
    if x <= 0:
        return 0.0
    if y <= 0:
        return 1.0
    # The continued fraction converges fast below the mean; use the symmetry above it.
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _incomplete_beta(b, a, y, x)
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(y)
    )
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return front * result / a


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom."""
    tail = 0.5 * _incomplete_beta(df / 2, 0.5, df / (df + t * t), t * t / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_density(t: float, df: float) -> float:
    """The density of Student's t with `df` degrees of freedom at `t`."""
    return math.exp(
        math.lgamma((df + 1) / 2)
        - math.lgamma(df / 2)
        - 0.5 * math.log(df * math.pi)
        - (df + 1) / 2 * math.log1p(t * t / df)
    )


def t_quantile(p: float, df: float) -> float:
    """The t with P(T <= t) = p, to 1e-10.

    Newton's method from the normal quantile, inside a bracket that each step narrows; a step
    that would leave the bracket bisects it instead. A handful of steps where bisection alone
    took forty, each a continued fraction: reports ask for a margin at every effective number
    of degrees of freedom a short round gives, and those are rarely whole numbers.
    """
    if not 0 < p < 1 or df <= 0:
        raise ValueError("p must be between 0 and 1, and df positive")
    low, high = -1.0, 1.0
    while t_cdf(low, df) > p:
        low *= 2
    while t_cdf(high, df) < p:
        high *= 2
    t = min(max(NormalDist().inv_cdf(p), low), high)
    for _ in range(200):
        error = t_cdf(t, df) - p
        if error < 0:
            low = t
        else:
            high = t
        # Far in a tail the density can underflow to 0: bisect there.
        density = t_density(t, df)
        after = t - error / density if density > 0 else low
        if not low < after < high:
            after = (low + high) / 2
        if abs(after - t) < 1e-12 or high - low < 1e-10:
            return after
        t = after
    return t


# A report asks for the same few degrees of freedom again and again (n − 1 for each theme and
# group), and each answer costs several evaluations of the continued fraction.
@lru_cache(maxsize=4096)
def critical_t(df: float) -> float:
    """Student's t for a two-sided interval at CONFIDENCE."""
    return t_quantile(1 - (1 - CONFIDENCE) / 2, df)


def margin(se: float | None, df: float) -> float | None:
    """The half-width of the interval around a mean with standard error `se`."""
    if se is None or df < 1:
        return None
    return critical_t(df) * se


def standard_error(sd: float | None, n: int) -> float | None:
    return None if sd is None or n < 2 else sd / math.sqrt(n)


def level_sd(counts: Sequence[int]) -> float | None:
    """The sample SD of a question's scores, 0 to 100, from its counts at levels 1 to 5."""
    n = sum(counts)
    if n < 2:
        return None
    scores = [25 * index for index in range(len(counts))]
    mean = sum(s * c for s, c in zip(scores, counts, strict=True)) / n
    squares = sum(c * (s - mean) ** 2 for s, c in zip(scores, counts, strict=True))
    return math.sqrt(squares / (n - 1))


@dataclass(frozen=True)
class Estimate:
    """A mean with its standard error, from `n` people (`df` degrees of freedom)."""

    mean: float | None
    se: float | None
    n: int
    df: float

    @property
    def margin(self) -> float | None:
        return margin(self.se, self.df)


@dataclass(frozen=True)
class ChangeInterval:
    """The change from `previous` to `current`, with its 95% interval."""

    current: Estimate
    previous: Estimate

    @property
    def stated(self) -> bool:
        """Whether a change can be stated at all: a mean on both sides, each from enough
        people, and a standard error on both (so at least two scores each)."""
        return (
            self.current.mean is not None
            and self.previous.mean is not None
            and min(self.current.n, self.previous.n) >= MIN_FOR_CHANGE
            and self.current.se is not None
            and self.previous.se is not None
        )

    @property
    def delta(self) -> float | None:
        if self.current.mean is None or self.previous.mean is None:
            return None
        return self.current.mean - self.previous.mean

    @property
    def se(self) -> float | None:
        if not self.stated:
            return None
        assert self.current.se is not None and self.previous.se is not None
        return math.sqrt(self.current.se**2 + self.previous.se**2)

    @property
    def df(self) -> float:
        """Welch–Satterthwaite degrees of freedom (those of the one side with any spread when
        the other has none)."""
        if not self.stated:
            return 0.0
        assert self.current.se is not None and self.previous.se is not None
        parts = [
            (self.current.se**2, self.current.df),
            (self.previous.se**2, self.previous.df),
        ]
        denominator = sum(v * v / df for v, df in parts if df > 0)
        if denominator == 0:
            return float(min(df for _, df in parts))
        return sum(v for v, _ in parts) ** 2 / denominator

    @cached_property
    def margin(self) -> float | None:
        # Cached: a t quantile costs a millisecond, and every shown change asks three times.
        return margin(self.se, self.df) if self.stated else None

    @property
    def clear(self) -> bool:
        """Whether the interval excludes zero: a change the report may call up or down."""
        change, half = self.delta, self.margin
        return change is not None and half is not None and abs(change) > half


class Summary(Protocol):
    """A theme's mean over `n` respondents (assessments.aggregates.ThemeSummary)."""

    @property
    def theme(self) -> str: ...

    @property
    def n(self) -> int: ...

    @property
    def mean(self) -> float | None: ...


def overall_standard_error(
    themes: Sequence["Summary"], scores: Sequence[Mapping[str, float]]
) -> float | None:
    """The standard error of the overall score, the mean of the T theme means.

    The theme means come from the same people, so they move together: Var(overall) =
    (1/T²) Σᵢ Σⱼ Cov(meanᵢ, meanⱼ), with Cov(meanᵢ, meanⱼ) = Σ (xᵢ − mᵢ)(xⱼ − mⱼ) / (nᵢ nⱼ) ×
    nᵢⱼ / (nᵢⱼ − 1) over the nᵢⱼ people scored in both themes (for i = j this is sᵢ² / nᵢ).
    `scores` holds each respondent's theme scores by theme key.
    """
    scored = [t for t in themes if t.mean is not None and t.n >= 2]
    if not scored or len(scored) < len([t for t in themes if t.mean is not None]):
        return None
    total = 0.0
    for a in scored:
        for b in scored:
            both = [s for s in scores if a.theme in s and b.theme in s]
            if len(both) < 2:
                continue
            assert a.mean is not None and b.mean is not None
            products = math.fsum((s[a.theme] - a.mean) * (s[b.theme] - b.mean) for s in both)
            total += products / (a.n * b.n) * len(both) / (len(both) - 1)
    return math.sqrt(max(total, 0.0)) / len(scored)
