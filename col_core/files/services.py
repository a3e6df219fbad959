"""Stored files with owners: recording uploads, deciding who sees them, erasing them."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from zope.interface import implementer

from col_core.files.interfaces import IStoredFiles
from col_core.files.models import StoredFile
from col_core.organisations.models import Organisation
from col_core.security.policy import ORG_EDITORS
from col_core.storage import IFileStorage
from col_core.tenancy.scoping import cross_tenant

#: Pictures belong to accounts, and accounts are global: a profile shows the same picture in
#: every city, so public pictures are the one kind served on every city's site.
GLOBAL_PURPOSES = ("picture",)
#: About the person, whatever their visibility: erased with the account (evidence the learner
#: showed with a badge included; the badge itself stays verifiable without it).
PERSONAL_PURPOSES = ("picture", "evidence")


@implementer(IStoredFiles)
class StoredFiles:
    def __init__(self, context, request):
        self.request = request
        self.session = request.dbsession
        self.storage = request.find_service(IFileStorage)

    def put(self, data: bytes, allowed, *, purpose: str, visibility: str, owner=None) -> str:
        key = self.storage.put(data, allowed)
        self.record(key, purpose=purpose, visibility=visibility, owner=owner, size=len(data))
        return key

    def record(self, key: str, *, purpose: str, visibility: str, owner=None, size=None):
        owner = owner if owner is not None else self.request.user
        owner_id = owner.id if owner is not None else None
        found = self.session.scalar(
            select(StoredFile).where(
                StoredFile.key == key,
                StoredFile.purpose == purpose,
                StoredFile.visibility == visibility,
                StoredFile.owner_id.is_(None)
                if owner_id is None
                else StoredFile.owner_id == owner_id,
            )
        )
        if found is not None:
            return found
        stored = StoredFile(
            key=key,
            owner_id=owner_id,
            purpose=purpose,
            visibility=visibility,
            content_type=self.storage.content_type(key),
            size=size,
        )
        self.session.add(stored)
        self.session.flush()
        return stored

    def usable(self, key: str) -> bool:
        user = self.request.user
        condition = StoredFile.visibility == "public"
        if user is not None:
            condition = condition | (StoredFile.owner_id == user.id)
        return (
            len(key) <= 80
            and self.session.scalar(
                select(StoredFile.id).where(StoredFile.key == key, condition).limit(1)
            )
            is not None
        )

    def publish(self, key: str, owner) -> None:
        for stored in self.session.scalars(
            select(StoredFile).where(StoredFile.key == key, StoredFile.owner_id == owner.id)
        ):
            stored.visibility = "public"

    def rows(self, key: str) -> list[StoredFile]:
        here = list(self.session.scalars(select(StoredFile).where(StoredFile.key == key)))
        if any(row.is_public for row in here):
            return here
        with cross_tenant(self.session):
            pictures = list(
                self.session.scalars(
                    select(StoredFile)
                    .where(
                        StoredFile.key == key,
                        StoredFile.purpose.in_(GLOBAL_PURPOSES),
                        StoredFile.visibility == "public",
                    )
                    .limit(1)
                )
            )
        return here + pictures

    def may_view(self, stored_file: StoredFile, user) -> bool:
        if stored_file.is_public:
            return True
        if user is None:
            return False
        if stored_file.owner_id == user.id:
            return True
        request = self.request
        if stored_file.tenant_id != request.tenant.id:
            return False
        if request.roles.is_city_admin:
            return True
        if stored_file.purpose == "verification":
            organisations = self.session.scalars(
                select(Organisation).where(Organisation.verification_document == stored_file.key)
            )
            if any(request.roles.role_in(o) in ORG_EDITORS for o in organisations):
                return True
        answers = request.hooks.col_file_viewer(request=request, stored_file=stored_file, user=user)
        return any(answer is True for answer in answers)

    def of_owner(self, user) -> list[StoredFile]:
        with cross_tenant(self.session):
            return list(
                self.session.scalars(
                    select(StoredFile).where(StoredFile.owner_id == user.id).order_by(StoredFile.id)
                )
            )

    def erase_owner(self, user) -> None:
        session = self.session
        with cross_tenant(session):
            gone = (StoredFile.owner_id == user.id) & (
                (StoredFile.visibility == "private") | StoredFile.purpose.in_(PERSONAL_PURPOSES)
            )
            keys = set(session.scalars(select(StoredFile.key).where(gone)))
            session.execute(
                delete(StoredFile).where(gone), execution_options={"synchronize_session": False}
            )
            # What they made for an organisation stays with it.
            session.execute(
                update(StoredFile).where(StoredFile.owner_id == user.id).values(owner_id=None),
                execution_options={"synchronize_session": False},
            )
            still = (
                set(session.scalars(select(StoredFile.key).where(StoredFile.key.in_(keys))))
                if keys
                else set()
            )
        orphans = sorted(keys - still)
        if orphans:
            storage = self.storage

            def remove(committed: bool) -> None:
                # Only once the erasure is committed: a rolled-back request keeps its files.
                if committed:
                    for key in orphans:
                        storage.delete(key)

            self.request.tm.get().addAfterCommitHook(remove)
