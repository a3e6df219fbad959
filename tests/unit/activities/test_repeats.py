"""The repeat builder shows a stored rule as its choices, and only a rule it can write."""

import pytest

from col_core.activities.repeats import builder_values


@pytest.mark.parametrize(
    ("rule", "shown"),
    [
        ("", {"repeat_every": "week", "repeat_ends": "count", "repeat_days": []}),
        (
            "FREQ=WEEKLY;COUNT=4;BYDAY=MO,TH",
            {
                "repeat_every": "week",
                "repeat_days": ["MO", "TH"],
                "repeat_ends": "count",
                "repeat_count": "4",
            },
        ),
        (
            "RRULE:FREQ=DAILY;UNTIL=20270102",
            {
                "repeat_every": "day",
                "repeat_days": [],
                "repeat_ends": "until",
                "repeat_until": "2027-01-02",
            },
        ),
        (
            "FREQ=MONTHLY;UNTIL=20270102T235959Z",
            {
                "repeat_every": "month",
                "repeat_days": [],
                "repeat_ends": "until",
                "repeat_until": "2027-01-02",
            },
        ),
    ],
)
def test_a_rule_the_builder_writes_is_shown_as_its_choices(rule, shown):
    assert builder_values(rule) == shown


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;INTERVAL=2;COUNT=6",
        "FREQ=MONTHLY;BYDAY=1MO;COUNT=3",
        "FREQ=DAILY;BYDAY=MO;COUNT=3",
        "FREQ=WEEKLY;COUNT=3",
        "FREQ=YEARLY;COUNT=3",
        "FREQ=DAILY",
        "not a rule at all",
    ],
)
def test_any_other_rule_stays_text(rule):
    assert builder_values(rule)["repeat_every"] == "custom"
