"""Absolute and relative Chinese times, read against the message's sent time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dialogs.readers.times import read_date, read_date_reading, read_datetime
from rules.types import SHANGHAI

# Monday 9 October 2023, 08:30 in Shanghai.
NOW = datetime(2023, 10, 9, 8, 30, tzinfo=SHANGHAI)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, sec, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023年10月8日21:40", at(2023, 10, 8, 21, 40)),
        ("2023年10月8号 21:40", at(2023, 10, 8, 21, 40)),
        ("10月8号晚上九点四十", at(2023, 10, 8, 21, 40)),
        ("十月八日晚上九点四十分", at(2023, 10, 8, 21, 40)),
        ("2023-10-08 21:40", at(2023, 10, 8, 21, 40)),
        ("2023/10/8 21:40", at(2023, 10, 8, 21, 40)),
        ("2023.10.08 21:40:15", at(2023, 10, 8, 21, 40, 15)),
        ("10.8 晚上9点", at(2023, 10, 8, 21, 0)),
        ("二〇二三年十月八日晚上九点四十", at(2023, 10, 8, 21, 40)),
        ("23年10月8日晚上9点", at(2023, 10, 8, 21, 0)),
        ("2023-10-08T21:40:00+08:00", at(2023, 10, 8, 21, 40)),
        ("2023-10-08T13:40:00Z", at(2023, 10, 8, 21, 40)),
        ("下午3点半", at(2023, 10, 8, 15, 30)),
        ("昨晚九点四十", at(2023, 10, 8, 21, 40)),
        ("昨天晚上十点", at(2023, 10, 8, 22, 0)),
        ("昨天夜里11点", at(2023, 10, 8, 23, 0)),
        ("前天下午3点半", at(2023, 10, 7, 15, 30)),
        ("大前天中午12点", at(2023, 10, 6, 12, 0)),
        ("今天早上7点", at(2023, 10, 9, 7, 0)),
        ("今天凌晨3点", at(2023, 10, 9, 3, 0)),
        ("凌晨三点", at(2023, 10, 9, 3, 0)),
        ("中午1点", at(2023, 10, 8, 13, 0)),
        ("上周五晚上8点", at(2023, 10, 6, 20, 0)),
        ("周五晚上8点", at(2023, 10, 6, 20, 0)),
        ("星期天晚上7点", at(2023, 10, 8, 19, 0)),
        ("昨晚1点", at(2023, 10, 9, 1, 0)),  # the small hours after last evening
        ("昨晚凌晨2点", at(2023, 10, 9, 2, 0)),
        ("昨天半夜12点", at(2023, 10, 9, 0, 0)),
        ("晚上12点", at(2023, 10, 9, 0, 0)),
        ("9:40 pm", at(2023, 10, 8, 21, 40)),
        ("20:55", at(2023, 10, 8, 20, 55)),
        ("昨天20:55被转走了5200", at(2023, 10, 8, 20, 55)),
        ("21点40分", at(2023, 10, 8, 21, 40)),
        ("10月8日 20:55", at(2023, 10, 8, 20, 55)),
        ("8号晚上9点", at(2023, 10, 8, 21, 0)),
        ("3天前晚上8点", at(2023, 10, 6, 20, 0)),
    ],
)
def test_unambiguous(text: str, expected: datetime) -> None:
    reading = read_datetime(text, NOW)
    assert reading.value == expected, text
    assert not reading.ambiguous
    assert not reading.date_only
    assert reading.value is not None and reading.value.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("刚才", timedelta(0)),
        ("刚刚", timedelta(0)),
        ("就刚刚被转走的", timedelta(0)),
        ("半小时前", timedelta(minutes=30)),
        ("半个小时前", timedelta(minutes=30)),
        ("两个小时前", timedelta(hours=2)),
        ("2小时之前", timedelta(hours=2)),
        ("10分钟前", timedelta(minutes=10)),
        ("十分钟以前", timedelta(minutes=10)),
        ("一个半小时前", timedelta(minutes=90)),
        ("一刻钟前", timedelta(minutes=15)),
    ],
)
def test_relative_to_now(text: str, delta: timedelta) -> None:
    reading = read_datetime(text, NOW)
    assert reading.value == NOW - delta
    assert not reading.date_only


@pytest.mark.parametrize(
    ("text", "day", "part"),
    [
        ("今早", date(2023, 10, 9), "morning"),
        ("昨晚", date(2023, 10, 8), "evening"),
        ("昨天", date(2023, 10, 8), None),
        ("前天", date(2023, 10, 7), None),
        ("10月8号", date(2023, 10, 8), None),
        ("10月10号", date(2022, 10, 10), None),  # most recent 10 October not after today
        ("三天前", date(2023, 10, 6), None),
        ("上周日", date(2023, 10, 8), None),
        ("周五", date(2023, 10, 6), None),
        ("2023年10月1日", date(2023, 10, 1), None),
        ("10月8日晚上", date(2023, 10, 8), "evening"),
        ("10月8号晚", date(2023, 10, 8), "evening"),
        ("星期五下午", date(2023, 10, 6), "afternoon"),
        ("今天凌晨", date(2023, 10, 9), "dawn"),
    ],
)
def test_date_only(text: str, day: date, part: str | None) -> None:
    reading = read_datetime(text, NOW)
    assert reading.date_only
    assert reading.value == datetime.combine(day, datetime.min.time(), tzinfo=SHANGHAI)
    assert reading.part_of_day == part


def test_ambiguous_hour_with_date_gives_both() -> None:
    reading = read_datetime("10月8号8点", NOW)
    assert reading.ambiguous
    assert reading.alternatives == [at(2023, 10, 8, 8, 0), at(2023, 10, 8, 20, 0)]
    assert reading.value == at(2023, 10, 8, 20, 0)  # the later, likelier one


def test_ambiguous_hour_without_date() -> None:
    evening = datetime(2023, 10, 9, 22, 0, tzinfo=SHANGHAI)
    reading = read_datetime("8点", evening)
    assert reading.ambiguous
    assert reading.alternatives == [at(2023, 10, 9, 8, 0), at(2023, 10, 9, 20, 0)]
    # Early morning: neither of today's is past, so both of yesterday's.
    reading = read_datetime("9点40分", NOW)
    assert reading.alternatives == [at(2023, 10, 8, 9, 40), at(2023, 10, 8, 21, 40)]
    reading = read_datetime("九点一刻", evening)
    assert reading.alternatives == [at(2023, 10, 9, 9, 15), at(2023, 10, 9, 21, 15)]


def test_only_one_plausible_is_not_ambiguous() -> None:
    # At 08:30, 8点 today can only be 08:00: 20:00 is still to come.
    reading = read_datetime("8点", NOW)
    assert reading.value == at(2023, 10, 9, 8, 0)
    assert not reading.ambiguous
    assert reading.alternatives == []
    assert read_datetime("今天8点", NOW).value == at(2023, 10, 9, 8, 0)


@pytest.mark.parametrize(
    "text", ["今天上午10点", "今天晚上10点", "明天", "这周三", "2023年12月1日", "10分钟后"]
)
def test_future_is_refused(text: str) -> None:
    reading = read_datetime(text, NOW)
    assert reading.value is None
    if text != "10分钟后" and text != "明天":
        assert reading.future


def test_a_minute_of_slack() -> None:
    assert read_datetime("8:31", NOW).value == at(2023, 10, 9, 8, 31)
    assert read_datetime("今天8:35", NOW).future


def test_time_without_date_is_the_most_recent() -> None:
    # 晚上9点 said at 08:30 is yesterday evening.
    assert read_datetime("晚上9点", NOW).value == at(2023, 10, 8, 21, 0)


def test_naive_now_is_shanghai() -> None:
    naive = datetime(2023, 10, 9, 8, 30)
    assert read_datetime("刚才", naive).value == NOW


def test_other_zone_now_is_converted() -> None:
    utc = NOW.astimezone(UTC)
    reading = read_datetime("昨晚九点四十", utc)
    assert reading.value == at(2023, 10, 8, 21, 40)
    assert reading.value is not None and reading.value.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    "text",
    ["", "不知道", "随便说点什么", "2月30日", "下午25点", "13月1日", "5200", "5200.50", "😀"],
)
def test_nothing(text: str) -> None:
    reading = read_datetime(text, NOW)
    assert reading.value is None
    assert not reading.future


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023年3月1日", date(2023, 3, 1)),
        ("2023-03-01", date(2023, 3, 1)),
        ("2023/3/1", date(2023, 3, 1)),
        ("三月一号", date(2023, 3, 1)),
        ("3月1日买的", date(2023, 3, 1)),
        ("今年3月1号", date(2023, 3, 1)),
        ("去年3月", date(2022, 3, 1)),
        ("去年3月15号", date(2022, 3, 15)),
        ("2022年5月", date(2022, 5, 1)),
        ("上个月15号", date(2023, 9, 15)),
        ("昨天", date(2023, 10, 8)),
        ("12月1日", date(2022, 12, 1)),
    ],
)
def test_read_date(text: str, expected: date) -> None:
    assert read_date(text, NOW) == expected


def test_read_date_precision_and_future() -> None:
    assert read_date_reading("去年3月", NOW).precision == "month"
    assert read_date_reading("2023年3月1日", NOW).precision == "day"
    assert read_date("2024年1月1日", NOW) is None
    assert read_date_reading("2024年1月1日", NOW).future
    assert read_date("今年12月", NOW) is None
    assert read_date("2024年2月29日", NOW, allow_future=True) == date(2024, 2, 29)
    # 明年3月31号到期 was read as this year's 31 March: a cover ended a year early.
    assert read_date("明年3月31号到期", NOW, allow_future=True) == date(2024, 3, 31)
    assert read_date("后年1月", NOW, allow_future=True) == date(2025, 1, 1)
    assert read_date("明年3月31号", NOW) is None
    assert read_date("不记得了", NOW) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday at 9pm", datetime(2023, 10, 8, 21, 0, tzinfo=SHANGHAI)),
        ("9:40 pm yesterday", datetime(2023, 10, 8, 21, 40, tzinfo=SHANGHAI)),
        ("last night at 9", datetime(2023, 10, 8, 21, 0, tzinfo=SHANGHAI)),
        ("the day before yesterday at 10:30pm", datetime(2023, 10, 7, 22, 30, tzinfo=SHANGHAI)),
        ("2 days ago at 8am", datetime(2023, 10, 7, 8, 0, tzinfo=SHANGHAI)),
        ("this morning at 7:15", datetime(2023, 10, 9, 7, 15, tzinfo=SHANGHAI)),
        ("half an hour ago", datetime(2023, 10, 9, 8, 0, tzinfo=SHANGHAI)),
        ("an hour ago", datetime(2023, 10, 9, 7, 30, tzinfo=SHANGHAI)),
        ("just now", NOW),
        ("Oct 8, 21:40", datetime(2023, 10, 8, 21, 40, tzinfo=SHANGHAI)),
        ("8 October 2023 at 12am", datetime(2023, 10, 8, 0, 0, tzinfo=SHANGHAI)),
    ],
)
def test_english_times_are_read(text: str, expected: datetime) -> None:
    """"yesterday" and "today" were ignored (the most recent 9:00 was taken), and 9pm,
    "an hour ago" and month names were not read at all."""
    assert read_datetime(text, NOW).value == expected


def test_english_dates_and_what_is_not_a_month() -> None:
    assert read_date("March 1, 2023", NOW) == date(2023, 3, 1)
    assert read_date("1 March 2023", NOW) == date(2023, 3, 1)
    assert read_date_reading("last March", NOW).value == date(2022, 3, 1)
    assert read_date_reading("last March", NOW).precision == "month"
    assert read_date("I may have lost it", NOW) is None
    assert read_datetime("yesterday evening", NOW).date_only
