"""4.6.1: the service's "today" is a UTC date, checked with the clock frozen."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from module_4_6_pytest.api import now

NEW_YORK_WINTER = timezone(timedelta(hours=-5))


@pytest.mark.time_machine(datetime(2026, 12, 31, 23, 30, tzinfo=NEW_YORK_WINTER), tick=False)
def test_late_evening_in_new_york_is_already_tomorrow_for_the_service() -> None:
    # region 4.6.1 extra: late evening in new york is already tomorrow for the service
    assert now() == datetime(2027, 1, 1, 4, 30, tzinfo=UTC)
    assert now().date() == date(2027, 1, 1)
    # endregion 4.6.1
