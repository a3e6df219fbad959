"""``col activities send-reminders``: one e-mail per participant and session, in their language."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from col_core.db.meta import utcnow
from col_core.mail import OutboxMailer

from .activities_testing import in_days


def cli_outbox(app_settings):
    # The command reads the COL_* environment, whose outbox lives in the data directory.
    return OutboxMailer("test@example.test", Path(app_settings["col.data_dir"]) / "outbox")


def soon(hours):
    return (utcnow() + dt.timedelta(hours=hours)).replace(second=0, microsecond=0)


def test_reminders_go_once_to_each_joined_participant(
    make_activity, people, city, run_col, app_settings
):
    starts = soon(10)
    activity = make_activity(title="Choir", starts=starts, capacity=1)
    first = people.user(preferred_locale="lt")
    people.client(city, first).post(f"/api/v1/activities/{activity.id}/participation")
    people.client(city, people.user()).post(f"/api/v1/activities/{activity.id}/participation")
    outbox = cli_outbox(app_settings)
    outbox.clear()

    result = run_col("activities", "send-reminders")
    assert result.exit_code == 0, result.output
    assert "vilnius: 1 reminder(s) queued" in result.output
    [message] = outbox.messages()
    assert message["To"] == first.email
    assert "Choir" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert f"http://vilnius.example.test/activities/{activity.id}" in body
    # In Lithuanian, with the date written the Lithuanian way (year first, Vilnius time).
    assert "prasideda" in body
    local = starts.astimezone(ZoneInfo("Europe/Vilnius"))  # no seconds
    assert f"{local:%Y-%m-%d}, " in body and f" {local:%H:%M}." in body

    again = run_col("activities", "send-reminders")
    assert "0 reminder(s) queued in all" in again.output
    assert len(outbox.messages()) == 1


def test_no_reminder_for_sessions_more_than_a_day_away(
    make_activity, people, city, run_col, app_settings
):
    activity = make_activity(starts=in_days(3))
    people.client(city, people.user()).post(f"/api/v1/activities/{activity.id}/participation")
    outbox = cli_outbox(app_settings)
    outbox.clear()
    assert "0 reminder(s) queued in all" in run_col("activities", "send-reminders").output
    assert outbox.messages() == []
