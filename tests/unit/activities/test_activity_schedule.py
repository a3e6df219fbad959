"""Schedules in the city's local time become UTC sessions."""

import datetime as dt

import pytest

from col_core.activities.schedule import (
    HORIZON_YEARS,
    ScheduleError,
    ScheduleRefused,
    as_utc,
    compute_sessions,
)

UTC = dt.UTC


def test_single_session_is_converted_from_local_time():
    sessions = compute_sessions(
        "single",
        {"sessions": [{"start": "2027-07-01T10:00", "end": "2027-07-01T12:30"}]},
        "Europe/Madrid",
    )
    assert sessions == [
        (dt.datetime(2027, 7, 1, 8, 0, tzinfo=UTC), dt.datetime(2027, 7, 1, 10, 30, tzinfo=UTC))
    ]


def test_multi_sessions_are_sorted():
    sessions = compute_sessions(
        "multi_session",
        {
            "sessions": [
                {"start": "2027-02-08T10:00", "end": "2027-02-08T11:00"},
                {"start": "2027-02-01T10:00", "end": "2027-02-01T11:00"},
            ]
        },
        "UTC",
    )
    assert [s[0].day for s in sessions] == [1, 8]


def test_weekly_rule_keeps_the_wall_clock_time_across_daylight_saving():
    sessions = compute_sessions(
        "recurring",
        {
            "start": "2027-10-21T18:00",
            "end": "2027-10-21T19:00",
            "rrule": "RRULE:FREQ=WEEKLY;COUNT=3",
        },
        "Europe/Brussels",
    )
    assert [s[0].hour for s in sessions] == [16, 16, 17]  # summer time ends on 31 October
    assert all(end - start == dt.timedelta(hours=1) for start, end in sessions)


def test_rule_with_until_is_accepted():
    sessions = compute_sessions(
        "recurring",
        {
            "start": "2027-01-04T09:00",
            "end": "2027-01-04T10:00",
            "rrule": "FREQ=DAILY;UNTIL=20270106T235959",
        },
        "UTC",
    )
    assert len(sessions) == 3


def test_always_open_has_no_sessions():
    assert compute_sessions("always_open", {"anything": 1}, "UTC") == []


@pytest.mark.parametrize(
    "kind, schedule",
    [
        ("single", {}),
        ("single", {"sessions": "soon"}),
        ("single", {"sessions": ["soon"]}),
        ("single", {"sessions": [{"start": "2027-01-01T10:00", "end": "2027-03-01T10:00"}]}),
        ("recurring", {"start": "2027-01-01T10:00", "end": "2027-01-01T11:00"}),
        (
            "recurring",
            {
                "start": "2027-01-01T10:00",
                "end": "2027-01-01T11:00",
                "rrule": "FREQ=WEEKLY;COUNT=1;BYDAY=XX",
            },
        ),
        ("sometimes", {}),
    ],
)
def test_bad_schedules_raise_a_message(kind, schedule):
    with pytest.raises(ScheduleError) as error:
        compute_sessions(kind, schedule, "UTC")
    assert str(error.value)


def test_as_utc_marks_naive_database_times_as_utc():
    assert as_utc(dt.datetime(2027, 1, 1)).tzinfo is UTC
    assert as_utc(None) is None


# -- limits: a repeat rule costs a bounded amount of work, whatever it says (finding 4) ------------

ATTACK = "FREQ=MINUTELY;COUNT=2;BYMONTH=2;BYMONTHDAY=30"


def refusal(error) -> str:
    return error.value.args[0].interpolate()


def recurring(rule, start="2027-03-01T18:00", end="2027-03-01T19:00"):
    return compute_sessions(
        "recurring", {"start": start, "end": end, "rrule": rule}, "Europe/Vilnius"
    )


