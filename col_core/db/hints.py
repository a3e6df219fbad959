"""Table hints on SQLite: ``select(...).with_hint(table, "INDEXED BY name", "sqlite")``.

SQLAlchemy renders a statement's table hints for the dialects that have them and drops them for
SQLite, whose one table hint, ``INDEXED BY``, comes after the table's name.  A statement that
must read a table through a given index (its planner prefers the rowid, whatever the row's size)
names it this way; a hint for another dialect is still left out.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.ext.compiler import compiles


@compiles(Table, "sqlite")
def _table_with_hint(table, compiler, fromhints=None, **kw) -> str:
    sql = compiler.visit_table(table, fromhints=fromhints, **kw)
    hint = (fromhints or {}).get(table)
    return f"{sql} {hint}" if hint and kw.get("asfrom") else sql
