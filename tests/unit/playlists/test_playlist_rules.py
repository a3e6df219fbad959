"""The completion rule engine: evaluation, validation messages, feasibility, awards."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from plugins.playlists.rules import (
    Item,
    Rule,
    awards_due,
    criteria_narrative,
    evaluate,
    feasible,
    problems,
    unlock_cycle,
)

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)


def mixed_rule(**changes) -> Rule:
    """Two mandatory, three optional (two needed), a group of three alternatives (any two)."""
    items = (
        Item(1, "Intro"),
        Item(2, "Workshop"),
        Item(3, "Talk", mandatory=False),
        Item(4, "Visit", mandatory=False),
        Item(5, "Film", mandatory=False),
        Item(6, "Python", mandatory=False, group="code"),
        Item(7, "Scratch", mandatory=False, group="code"),
        Item(8, "Arduino", mandatory=False, group="code"),
    )
    values = {"items": items, "min_optional": 2, "groups": {"code": 2}, "milestones": (3,)}
    values.update(changes)
    return Rule(**values)


def messages(rule: Rule) -> dict[str, str]:
    return {name: message.interpolate() for name, message in problems(rule).items()}


def test_all_mandatory_plus_n_optional_plus_k_of_group_is_satisfied():
    assert evaluate(mixed_rule(), {1, 2, 3, 5, 6, 8}).satisfied


def test_a_missing_mandatory_item_is_not_satisfied():
    progress = evaluate(mixed_rule(), {1, 3, 4, 5, 6, 7, 8})
    assert not progress.satisfied
    assert progress.met == progress.required - 1


def test_too_few_optional_items_is_not_satisfied():
    assert not evaluate(mixed_rule(), {1, 2, 3, 6, 7}).satisfied


def test_group_needs_k_of_its_alternatives():
    assert not evaluate(mixed_rule(), {1, 2, 3, 4, 6}).satisfied
    assert evaluate(mixed_rule(), {1, 2, 3, 4, 7, 8}).satisfied


def test_extra_optional_items_do_not_count_twice():
    progress = evaluate(mixed_rule(), {3, 4, 5, 6, 7, 8})
    assert progress.met == 2 + 2 and progress.required == 2 + 2 + 2


def test_progress_percent():
    assert evaluate(mixed_rule(), {1, 2, 3}).percent == 50


def test_unknown_keys_are_ignored():
    assert evaluate(mixed_rule(), {99}).done == frozenset()


def test_item_states_follow_unlocking_and_dates():
    items = (
        Item(1),
        Item(2, unlock_after=1),
        Item(3, opens_at=NOW + dt.timedelta(days=1)),
        Item(4, closes_at=NOW - dt.timedelta(days=1)),
    )
    states = evaluate(Rule(items), {3}, NOW).states
    assert states == {1: "open", 2: "locked", 3: "done", 4: "closed"}
    assert evaluate(Rule(items), set(), NOW).states[3] == "upcoming"
    assert evaluate(Rule(items), {1}, NOW).states[2] == "open"


def test_a_valid_rule_has_no_problems():
    assert problems(mixed_rule()) == {}


def test_empty_playlist_is_refused():
    assert "Add at least one activity" in messages(Rule(()))["items"]


def test_more_optional_items_needed_than_exist():
    assert (
        messages(mixed_rule(min_optional=4))["min_optional"]
        == "The rule needs 4 optional items but only 3 exist."
    )


def test_negative_optional_count():
    assert "cannot be negative" in messages(mixed_rule(min_optional=-1))["min_optional"]


def test_group_asking_for_more_than_it_has():
    assert (
        messages(mixed_rule(groups={"code": 4}))["groups.code"]
        == "Group “code” asks for 4 of its items but has only 3."
    )


def test_group_asking_for_nothing():
    assert "at least one" in messages(mixed_rule(groups={"code": 0}))["groups.code"]


def test_item_in_a_group_that_does_not_exist():
    rule = Rule((Item(1), Item(2, "Extra", mandatory=False, group="ghost")))
    assert messages(rule)["items.2"] == "“Extra” is in group “ghost”, which does not exist."


def test_mandatory_item_cannot_be_an_alternative():
    rule = Rule((Item(1, "Intro", group="g"), Item(2, mandatory=False, group="g")), groups={"g": 1})
    assert "is mandatory, so it cannot be one of the alternatives" in messages(rule)["items.1"]


def test_unlocking_after_an_item_outside_the_playlist():
    rule = Rule((Item(1, "Intro", unlock_after=42),))
    assert "not in the playlist" in messages(rule)["items.1"]


def test_closing_before_opening():
    rule = Rule((Item(1, "Intro", opens_at=NOW, closes_at=NOW - dt.timedelta(hours=1)),))
    assert messages(rule)["items.1"] == "“Intro” closes before it opens."


def test_unlocking_cycle_is_named():
    rule = Rule(
        (Item(1, "A", unlock_after=3), Item(2, "B", unlock_after=1), Item(3, "C", unlock_after=2))
    )
    assert unlock_cycle(rule) == [1, 3, 2, 1]
    assert (
        messages(rule)["unlock_after"]
        == "The unlocking order goes round in a circle: A → C → B → A."
    )


def test_self_unlocking_is_a_cycle():
    assert "circle" in messages(Rule((Item(1, "A", unlock_after=1),)))["unlock_after"]


def test_impossible_milestone():
    assert (
        messages(mixed_rule(milestones=(9,)))["milestones"]
        == "A milestone of 9 items is impossible in a playlist of 8."
    )


def test_feasibility_without_an_unavailable_mandatory_item():
    assert feasible(mixed_rule(), {1, 2, 3, 4, 6, 7})
    assert not feasible(mixed_rule(), {2, 3, 4, 5, 6, 7, 8})


def test_feasibility_when_too_few_alternatives_remain():
    assert not feasible(mixed_rule(), {1, 2, 3, 4, 5, 6})


def test_milestone_then_completion_awards():
    rule = mixed_rule()
    assert awards_due(rule, evaluate(rule, {1, 2}), set()) == []
    assert awards_due(rule, evaluate(rule, {1, 2, 3}), set()) == [3]
    assert awards_due(rule, evaluate(rule, {1, 2, 3, 4, 6, 7}), {3}) == ["completion"]


def test_criteria_narrative_names_every_part_of_the_rule():
    text = criteria_narrative(mixed_rule())
    assert "Complete every one of these activities: Intro; Workshop." in text
    assert "Complete at least 2 of these optional activities: Talk; Visit; Film." in text
    assert "code: complete any 2 of Python; Scratch; Arduino." in text


# -- properties ---------------------------------------------------------------------------


@st.composite
def rules(draw) -> Rule:
    count = draw(st.integers(min_value=1, max_value=8))
    group_names = draw(st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=3))
    items = []
    for key in range(1, count + 1):
        kind = draw(st.sampled_from(["mandatory", "optional", *group_names]))
        items.append(
            Item(key, mandatory=kind == "mandatory", group=kind if kind in group_names else "")
        )
    groups = {}
    for name in group_names:
        size = sum(1 for item in items if item.group == name)
        if size:
            groups[name] = draw(st.integers(min_value=1, max_value=size))
    optional = sum(1 for item in items if not item.mandatory and not item.group)
    min_optional = draw(st.integers(min_value=0, max_value=optional))
    milestones = tuple(draw(st.lists(st.integers(min_value=1, max_value=count), max_size=2)))
    return Rule(tuple(items), min_optional, groups, milestones)


@given(rules())
def test_generated_rules_are_valid(rule):
    assert problems(rule) == {}


@given(rules(), st.data())
def test_adding_a_completion_never_reduces_progress(rule, data):
    keys = [item.key for item in rule.items]
    done = set(data.draw(st.lists(st.sampled_from(keys), unique=True)))
    extra = data.draw(st.sampled_from(keys))
    before, after = evaluate(rule, done), evaluate(rule, done | {extra})
    assert after.met >= before.met
    assert after.fraction >= before.fraction
    assert after.satisfied or not before.satisfied


@given(rules(), st.data())
def test_meeting_the_rule_awards_exactly_once(rule, data):
    keys = [item.key for item in rule.items]
    order = data.draw(st.permutations(keys))
    awarded: list = []
    done: set[int] = set()
    for key in [*order, *order]:  # completing again (a second scan) changes nothing
        done.add(key)
        due = awards_due(rule, evaluate(rule, done), set(awarded))
        awarded.extend(due)
    assert awarded.count("completion") == 1  # completing everything always meets the rule
    assert len(awarded) == len(set(awarded))
    assert sorted(a for a in awarded if a != "completion") == sorted(set(rule.milestones))
