"""公示 periods in calendar days or in Chinese working days (statutory holidays and adjusted weekends)."""

from datetime import date, timedelta

import chinese_calendar
from django.utils.translation import gettext as _


class CalendarUnavailable(ValueError):
    """The installed chinese-calendar has no holiday data for a year the period touches."""


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as missing:
        raise CalendarUnavailable(
            _(
                "尚无%(year)d年的法定节假日安排数据，无法按工作日计算公示期；请改用自然日，或升级 chinese-calendar。"
            )
            % {"year": day.year}
        ) from missing


def period_end(starts_on: date, length: int, day_kind: str) -> date:
    """The last day of a period of ``length`` days that starts on ``starts_on`` (which counts if it qualifies).

    Working days skip weekends and statutory holidays but include the weekends China works in exchange
    (调休上班), as the State Council's yearly notice sets them.
    """
    if length < 1:
        raise ValueError("length must be at least 1")
    if day_kind == "calendar":
        return starts_on + timedelta(days=length - 1)
    day, counted = starts_on, 0
    while True:
        if is_working_day(day):
            counted += 1
            if counted == length:
                return day
        day += timedelta(days=1)
