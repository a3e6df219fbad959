"""Reading search parameters from a query string: values, defaults and every bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from webob.multidict import MultiDict

from col_core.activities.search.query import MAX_KEYS, Document, QueryError, SearchQuery, matches


def parse(**params):
    return SearchQuery.from_params(MultiDict(params))


def test_every_parameter_is_read():
    query = SearchQuery.from_params(
        MultiDict(
            [
                ("q", "dance"),
                ("category", "arts,music"),
                ("skill", "s1"),
                ("from", "2026-12-01"),
                ("to", "2026-12-02"),
                ("near", "54.6,25.2"),
                ("km", "3"),
                ("mode", "online"),
                ("free", "1"),
                ("max_price", "12.5"),
                ("age", "15"),
                ("lang", "lt"),
                ("access", "step_free"),
                ("access", "quiet_space"),
                ("sort", "distance"),
                ("limit", "5"),
                ("offset", "10"),
                ("facets", "1"),
            ]
        )
    )
    assert query.categories == ("arts", "music") and query.skills == ("s1",)
    assert query.date_from == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert query.date_to.date() == dt.date(2026, 12, 2) and query.date_to.hour == 23
    assert query.near == (54.6, 25.2) and query.within_km == 3
    assert query.max_price == 1250 and query.accessibility == ("step_free", "quiet_space")
    assert (query.limit, query.offset, query.facets, query.free) == (5, 10, True, True)


def test_defaults():
    query = parse()
    assert (query.sort, query.limit, query.offset, query.facets) == ("relevance", 20, 0, False)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"near": "north"}, "near"),
        ({"near": "91,0"}, "near"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "10,0,5,1"}, "bbox"),
        ({"mode": "teleport"}, "mode"),
        ({"sort": "x"}, "sort"),
        ({"sort": "distance"}, "sort"),
        ({"km": "5"}, "km"),
        ({"age": "old"}, "age"),
        ({"age": "200"}, "age"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"from": "tomorrow"}, "from"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "to"),
        ({"max_price": "-1"}, "max_price"),
        ({"near": "nan,1"}, "near"),
    ],
)
def test_bad_input_names_the_parameter(params, field):
    with pytest.raises(QueryError) as error:
        parse(**params)
    assert field in error.value.fields


def test_always_open_documents_match_every_date_range():
    document = Document(kind="activity", key="1", title="Open space")
    query = SearchQuery(date_from=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert matches(document, query)


def test_keys_are_bounded():
    assert SearchQuery(keys=tuple(str(n) for n in range(MAX_KEYS))).keys[-1] == str(MAX_KEYS - 1)
    with pytest.raises(QueryError) as raised:
        SearchQuery().but(keys=tuple(str(n) for n in range(MAX_KEYS + 1)))
    assert set(raised.value.fields) == {"keys"}


def test_keys_filter_in_plain_python():
    dance = Document(kind="activity", key="7", title="Dance")
    assert matches(dance, SearchQuery(keys=("7", "8")))
    assert not matches(dance, SearchQuery(keys=("8",)))
    assert not matches(dance, SearchQuery(keys=()))
    assert matches(dance, SearchQuery())
