"""The completion rule engine: pure functions, no database, no request.

A playlist's rule is: every mandatory item, plus at least ``min_optional`` of the optional items
that belong to no group, plus, for each group, at least K of the group's items ("any K of
these": alternatives).  Items may unlock after another item is completed and may have dates.

Locks and dates guide the learner (what is open now, what to be reminded of); a completed
activity always counts, even when the learner did it before its item opened, because punishing
someone for learning early helps nobody.  Hence adding a completion never lowers progress.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("col_playlists")


@dataclass(frozen=True)
class Item:
    key: int
    title: str = ""
    mandatory: bool = True
    group: str = ""
    unlock_after: int | None = None
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None


@dataclass(frozen=True)
class Rule:
    items: tuple[Item, ...]
    min_optional: int = 0
    groups: dict[str, int] = field(default_factory=dict)  # group name -> K
    milestones: tuple[int, ...] = ()  # "N items done" thresholds


@dataclass(frozen=True)
class Progress:
    done: frozenset[int]
    required: int  # units the rule asks for
    met: int  # units met, never more than required
    satisfied: bool
    states: dict[int, str]  # key -> done | open | locked | upcoming | closed

    @property
    def fraction(self) -> float:
        return 1.0 if not self.required else self.met / self.required

    @property
    def percent(self) -> int:
        return int(self.fraction * 100)


def _ungrouped_optional(rule: Rule) -> list[Item]:
    return [item for item in rule.items if not item.mandatory and not item.group]


def _group_members(rule: Rule, name: str) -> list[Item]:
    return [item for item in rule.items if item.group == name]


def _title(item: Item):
    return item.title or f"#{item.key}"


def problems(rule: Rule) -> dict[str, object]:
    """Why the rule cannot be saved as it is: field -> translatable message (empty when fine)."""
    found: dict[str, object] = {}
    keys = {item.key for item in rule.items}
    if not rule.items:
        found["items"] = _("Add at least one activity to the playlist.")
    optional = len(_ungrouped_optional(rule))
    if rule.min_optional < 0:
        found["min_optional"] = _("The number of optional items cannot be negative.")
    elif rule.min_optional > optional:
        found["min_optional"] = _(
            "The rule needs ${needed} optional items but only ${existing} exist.",
            mapping={"needed": rule.min_optional, "existing": optional},
        )
    for name, needed in rule.groups.items():
        size = len(_group_members(rule, name))
        if needed < 1:
            found[f"groups.{name}"] = _(
                "Group “${group}” must ask for at least one of its items.", mapping={"group": name}
            )
        elif needed > size:
            found[f"groups.{name}"] = _(
                "Group “${group}” asks for ${needed} of its items but has only ${size}.",
                mapping={"group": name, "needed": needed, "size": size},
            )
    for item in rule.items:
        field_name = f"items.{item.key}"
        if item.group and item.group not in rule.groups:
            found[field_name] = _(
                "“${item}” is in group “${group}”, which does not exist.",
                mapping={"item": _title(item), "group": item.group},
            )
        elif item.group and item.mandatory:
            found[field_name] = _(
                "“${item}” is mandatory, so it cannot be one of the "
                "alternatives of group “${group}”.",
                mapping={"item": _title(item), "group": item.group},
            )
        elif item.unlock_after is not None and item.unlock_after not in keys:
            found[field_name] = _(
                "“${item}” unlocks after an activity that is not in the playlist.",
                mapping={"item": _title(item)},
            )
        elif item.opens_at and item.closes_at and item.closes_at <= item.opens_at:
            found[field_name] = _(
                "“${item}” closes before it opens.", mapping={"item": _title(item)}
            )
    cycle = unlock_cycle(rule)
    if cycle:
        by_key = {item.key: item for item in rule.items}
        found["unlock_after"] = _(
            "The unlocking order goes round in a circle: ${cycle}.",
            mapping={"cycle": " → ".join(_title(by_key[k]) for k in cycle)},
        )
    for threshold in rule.milestones:
        if not 1 <= threshold <= len(rule.items):
            found["milestones"] = _(
                "A milestone of ${threshold} items is impossible in a playlist of ${count}.",
                mapping={"threshold": threshold, "count": len(rule.items)},
            )
    return found


def unlock_cycle(rule: Rule) -> list[int]:
    """The keys of a loop in the unlocking order (first key repeated at the end), or []."""
    after = {item.key: item.unlock_after for item in rule.items}
    for start in after:
        path: list[int] = []
        key: int | None = start
        while key is not None and key in after:
            if key in path:
                return path[path.index(key) :] + [key]
            path.append(key)
            key = after[key]
    return []


def evaluate(rule: Rule, completed, now: dt.datetime | None = None) -> Progress:
    """How far a learner who completed the item keys ``completed`` is, at ``now``."""
    item_keys = {item.key for item in rule.items}
    done = frozenset(completed) & item_keys
    required = met = 0
    for needed, items in _parts(rule):
        required += needed
        met += min(needed, _count_done(items, done))
    states = {}
    for item in rule.items:
        states[item.key] = item_state(item, done, now)
    satisfied = met >= required
    return Progress(done=done, required=required, met=met, satisfied=satisfied, states=states)


def _parts(rule: Rule) -> list[tuple[int, list[Item]]]:
    """What the rule asks, as ``(how many, of which items)``: every mandatory item, at least
    ``min_optional`` of the optional ones outside groups, and each group's number."""
    mandatory = [item for item in rule.items if item.mandatory and not item.group]
    optional = _ungrouped_optional(rule)
    parts = [(len(mandatory), mandatory), (rule.min_optional, optional)]
    for name, needed in rule.groups.items():
        members = _group_members(rule, name)
        parts.append((needed, members))
    return parts


