"""Fuzz test: mutated inputs of every format through the public read path raise only typed errors.

Every input (a seed file of the format, damaged by a seeded random: see tests/fuzzing.py) must either give results
whose counts add up (records seen = imported + duplicates + quarantined) or raise a ModeratorKitError. A longer
run, with counts per format, is ``make fuzz`` (scripts/fuzz.py).
"""

from __future__ import annotations

import pytest

from tests.fuzzing import FORMAT_GROUPS, fuzz

INPUTS_PER_FORMAT = 1000


@pytest.mark.parametrize("group", FORMAT_GROUPS)
def test_mutated_inputs_give_results_or_typed_errors(group):
    tally = fuzz(group, INPUTS_PER_FORMAT, seed=0, every_reader=False)
    assert tally.inputs == INPUTS_PER_FORMAT
    assert tally.failures == [], "\n".join(tally.failures[:10])
    # The mutations reach both outcomes: some inputs still parse, some are refused with a typed error.
    assert tally.parsed > 0 and tally.typed_errors > 0, tally
