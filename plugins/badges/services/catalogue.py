"""IBadgeCatalogue: the city's badge classes people can find, filtered and a page at a time.

How a badge is earned is read from what it is attached to and how it is configured, never
stored twice: "evidence" (``earning``), "claim" (a claim code exists, or ``earning`` says so),
"playlist" (a playlist's badge) and "completion" (an activity's badge earned by taking part).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pyramid.renderers import render
from sqlalchemy import and_, exists, func, or_, select
from zope.interface import implementer

from col_core.activities.models import Activity
from col_core.organisations.models import Organisation
from plugins.badges.interfaces import IBadgeCatalogue, IBadgeIssuer
from plugins.badges.models import BadgeClass, ClaimCode, Issuer
from plugins.badges.services import _
from plugins.badges.skills import esco_tags

PAGE_SIZE = 24
EARNED_BY = ("completion", "playlist", "evidence", "claim")
EARNED_LABELS = {
    "completion": _("By completing an activity"),
    "playlist": _("By following a playlist"),
    "evidence": _("By sending evidence"),
    "claim": _("With a claim code"),
}


class CatalogueError(ValueError):
    """A filter that cannot be applied; ``fields`` maps each parameter to what to do."""

    def __init__(self, fields: dict):
        super().__init__(fields)
        self.fields = fields


@dataclass
class Filters:
    skill: str = ""
    organisation: str = ""  # slug
    earned: str = ""
    page: int = 1

    def query(self, **changes) -> dict:
        """The filters as URL parameters (empty ones left out), with ``changes``."""
        values = {**self.__dict__, **changes}
        return {k: v for k, v in values.items() if v and not (k == "page" and v == 1)}


@dataclass
class CataloguePage:
    badges: list
    total: int
    page: int
    pages: int
    skills: dict = field(default_factory=dict)  # {uri: label} of every skill a badge has
    organisations: list = field(default_factory=list)  # [(slug, name)]


def _findable():
    """An activity's badges are listed while the activity itself can be found (published,
    public, not over), as in search and on the map; other badges always."""
    return or_(
        BadgeClass.subject_type != "activity",
        exists().where(Activity.id == BadgeClass.subject_id, Activity.is_discoverable),
    )


def _claimable():
    return exists().where(ClaimCode.badge_class_id == BadgeClass.id)


_EARNED = {
    "evidence": lambda: BadgeClass.earning == "evidence",
    "claim": lambda: or_(BadgeClass.earning == "claim", _claimable()),
    "playlist": lambda: BadgeClass.subject_type == "playlist",
    "completion": lambda: and_(
        BadgeClass.subject_type == "activity", BadgeClass.earning != "evidence"
    ),
}


def earned_by(badge, claimable: bool) -> list[str]:
    """The ways ``badge`` is earned, in :data:`EARNED_BY` order."""
    ways = {
        "evidence": badge.earning == "evidence",
        "claim": badge.earning == "claim" or claimable,
        "playlist": badge.subject_type == "playlist",
        "completion": badge.subject_type == "activity" and badge.earning != "evidence",
    }
    return [way for way in EARNED_BY if ways[way]]


@implementer(IBadgeCatalogue)
class BadgeCatalogue:
    def __init__(self, request):
        self.request = request
        self.db = request.dbsession

    def parse(self, params) -> Filters:
        errors, found = {}, Filters()
        skill = (params.get("skill") or "").strip()
        if skill and (not skill.startswith(("http://", "https://")) or len(skill) > 500):
            errors["skill"] = _("Choose a skill from the list.")
        found.skill = skill
        found.organisation = (params.get("organisation") or "").strip()
        earned = (params.get("earned") or "").strip()
        if earned and earned not in EARNED_BY:
            errors["earned"] = _("Choose how the badge is earned from the list.")
        found.earned = earned
        raw_page = (params.get("page") or "1").strip()
        if not raw_page.isdigit() or int(raw_page) < 1 or len(raw_page) > 6:
            errors["page"] = _("The page must be a whole number from 1.")
        else:
            found.page = int(raw_page)
        if errors:
            raise CatalogueError(errors)
        return found

    def _organisations(self) -> list[tuple[str, str]]:
        return [
            (slug, name)
            for slug, name in self.db.execute(
                select(Organisation.slug, Organisation.name)
                .join(Issuer, Issuer.organisation_id == Organisation.id)
                .where(
                    exists().where(
                        BadgeClass.issuer_id == Issuer.id,
                        BadgeClass.archived_at.is_(None),
                        _findable(),
                    )
                )
                .order_by(Organisation.name)
            )
        ]

    def _skills(self) -> dict[int, list[dict]]:
        # The skills list is JSON, which SQLite and PostgreSQL search differently: two columns
        # of the city's badges are read instead (a city has hundreds of badges, not millions).
        return {
            id_: list(skills or ())
            for id_, skills in self.db.execute(
                select(BadgeClass.id, BadgeClass.skills).where(
                    BadgeClass.archived_at.is_(None), _findable()
                )
            )
        }

    def search(self, filters: Filters) -> CataloguePage:
        organisations = self._organisations()
        skills = self._skills()
        labels = {
            s["uri"]: s.get("label") or s["uri"]
            for found in skills.values()
            for s in found
            if s.get("uri")
        }
        query = select(BadgeClass).where(BadgeClass.archived_at.is_(None), _findable())
        if filters.organisation:
            if filters.organisation not in dict(organisations):
                raise CatalogueError(
                    {"organisation": _("Choose an organisation that issues badges here.")}
                )
            query = query.join(Issuer, Issuer.id == BadgeClass.issuer_id).where(
                Issuer.organisation_id
                == select(Organisation.id)
                .where(Organisation.slug == filters.organisation)
                .scalar_subquery()
            )
        if filters.skill:
            ids = {
                id_
                for id_, found in skills.items()
                if any(s.get("uri") == filters.skill for s in found)
            }
            tags = esco_tags(self.request)
            if tags is not None:
                ids |= set(tags.subjects("badge_class", [filters.skill]))
            query = query.where(BadgeClass.id.in_(sorted(ids)))
        if filters.earned:
            query = query.where(_EARNED[filters.earned]())
        total = self.db.scalar(select(func.count()).select_from(query.subquery()))
        pages = max(1, math.ceil(total / PAGE_SIZE))
        badges = list(
            self.db.scalars(
                query.order_by(BadgeClass.name, BadgeClass.id)
                .limit(PAGE_SIZE)
                .offset((filters.page - 1) * PAGE_SIZE)
            )
        )
        claimable = set(
            self.db.scalars(
                select(ClaimCode.badge_class_id)
                .distinct()
                .where(ClaimCode.badge_class_id.in_([b.id for b in badges]))
            )
        )
        return CataloguePage(
            badges=[(b, earned_by(b, b.id in claimable)) for b in badges],
            total=total,
            page=filters.page,
            pages=pages,
            skills=dict(sorted(labels.items(), key=lambda item: item[1].lower())),
            organisations=organisations,
        )

    def for_subject(self, subject_type, subject_id) -> list:
        return list(
            self.db.scalars(
                select(BadgeClass)
                .where(
                    BadgeClass.subject_type == subject_type,
                    BadgeClass.subject_id == subject_id,
                    BadgeClass.archived_at.is_(None),
                )
                .order_by(BadgeClass.is_default.desc(), BadgeClass.name)
            )
        )

    def subject_section(self, subject_type, subject_id, completion: str = ""):
        badges = self.for_subject(subject_type, subject_id)
        if not badges:
            return None
        user = getattr(self.request, "user", None)
        issuer = self.request.find_service(IBadgeIssuer)
        rows = [
            {
                "badge": badge,
                "held": issuer.held(badge.id, user.email, user) if user is not None else None,
                "evidence": badge.earning == "evidence",
            }
            for badge in badges
        ]
        return render(
            "plugins.badges:templates/_subject.jinja2",
            {"rows": rows, "completion": completion, "subject_type": subject_type},
            request=self.request,
        )


def badge_catalogue_factory(context, request) -> BadgeCatalogue:
    return BadgeCatalogue(request)