def _count_done(items, done) -> int:
    return sum(1 for item in items if item.key in done)


def item_state(item: Item, done, now: dt.datetime | None) -> str:
    if item.key in done:
        return "done"
    if item.unlock_after is not None and item.unlock_after not in done:
        return "locked"
    if now is not None and item.opens_at and now < item.opens_at:
        return "upcoming"
    if now is not None and item.closes_at and now > item.closes_at:
        return "closed"
    return "open"


def feasible(rule: Rule, available) -> bool:
    """Whether a new learner can still meet the rule using only the ``available`` item keys."""
    return evaluate(rule, available).satisfied


def milestones_reached(rule: Rule, progress: Progress) -> list[int]:
    return [m for m in sorted(set(rule.milestones)) if len(progress.done) >= m]


def awards_due(rule: Rule, progress: Progress, already: set) -> list:
    """Awards a learner has earned and not yet received: ``"completion"`` and milestone ints.

    ``already`` holds what was awarded before; the caller adds what it awards to it, so each
    award is handed out exactly once however often the rule is evaluated.
    """
    earned: list = list(milestones_reached(rule, progress))
    if progress.satisfied:
        earned.append("completion")
    return [award for award in earned if award not in already]


def criteria_narrative(rule: Rule, translate=lambda message: message.interpolate()) -> str:
    """The badge's criteria in words, derived from the rule (``translate`` localises)."""
    lines = []
    mandatory = [item for item in rule.items if item.mandatory and not item.group]
    if mandatory:
        lines.append(
            translate(
                _(
                    "Complete every one of these activities: ${titles}.",
                    mapping={"titles": "; ".join(_title(i) for i in mandatory)},
                )
            )
        )
    if rule.min_optional:
        optional = _ungrouped_optional(rule)
        lines.append(
            translate(
                _(
                    "Complete at least ${count} of these optional activities: ${titles}.",
                    mapping={
                        "count": rule.min_optional,
                        "titles": "; ".join(_title(i) for i in optional),
                    },
                )
            )
        )
    for name, needed in sorted(rule.groups.items()):
        lines.append(
            translate(
                _(
                    "${group}: complete any ${count} of ${titles}.",
                    mapping={
                        "group": name,
                        "count": needed,
                        "titles": "; ".join(_title(i) for i in _group_members(rule, name)),
                    },
                )
            )
        )
    return "\n".join(lines)
