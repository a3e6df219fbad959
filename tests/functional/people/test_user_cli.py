"""``col user``: platform and city administrators from the command line, with clear errors."""

from sqlalchemy import select

from col_core.security.models import CityAdmin, User
from col_core.security.passwords import verify_password


def test_create_admin_from_stdin(run_col, factories):
    result = run_col(
        "user",
        "create-admin",
        "--email",
        "boss@example.org",
        "--password-stdin",
        input="violet tram under snow\n",
    )
    assert result.exit_code == 0, result.output
    assert "violet" not in result.output
    user = factories.session.scalar(select(User).where(User.email == "boss@example.org"))
    assert user.is_platform_admin and user.email_verified_at is not None
    assert verify_password(user.password_hash, "violet tram under snow")


def test_create_admin_refuses_weak_password(run_col, factories):
    result = run_col(
        "user",
        "create-admin",
        "--email",
        "boss@example.org",
        "--password-stdin",
        input="password123\n",
    )
    assert result.exit_code != 0 and "too easy to guess" in result.output
    assert factories.session.scalar(select(User)) is None


def test_create_admin_refuses_bad_email(run_col):
    result = run_col(
        "user",
        "create-admin",
        "--email",
        "not an email",
        "--password-stdin",
        input="violet tram under snow\n",
    )
    assert result.exit_code == 2 and "is not an email address" in result.output


def test_create_admin_promotes_an_existing_account(run_col, people, factories):
    user = people.user("someone@example.org")
    result = run_col("user", "create-admin", "--email", "someone@example.org")
    assert result.exit_code == 0 and "password unchanged" in result.output
    factories.session.expire_all()
    assert factories.session.get(User, user.id).is_platform_admin


def test_grant_city_admin(run_col, people, factories):
    city = factories.tenant("vilnius")
    user = people.user("staff@example.org")
    assert (
        run_col(
            "user", "grant-city-admin", "--email", "staff@example.org", "--tenant", "vilnius"
        ).exit_code
        == 0
    )
    with factories.within(city):
        assert factories.session.scalar(select(CityAdmin.user_id)) == user.id
    missing = run_col(
        "user", "grant-city-admin", "--email", "nobody@example.org", "--tenant", "vilnius"
    )
    assert missing.exit_code == 1 and "must sign up first" in missing.output
    nowhere = run_col(
        "user", "grant-city-admin", "--email", "staff@example.org", "--tenant", "atlantis"
    )
    assert nowhere.exit_code == 1 and "no city" in nowhere.output
