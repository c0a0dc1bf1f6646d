"""Hypothesis strategies and settings shared by the property-based tests."""

from __future__ import annotations

from datetime import date

from hypothesis import settings
from hypothesis import strategies as st

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,  # a shared 2-core CI runner must not turn a slow example into a failure
    # No example database in the repository root: a failure prints its example, and
    # `@reproduce_failure` replays it.
    database=None,
)

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
business_day_counts = st.integers(min_value=0, max_value=120)


@st.composite
def holiday_sets(draw: st.DrawFn, around: date) -> frozenset[date]:
    """Up to 30 holidays within half a year after ``around``, weekends included."""
    offsets = draw(st.sets(st.integers(min_value=0, max_value=180), max_size=30))
    return frozenset(date.fromordinal(around.toordinal() + offset) for offset in offsets)
