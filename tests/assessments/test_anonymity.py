"""How snapshots are cut: every cell holds at least k responses. No database."""

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from assessments.anonymity import Submission, next_batch, responses_until_next


def run(groups, k):
    """Submit one response a group in `groups`, cutting every batch that can be cut, then close.

    Returns the batches in order, and how many were waiting after each live cut.
    """
    waiting, batches, after_cut = [], [], []
    for id, group in enumerate(groups, start=1):
        waiting.append(Submission(id, group))
        while batch := next_batch(waiting, k):
            batches.append(batch)
            taken = {*batch.in_group, *batch.overall_only}
            waiting = [s for s in waiting if s.id not in taken]
            after_cut.append(len(waiting))
    final = next_batch(waiting, k, final=True)
    if final:
        batches.append(final)
    return batches, after_cut


def cells(batch, groups):
    """A batch's cells: the in-group responses of each group, and those counted overall only."""
    by_group = Counter(groups[id - 1] for id in batch.in_group)
    return [*by_group.values(), len(batch.overall_only)]


def test_the_worked_example():
    groups = ["a", "a", "b", "a", "b", "a", "c"]
    batches, _ = run(groups, 3)
    assert [(b.in_group, b.overall_only) for b in batches] == [((1, 2, 4), ()), ((), (3, 5, 6, 7))]


def test_a_single_group_moves_in_steps_of_k_and_the_newest_k_wait():
    batches, after_cut = run(["a"] * 12, 3)
    assert [b.in_group for b in batches] == [(1, 2, 3), (4, 5, 6), (7, 8, 9), (10, 11, 12)]
    assert after_cut == [3, 3, 3]


def test_small_groups_wait_for_their_group_then_go_in_overall_when_2k_are_waiting():
    # Five groups of one each never reach k = 3 among themselves; at six waiting beyond the
    # newest three, they go in as one cell counted overall only.
    groups = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
    batches, _ = run(groups, 3)
    assert batches[0] == next_batch([Submission(i, g) for i, g in enumerate(groups, 1)], 3)
    assert batches[0].overall_only == (1, 2, 3, 4, 5, 6)
    assert not batches[0].in_group


def test_at_close_a_small_remainder_joins_the_smallest_group_cell():
    waiting = [Submission(1, "a"), Submission(2, "a"), Submission(3, "a"), Submission(4, "b")]
    batch = next_batch(waiting, 3, final=True)
    assert batch.in_group == ()
    assert batch.overall_only == (1, 2, 3, 4)


def test_nothing_is_published_for_fewer_than_k_in_all():
    waiting = [Submission(1, "a"), Submission(2, "b")]
    assert next_batch(waiting, 3) is None
    assert next_batch(waiting, 3, final=True) is None


def test_the_next_move_needs_at_least_k_beyond_the_newest_k():
    assert responses_until_next(0, 5) == 10
    assert responses_until_next(7, 5) == 3
    assert responses_until_next(12, 5) == 1


@given(
    st.lists(st.sampled_from(["leadership", "digital", "frontline", "corporate", ""]), max_size=80),
    st.integers(3, 7),
)
def test_every_cell_holds_at_least_k_and_every_response_is_counted_once(groups, k):
    batches, after_cut = run(groups, k)
    counted = [id for batch in batches for id in (*batch.in_group, *batch.overall_only)]
    assert len(counted) == len(set(counted))
    if len(groups) >= k:
        assert sorted(counted) == list(range(1, len(groups) + 1))
    else:
        assert not counted
    for batch in batches:
        assert all(size == 0 or size >= k for size in cells(batch, groups)), batch
        assert batch.size >= k
    # After every cut while open, at least k wait: the final batch is never smaller than k.
    assert all(waiting >= k for waiting in after_cut)
