"""Schedules in the city's local time become UTC sessions."""

import datetime as dt

import pytest

from col_core.activities.schedule import ScheduleError, as_utc, compute_sessions

UTC = dt.timezone.utc


def test_single_session_is_converted_from_local_time():
    sessions = compute_sessions("single", {"sessions": [{"start": "2027-07-01T10:00",
                                                         "end": "2027-07-01T12:30"}]},
                                "Europe/Madrid")
    assert sessions == [(dt.datetime(2027, 7, 1, 8, 0, tzinfo=UTC),
                         dt.datetime(2027, 7, 1, 10, 30, tzinfo=UTC))]


def test_multi_sessions_are_sorted():
    sessions = compute_sessions("multi_session", {"sessions": [
        {"start": "2027-02-08T10:00", "end": "2027-02-08T11:00"},
        {"start": "2027-02-01T10:00", "end": "2027-02-01T11:00"}]}, "UTC")
    assert [s[0].day for s in sessions] == [1, 8]


def test_weekly_rule_keeps_the_wall_clock_time_across_daylight_saving():
    sessions = compute_sessions("recurring", {"start": "2027-10-21T18:00",
                                              "end": "2027-10-21T19:00",
                                              "rrule": "RRULE:FREQ=WEEKLY;COUNT=3"},
                                "Europe/Brussels")
    assert [s[0].hour for s in sessions] == [16, 16, 17]  # summer time ends on 31 October
    assert all(end - start == dt.timedelta(hours=1) for start, end in sessions)


def test_rule_with_until_is_accepted():
    sessions = compute_sessions("recurring", {"start": "2027-01-04T09:00",
                                              "end": "2027-01-04T10:00",
                                              "rrule": "FREQ=DAILY;UNTIL=20270106T235959"}, "UTC")
    assert len(sessions) == 3


def test_always_open_has_no_sessions():
    assert compute_sessions("always_open", {"anything": 1}, "UTC") == []


@pytest.mark.parametrize("kind, schedule", [
    ("single", {}), ("single", {"sessions": "soon"}), ("single", {"sessions": ["soon"]}),
    ("single", {"sessions": [{"start": "2027-01-01T10:00", "end": "2027-03-01T10:00"}]}),
    ("recurring", {"start": "2027-01-01T10:00", "end": "2027-01-01T11:00"}),
    ("recurring", {"start": "2027-01-01T10:00", "end": "2027-01-01T11:00",
                   "rrule": "FREQ=WEEKLY;COUNT=1;BYDAY=XX"}),
    ("sometimes", {}),
])
def test_bad_schedules_raise_a_message(kind, schedule):
    with pytest.raises(ScheduleError) as error:
        compute_sessions(kind, schedule, "UTC")
    assert str(error.value)


def test_as_utc_marks_naive_database_times_as_utc():
    assert as_utc(dt.datetime(2027, 1, 1)).tzinfo is UTC
    assert as_utc(None) is None