@pytest.mark.parametrize(
    "rule",
    [ATTACK, "FREQ=HOURLY;COUNT=3", "FREQ=SECONDLY;COUNT=3", "FREQ=DAILY;BYHOUR=9,10;COUNT=4"],
)
def test_rules_more_often_than_daily_are_refused(rule):
    with pytest.raises(ScheduleRefused) as error:
        recurring(rule)
    assert "at most once a day" in refusal(error)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;COUNT=2;BYMONTH=2;BYMONTHDAY=30",  # 30 February never comes
        "FREQ=WEEKLY;COUNT=2;BYWEEKNO=53;BYMONTH=6",
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=3",  # from a Monday, every 7th day is a Monday
        "FREQ=YEARLY;COUNT=3;BYMONTH=2;BYMONTHDAY=29",  # the third 29 February is beyond two years
    ],
)
def test_rules_that_never_reach_their_count_within_the_horizon_are_refused(rule, monkeypatch):
    # Counted work, not time: dateutil computes each period's days with _iterinfo.rebuild.
    import dateutil.rrule

    calls = []
    original = dateutil.rrule._iterinfo.rebuild
    monkeypatch.setattr(
        dateutil.rrule._iterinfo,
        "rebuild",
        lambda self, year, month: calls.append(year) or original(self, year, month),
    )
    with pytest.raises(ScheduleRefused) as error:
        recurring(rule)
    assert f"within {HORIZON_YEARS} years" in refusal(error)
    # Without the bound, dateutil searched month after month until the year 9999: 95,000 calls.
    assert len(calls) < 12 * 31


def test_until_beyond_the_horizon_is_refused():
    with pytest.raises(ScheduleRefused) as error:
        recurring("FREQ=WEEKLY;UNTIL=20990101T000000")
    assert "within 2 years" in refusal(error)


def test_rules_in_utc_or_with_a_date_for_until_end_on_that_day():
    assert len(recurring("FREQ=DAILY;UNTIL=20270303")) == 3
    assert len(recurring("FREQ=DAILY;UNTIL=20270303T155959Z")) == 2  # 17:59 in Vilnius


@pytest.mark.parametrize(
    "rule, dates",
    [
        ("FREQ=MONTHLY;BYDAY=1SA;COUNT=3", ["2027-03-06", "2027-04-03", "2027-05-01"]),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=2", ["2027-03-31", "2027-04-30"]),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=1", ["2028-02-29"]),
        ("FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO;COUNT=2", ["2028-01-03", "2029-01-01"]),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=3", ["2027-03-02", "2027-03-04", "2027-03-16"]),
    ],
)
def test_rules_give_the_same_dates_as_dateutil_on_the_real_calendar(rule, dates):
    # The expansion runs on twin years near dateutil's end of calendar; the dates must not move.
    assert [
        start.astimezone(dt.timezone(dt.timedelta(hours=2))).date().isoformat()
        for start, _end in recurring(rule)
    ] == dates


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;COUNT=3\nRDATE:20270101",
        "FREQ=WEEKLY;COUNT=0",
        "FREQ=WEEKLY;COUNT=2,3",
        "FREQ=WEEKLY,DAILY;COUNT=2",
        "FREQ=WEEKLY;BYEASTER=1;COUNT=2",
        "FREQ=WEEKLY;COUNT=2;UNTIL=20270401",
        "garbage",
        "FREQ=WEEKLY;BYDAY=XX;COUNT=1",
    ],
)
def test_malformed_rules_are_refused_with_a_message(rule):
    with pytest.raises(ScheduleError) as error:
        recurring(rule)
    assert str(error.value)


@pytest.mark.parametrize(
    "start", ["0001-01-01T00:00", "9999-12-31T22:00", "1900-06-01T10:00", "2100-01-01T10:00"]
)
def test_dates_outside_the_accepted_years_are_refused(start):
    with pytest.raises(ScheduleError) as error:
        compute_sessions("single", {"sessions": [{"start": start, "end": start}]}, "Europe/Vilnius")
    assert refusal(error) == "Give a date from 1901 to 2099."
