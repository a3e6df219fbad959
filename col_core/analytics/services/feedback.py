"""The default :class:`IFeedbackService`: the city's questions, learners' answers, anonymous results."""

from __future__ import annotations

import datetime as dt

from pyramid.i18n import TranslationStringFactory
from sqlalchemy import func, select
from zope.interface import implementer

from col_core.activities.interfaces import ValidationFailed
from col_core.activities.models import Activity, Participation
from col_core.activities.schedule import as_utc
from col_core.analytics.interfaces import IAnalyticsService, IFeedbackService
from col_core.analytics.models import ActivityFeedback
from col_core.analytics.services import city_setting
from col_core.db.meta import utcnow
from col_core.security.validation import whole_number

_ = TranslationStringFactory("col")

MAX_ANSWER = 1000
FEEDBACK_DAYS = 60  # how long after it started an activity is suggested for feedback
MAX_QUESTIONS = 10
DEFAULT_QUESTIONS = (
    {"id": "learned", "text": _("What did you learn?")},
    {"id": "liked", "text": _("What did you like most?")},
    {"id": "change", "text": _("What would you change?")},
)


@implementer(IFeedbackService)
class FeedbackService:
    def __init__(self, request):
        self.request = request
        self.db = request.dbsession

    def questions(self) -> list[dict]:
        """Questions come from the city's settings (``analytics.feedback_questions``: a list of
        ``{"id": ..., "text": {"en": ..., "lt": ...}}``) or are the translated defaults."""
        locale = self.request.localizer.locale_name
        configured = city_setting(self.request.tenant, "feedback_questions")
        if not configured:
            translate = self.request.localizer.translate
            return [{"id": q["id"], "text": translate(q["text"])} for q in DEFAULT_QUESTIONS]
        found = []
        for question in configured[:MAX_QUESTIONS]:
            text = question.get("text", "")
            if isinstance(text, dict):
                text = (
                    text.get(locale)
                    or text.get(locale.split("_")[0])
                    or text.get(self.request.tenant.default_locale)
                    or next(iter(text.values()), "")
                )
            found.append({"id": str(question["id"]), "text": text})
        return found

    def mine(self, activity, user):
        return self.db.scalar(
            select(ActivityFeedback).where(
                ActivityFeedback.activity_id == activity.id, ActivityFeedback.user_id == user.id
            )
        )

    def may_give(self, activity, user) -> bool:
        participation = self.db.scalar(
            select(Participation).where(
                Participation.activity_id == activity.id, Participation.user_id == user.id
            )
        )
        if participation is None or participation.status != "joined":
            return False
        started = activity.starts_at is None or as_utc(activity.starts_at) <= utcnow()
        return participation.completed_at is not None or started

    def give(self, activity, user, data):
        errors = {}
        rating = whole_number(data.get("rating", ""), 1, 5)
        if rating is None:
            errors["rating"] = _("Choose a rating from 1 to 5 stars.")
        answers = {}
        for question in self.questions():
            text = (data.get(question["id"]) or "").strip()
            if len(text) > MAX_ANSWER:
                errors[question["id"]] = _(
                    "Keep your answer under ${max} characters.", mapping={"max": MAX_ANSWER}
                )
            elif text:
                answers[question["id"]] = text
        if errors:
            raise ValidationFailed(_("Please check your feedback."), errors)
        feedback = self.mine(activity, user) or ActivityFeedback(
            activity_id=activity.id, user_id=user.id
        )
        feedback.rating, feedback.answers = rating, answers
        self.db.add(feedback)
        self.db.flush()
        return feedback

    def awaiting(self, user, limit: int = 5) -> list:
        """Activities ``user`` took part in during the last weeks and has not rated yet."""
        since = utcnow() - dt.timedelta(days=FEEDBACK_DAYS)
        return list(
            self.db.scalars(
                select(Activity)
                .join(Participation, Participation.activity_id == Activity.id)
                .outerjoin(
                    ActivityFeedback,
                    (ActivityFeedback.activity_id == Activity.id)
                    & (ActivityFeedback.user_id == user.id),
                )
                .where(
                    Participation.user_id == user.id,
                    Participation.status == "joined",
                    Activity.starts_at >= since,
                    Activity.starts_at <= utcnow(),
                    ActivityFeedback.id.is_(None),
                )
                .order_by(Activity.starts_at.desc())
                .limit(limit)
            )
        )

    def results(self, activity) -> dict:
        analytics = self.request.find_service(IAnalyticsService)
        k = analytics.min_group_size()
        where = ActivityFeedback.activity_id == activity.id
        count, average = self.db.execute(
            select(func.count(ActivityFeedback.id), func.avg(ActivityFeedback.rating)).where(where)
        ).one()
        if count < k:
            return {"count": analytics.protect(count), "shown": False, "min_group_size": k}
        distribution = dict(
            self.db.execute(
                select(ActivityFeedback.rating, func.count(ActivityFeedback.id))
                .where(where)
                .group_by(ActivityFeedback.rating)
            ).all()
        )
        # Answers in a stable order that does not follow who answered first.
        answers: dict[str, list] = {q["id"]: [] for q in self.questions()}
        for (given,) in self.db.execute(
            select(ActivityFeedback.answers)
            .where(where)
            .order_by(ActivityFeedback.rating, ActivityFeedback.id)
        ):
            for key, text in (given or {}).items():
                answers.setdefault(key, []).append(text)
        for texts in answers.values():
            texts.sort()
        return {
            "count": count,
            "shown": True,
            "average": round(float(average), 1),
            "distribution": [(stars, distribution.get(stars, 0)) for stars in range(5, 0, -1)],
            "answers": answers,
            "min_group_size": k,
        }
