"""Random JSON into the activity endpoints: always a clear 2xx or 4xx, never a 500."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from col_core.activities.schemas.fields import PARSERS

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=True)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["start", "end", "rrule", "sessions", "kind", "url", "title", "uri"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)
bodies = st.dictionaries(st.sampled_from(sorted(PARSERS)), json_values, max_size=6)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
def test_random_bodies_never_break_the_api(staff, org, body):
    created = staff.post_json(
        "/api/v1/activities", {"organisation_id": org.id, **body}, status=(201, 400, 422)
    )
    if created.status_int != 201:
        return
    activity_id = created.json["activity"]["id"]
    staff.put_json(f"/api/v1/activities/{activity_id}/draft", body, status=(200, 400, 422))
    staff.post(f"/api/v1/activities/{activity_id}/publish", status=(200, 403, 422))
    staff.patch_json(f"/api/v1/activities/{activity_id}", body, status=(200, 400, 422))
