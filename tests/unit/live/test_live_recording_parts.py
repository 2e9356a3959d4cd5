"""Which parts an abandoned upload is completed with: from the first, without holes, and never a
short part (S3 refuses one under 5 MiB anywhere but last)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from peerlearn.adapters.objects import UploadedPart
from peerlearn.live.recording import MIN_PART_BYTES, playable_prefix

SIZES = st.sampled_from([1, MIN_PART_BYTES - 1, MIN_PART_BYTES, 2 * MIN_PART_BYTES])


@given(st.dictionaries(st.integers(min_value=1, max_value=12), SIZES, max_size=12))
def test_the_prefix_is_consecutive_from_one_s3_accepts_it_and_it_is_the_longest_such(
    sizes: dict[int, int],
) -> None:
    parts = [UploadedPart(n, f'"{n}"', size) for n, size in sizes.items()]

    chosen = playable_prefix(parts)

    assert [p.part_number for p in chosen] == list(range(1, len(chosen) + 1))
    assert all(p.size_bytes >= MIN_PART_BYTES for p in chosen[:-1])
    following = len(chosen) + 1
    longer_possible = following in sizes and (not chosen or chosen[-1].size_bytes >= MIN_PART_BYTES)
    assert not longer_possible


def test_a_tab_closed_mid_recording_keeps_everything_but_the_chunk_in_flight() -> None:
    arrived = [UploadedPart(n, f'"{n}"', MIN_PART_BYTES) for n in (1, 2, 3)] + [UploadedPart(4, '"4"', 10)]

    assert [p.part_number for p in playable_prefix(arrived)] == [1, 2, 3, 4]
