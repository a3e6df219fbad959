"""The one declarative base and MetaData every model of the core and of every plugin uses."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import DateTime, MetaData, Table, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite's rendering of the cities' composite primary keys, wherever DDL is compiled.
from col_core.db import city_keys  # noqa: F401

# A naming convention makes constraint names predictable, so migrations can drop and alter them
# identically on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    metadata = metadata
    type_annotation_map = {dt.datetime: DateTime(timezone=True)}

    if TYPE_CHECKING:
        # Every model is mapped to a Table (SQLAlchemy types it as any FromClause).
        __table__: ClassVar[Table]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Timestamped:
    """Creation and modification times, set by the database clock's Python twin."""

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )
