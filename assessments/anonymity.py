"""What a round may show without singling anyone out: figures that move in cells of k. Pure.

The rule (docs/methodology.md, "Anonymity"): no difference between any two things a lead or
viewer can see covers fewer than k respondents, k being the round's anonymity threshold.

Figures are published in snapshots. Each snapshot adds a batch of submitted responses, and
each response in a batch counts either in its group's figures (its role group or unit) as
well as the overall ones, or in the overall figures only. The responses of one batch that
count the same way form a cell, and every cell holds at least k responses. Every published
figure (the round's, a group's, a question's counts, at any snapshot) then covers whole cells,
so any sum, difference or other combination of them covers whole cells too: at least k people
or none. That holds for two downloads at different times, the round against the sum of its
groups, a page against a CSV, and the final figures against the last snapshot before close.

How batches are cut (`next_batch`):

- While the round is open, the newest k submissions always wait, so that the final figures at
  close differ from the last snapshot by at least k. Of the others, the members of each group
  with at least k of them waiting form a cell in their group. Members of smaller groups wait
  for their group to reach k, unless 2k or more of them are waiting: then they all go in, as
  one cell counted overall only (so that the round's figures cannot stall behind many small
  groups).
- When the round closes, everything still waiting goes in: groups with at least k waiting as
  cells of their own, the rest as one cell counted overall only. If that cell would hold
  fewer than k, the smallest group cells join it until it holds k.

Worked example, k = 3: submissions a1 a2 b1 a3 b2 a4 c1 (group a, b, c in that order). With 7
waiting, the newest 3 (b2 a4 c1) wait; of a1 a2 b1 a3, group a has 3: the first snapshot is
{a1, a2, a3} counted in group a. Waiting now: b1 b2 a4 c1. At close they all go in: no group
has 3, so {b1, b2, a4, c1} is one cell counted overall only. Group a shows 3 responses, the
round 7; the difference between the two snapshots is 4 people, and between the round and
group a, 4.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Why a group's figures are hidden; "" means shown.
TOO_FEW = "too_few"
COMPLEMENTARY = "complementary"
NO_COMPARISON = "no_comparison"


@dataclass(frozen=True)
class Submission:
    """A submitted response not yet in any snapshot, in order of submission."""

    id: int
    group: str  # under the round's breakdown; "" when the respondent did not say


@dataclass(frozen=True)
class Batch:
    in_group: tuple[int, ...]  # counted in their group's figures, and overall
    overall_only: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.in_group) + len(self.overall_only)


def _by_group(submissions: Sequence[Submission]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for submission in submissions:
        groups[submission.group].append(submission.id)
    return groups


def next_batch(waiting: Sequence[Submission], k: int, *, final: bool = False) -> Batch | None:
    """The next snapshot's batch from the submissions `waiting` (oldest first), or None when
    no batch can be cut yet. `final` when the round has closed."""
    if final:
        return _final_batch(waiting, k)
    eligible = waiting[: max(0, len(waiting) - k)]
    groups = _by_group(eligible)
    ready = {group: ids for group, ids in groups.items() if len(ids) >= k}
    small = [s.id for s in eligible if s.group not in ready]
    overall_only = small if len(small) >= 2 * k else []
    in_group = [id for ids in ready.values() for id in ids]
    if not in_group and not overall_only:
        return None
    return Batch(tuple(sorted(in_group)), tuple(sorted(overall_only)))


def _final_batch(waiting: Sequence[Submission], k: int) -> Batch | None:
    if len(waiting) < k:
        # Only when no snapshot was ever cut: the round has fewer than k responses in all.
        return None
    groups = _by_group(waiting)
    cells = {group: ids for group, ids in groups.items() if len(ids) >= k}
    overall_only = [s.id for s in waiting if s.group not in cells]
    for group in sorted(cells, key=lambda g: (len(cells[g]), g)):
        if not 0 < len(overall_only) < k:
            break
        overall_only.extend(cells.pop(group))
    in_group = [id for ids in cells.values() for id in ids]
    return Batch(tuple(sorted(in_group)), tuple(sorted(overall_only)))


def responses_until_next(waiting: int, k: int) -> int:
    """The fewest further submissions before an open round's figures can move: at least k
    must be waiting beyond the newest k. More may be needed, for a group to reach k."""
    return max(1, 2 * k - waiting)


def group_visibility(counts: Mapping[str | None, int], k: int) -> dict[str, str]:
    """Which groups may be shown: group -> "" if shown, else the reason it is hidden.

    A group under k responses is hidden. Then, while the hidden groups together hold fewer
    than k responses, the smallest shown group is hidden too (ties by key), so the hidden
    remainder, total minus shown groups, is never fewer than k people: this is the rule
    "when exactly one group is hidden, hide the next smallest", extended to several small
    groups. Responses counted overall only (the key None, assessments.anonymity) are part of
    that remainder. A perception gap needs two groups, so if fewer than two remain, all are
    hidden. Groups without responses are absent.

    Snapshots already cut figures in cells of k, so that nothing here should ever hide a
    group; the rule stays as a second line of defence.
    """
    unattributed = counts.get(None, 0)
    present = {group: n for group, n in counts.items() if group is not None and n > 0}
    smallest_first = sorted(present, key=lambda group: (present[group], group))
    hidden = {group: TOO_FEW for group in smallest_first if present[group] < k}
    for group in smallest_first:
        pool = sum(present[g] for g in hidden) + unattributed
        if not (hidden or unattributed) or pool == 0 or pool >= k:
            break
        hidden.setdefault(group, COMPLEMENTARY)
    shown = [group for group in smallest_first if group not in hidden]
    if len(shown) < 2:
        hidden.update(dict.fromkeys(shown, NO_COMPARISON))
    return {group: hidden.get(group, "") for group in sorted(present)}
