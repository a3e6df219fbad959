"""IPlaylistProgress: learners start playlists, complete items and receive badges automatically."""

from __future__ import annotations

import logging

from pyramid.i18n import TranslationStringFactory
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from zope.interface import implementer

from col_core.activities.interfaces import ValidationFailed
from col_core.activities.models import Participation
from col_core.db.meta import utcnow
from plugins.playlists import awarding, webhooks
from plugins.playlists.interfaces import IPlaylistProgress
from plugins.playlists.mailing import tell_playlist_organisers
from plugins.playlists.models import (
    ItemCompletion,
    Playlist,
    PlaylistAward,
    PlaylistEnrolment,
    PlaylistItem,
)
from plugins.playlists.rules import awards_due, evaluate, feasible
from plugins.playlists.services import is_available, rule_of

_ = TranslationStringFactory("col_playlists")
log = logging.getLogger(__name__)

LIVE = ("published", "paused")  # learners already in a paused playlist carry on


@implementer(IPlaylistProgress)
class PlaylistProgress:
    def __init__(self, request):
        self.request = request
        self.db = request.dbsession

    def enrolment(self, playlist, user):
        if user is None:
            return None
        return self.db.scalar(
            select(PlaylistEnrolment).where(
                PlaylistEnrolment.playlist_id == playlist.id, PlaylistEnrolment.user_id == user.id
            )
        )

    def start(self, playlist, user):
        existing = self.enrolment(playlist, user)
        if existing is not None:
            return existing
        now = utcnow()
        if not playlist.accepts_learners or not feasible(
            rule_of(playlist), {i.id for i in playlist.items if is_available(i, now)}
        ):
            raise ValidationFailed(_("This playlist does not take new learners at the moment."))
        enrolment = PlaylistEnrolment(playlist=playlist, user=user, started_at=now)
        self.db.add(enrolment)
        done_before = set(
            self.db.scalars(
                select(Participation.activity_id).where(
                    Participation.user_id == user.id, Participation.completed_at.is_not(None)
                )
            )
        )
        for item in playlist.items:
            if item.activity_id in done_before:
                enrolment.completions.append(ItemCompletion(item_id=item.id, completed_at=now))
        self.db.flush()
        self.award_due(enrolment)
        return enrolment

    def progress(self, enrolment, now=None):
        return evaluate(
            rule_of(enrolment.playlist), {c.item_id for c in enrolment.completions}, now or utcnow()
        )

    def next_steps(self, user):
        enrolments = self.db.scalars(
            select(PlaylistEnrolment)
            .where(PlaylistEnrolment.user_id == user.id, PlaylistEnrolment.completed_at.is_(None))
            .order_by(PlaylistEnrolment.started_at.desc())
        )
        steps = []
        for enrolment in enrolments:
            states = self.progress(enrolment).states
            step = next(
                (item for item in enrolment.playlist.items if states.get(item.id) == "open"), None
            )
            if step is not None:
                steps.append((enrolment.playlist, step))
        return steps

    def activity_completed(self, activity, user):
        rows = self.db.execute(
            select(PlaylistEnrolment, PlaylistItem)
            .join(PlaylistItem, PlaylistItem.playlist_id == PlaylistEnrolment.playlist_id)
            .join(Playlist, Playlist.id == PlaylistEnrolment.playlist_id)
            .where(
                PlaylistEnrolment.user_id == user.id,
                PlaylistItem.activity_id == activity.id,
                Playlist.status.in_(LIVE),
            )
        ).all()
        for enrolment, item in rows:
            if item.id not in {c.item_id for c in enrolment.completions}:
                enrolment.completions.append(ItemCompletion(item_id=item.id))
                self.db.flush()
            self.award_due(enrolment)

    def award_due(self, enrolment):
        playlist = enrolment.playlist
        rule = rule_of(playlist)
        progress = evaluate(rule, {c.item_id for c in enrolment.completions})
        if progress.satisfied and enrolment.completed_at is None:
            enrolment.completed_at = utcnow()
            webhooks.completed(self.request, enrolment)
        already = {award.badge.award for award in enrolment.awards}
        by_award = {entry.award: entry for entry in playlist.badges}
        created = []
        for due in awards_due(rule, progress, already):
            award = self._record(enrolment, by_award[due])
            if award is not None:
                created.append(award)
        pending = [award for award in created if not self._try_issue(award)]
        if pending:
            self._tell_pending(playlist)
        return created

    def _record(self, enrolment, entry):
        # A savepoint with the unique constraint: two completions racing award once.
        try:
            with self.db.begin_nested():
                award = PlaylistAward(enrolment=enrolment, badge=entry)
                self.db.add(award)
                self.db.flush()
        except IntegrityError:
            return None
        return award

    def _try_issue(self, award) -> bool:
        try:
            with self.db.begin_nested():
                return awarding.issue(self.request, award)
        except ValueError as error:  # the badges plugin's IssueError: keep the award pending
            log.warning("playlist award %s stays pending: %s", award.id, error)
            return False

    def _tell_pending(self, playlist) -> None:
        mapping = {"playlist": playlist.title}
        tell_playlist_organisers(
            self.request,
            playlist,
            _("Badges of ${playlist} are waiting", mapping=mapping),
            _(
                "A learner earned a badge of your playlist “${playlist}”, but badges are switched "
                "off in this city, so the award is kept as pending. It is issued automatically "
                "once the city enables badges.",
                mapping=mapping,
            ),
        )

    def issue_pending(self):
        if awarding.issuer(self.request) is None:
            return []
        pending = self.db.scalars(
            select(PlaylistAward).where(PlaylistAward.status == "pending")
        ).all()
        return [award for award in pending if self._try_issue(award)]


def progress_factory(context, request) -> PlaylistProgress:
    return PlaylistProgress(request)
