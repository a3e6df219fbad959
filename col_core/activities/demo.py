"""Demo activities for ``col demo``: 30 to 60 believable activities around each city's centre.

Titles, descriptions and organisation names are in the city's default language, read from
``demo_texts.toml`` beside this module (English where a language has none there).  Runs after the
people seeding (organisations and demo accounts exist) and before the plugins'
seeding, so badges and playlists can build on these activities.  Idempotent: a city that already
has activities is left alone.  Random choices are seeded with the city's slug, so every demo run
looks the same.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from pathlib import Path

from sqlalchemy import func, select

from col_core.activities.interfaces import IActivityService, IParticipationService
from col_core.activities.models import Activity
from col_core.activities.schemas.fields import category_slugs
from col_core.db.meta import utcnow
from col_core.demo_texts import demo_texts
from col_core.organisations.models import Organisation
from col_core.security.models import User
from col_core.tenancy import account_lookup

TEXTS = Path(__file__).with_name("demo_texts.toml")  # titles and names per language
# (key of the idea's texts in TEXTS, type, category, online, hours)
IDEAS = [
    ("website", "workshop", "digital", False, 3),
    ("repair-cafe", "workshop", "digital", False, 3),
    ("python", "course", "digital", False, 2),
    ("game-jam", "digital_experience", "digital", True, 4),
    ("street-art", "event", "arts", False, 2),
    ("zine", "workshop", "arts", False, 3),
    ("photography", "course", "arts", False, 2),
    ("music-studio", "open_space", "arts", False, 4),
    ("river-clean-up", "volunteering", "nature", False, 3),
    ("beekeeping", "workshop", "nature", False, 2),
    ("school-forest", "project", "nature", False, 3),
    ("night-walk", "event", "nature", False, 2),
    ("parkour", "event", "sport", False, 2),
    ("climbing", "course", "sport", False, 2),
    ("skate-park", "open_space", "sport", False, 3),
    ("food-bank", "volunteering", "community", False, 3),
    ("podcast", "project", "community", False, 2),
    ("languages-cafe", "event", "community", False, 2),
    ("internship", "internship", "work", False, 6),
    ("cv", "workshop", "work", False, 2),
    ("career-talks", "digital_experience", "work", True, 1),
    ("business", "course", "work", False, 2),
]
# (slug, type); the names are in TEXTS
ORGANISATIONS = [
    ("library", "library"),
    ("makers", "ngo"),
    ("green-youth", "ngo"),
    ("school-41", "school"),
]
STREETS = {
    "vilnius": ["Gedimino pr.", "Pilies g.", "Vokiečių g.", "Konstitucijos pr."],
    "freiburg": ["Kaiser-Joseph-Straße", "Bertoldstraße", "Salzstraße", "Habsburgerstraße"],
    "gent": ["Veldstraat", "Korenmarkt", "Sint-Pietersnieuwstraat", "Overpoortstraat"],
    "valencia": ["Carrer de Colón", "Avinguda del Port", "Carrer de la Pau", "Gran Via"],
    "bretagne": ["Rue de Siam", "Quai de la Fosse", "Rue Saint-Michel", "Place du Marché"],
}
VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def _organisations(session, tenant, names: dict[str, str]) -> list[Organisation]:
    existing = {o.slug: o for o in session.scalars(select(Organisation))}
    for slug, kind in ORGANISATIONS:
        if slug not in existing:
            existing[slug] = Organisation(
                name=names[slug].format(city=tenant.name),
                slug=slug,
                type=kind,
                primary_locale=tenant.default_locale,
                verified_at=utcnow(),
                contact_email=f"{slug}@{tenant.slug}.demo",
            )
            session.add(existing[slug])
    session.flush()
    return sorted(existing.values(), key=lambda o: o.id)


def _learners(session, tenant, count: int) -> list[User]:
    users = []
    for number in range(1, count + 1):
        email = f"learner{number}@{tenant.slug}.demo"
        with account_lookup(session):  # demo accounts are found by address, as at sign-in
            user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                display_name=f"Demo Learner {number}",
                email_verified_at=utcnow(),
                home_tenant_id=tenant.id,
            )
            session.add(user)
        if user.birth_date is None:
            # Eighteen: old enough for every demo activity's ages (12-16 to 19-29).
            user.birth_date = dt.date(utcnow().year - 18, 1, 1)
        users.append(user)
    session.flush()
    return users


def _local_time(tz, day_offset: int, hour: int) -> dt.datetime:
    """``hour`` o'clock ``day_offset`` days from today in the city (a naive local time)."""
    today = utcnow().astimezone(tz).date()
    day = today + dt.timedelta(days=day_offset)
    return dt.datetime.combine(day, dt.time(hour))


def _session(start: dt.datetime, length: dt.timedelta) -> dict:
    end = start + length
    return {"start": start.isoformat(timespec="minutes"), "end": end.isoformat(timespec="minutes")}


def _schedule(rng, kind: str, tz, hours: int) -> tuple[str, dict]:
    day_offset = rng.randint(1, 60)
    hour = rng.choice([10, 14, 16, 17, 18])
    start = _local_time(tz, day_offset, hour)
    length = dt.timedelta(hours=hours)
    if kind == "course":
        weeks = rng.randint(4, 8)
        weekly = f"FREQ=WEEKLY;COUNT={weeks}"
        return "recurring", {**_session(start, length), "rrule": weekly}
    if kind in ("internship", "project"):
        weeks = rng.randint(2, 4)
        starts = [start + dt.timedelta(weeks=week) for week in range(weeks)]
        sessions = [_session(each, length) for each in starts]
        return "multi_session", {"sessions": sessions}
    if kind == "open_space":
        return "always_open", {}
    return "single", {"sessions": [_session(start, length)]}


def _spread(tenant) -> float:
    """How far (in degrees) demo venues lie from the centre: wider for a map zoomed out."""
    zoom = int((tenant.map or {}).get("zoom", 13))
    return min(0.6, 0.03 * 2 ** max(0, 13 - zoom))


def _activity_data(rng, tenant, number: int, categories: list[str], texts: dict) -> dict:
    """The fields of the ``number``-th demo activity, from the ideas in turn, in the city's
    language (the random choices are drawn in the same order on every run)."""
    idea, kind, category, online, hours = IDEAS[number % len(IDEAS)]
    title, description = texts["ideas"][idea]
    tz = zoneinfo.ZoneInfo(tenant.timezone)
    schedule_kind, schedule = _schedule(rng, kind, tz, hours)
    round_of_ideas = number // len(IDEAS) + 1
    if round_of_ideas > 1:
        title = f"{title} ({round_of_ideas})"
    if category not in categories:
        category = rng.choice(categories)
    online = online or rng.random() < 0.1
    language_count = rng.randint(1, len(tenant.locales))
    return {
        "type": kind,
        "title": title,
        "description": f"<p>{description}</p><p>{texts['welcome']}</p>",
        "category": category,
        "schedule_kind": schedule_kind,
        "schedule": schedule,
        "duration_minutes": hours * 60,
        "online": online,
        "languages": tenant.locales[:language_count] or ["en"],
        "age_min": rng.choice([12, 14, 15, 16]),
        "age_max": rng.choice([19, 25, 29]),
        "price_cents": rng.choice([0, 0, 0, 0, 500, 1500]),
        "capacity": rng.choice([None, 10, 12, 20, 30, 3]),
        "accessibility": _accessibility(rng),
        "contact_email": f"activities@{tenant.slug}.demo",
        "resources": [
            {"kind": "step", "title": texts["before_title"], "text": texts["before_text"]},
            {"kind": "video", "title": texts["video_title"], "url": VIDEO},
        ],
    }


def _accessibility(rng) -> list[str]:
    count = rng.randint(0, 3)
    return rng.sample(["step_free", "hearing_loop", "quiet_space", "accessible_toilet"], count)


def _place(rng, streets: list[str], centre, spread: float) -> dict:
    """A made-up address and a point near the city's centre."""
    street = rng.choice(streets)
    house = rng.randint(1, 80)
    latitude, longitude = centre
    return {
        "address": f"{street} {house}",
        "latitude": round(latitude + rng.uniform(-spread, spread), 5),
        "longitude": round(longitude + rng.uniform(-spread, spread) * 1.5, 5),
    }


def seed_activities(request, tenant) -> list[str] | None:
    session = request.dbsession
    if tenant.is_global or session.scalar(select(func.count(Activity.id))):
        return None
    rng = random.Random(tenant.slug)
    centre = (tenant.map or {}).get("center") or [50.0, 10.0]
    spread = _spread(tenant)
    categories = category_slugs(tenant) or [""]
    texts = demo_texts(TEXTS, tenant)
    organisation_names = texts["organisations"]
    organisations = _organisations(session, tenant, organisation_names)
    learners = _learners(session, tenant, 6)
    activities_service = request.find_service(IActivityService)
    participation_service = request.find_service(IParticipationService)
    streets = STREETS.get(tenant.slug, ["Main Street", "Market Square", "Station Road"])
    count = rng.randint(30, 60)
    for number in range(count):
        data = _activity_data(rng, tenant, number, categories, texts)
        if not data["online"] or rng.random() < 0.5:
            data.update(_place(rng, streets, centre, spread))
        if data["online"]:
            data["join_url"] = f"https://meet.example.org/{tenant.slug}-{number}"
        organisation = organisations[number % len(organisations)]
        activity, _errors = activities_service.create(organisation, None, data)
        activities_service.publish(activity)
        if data["capacity"] == 3:
            for learner in learners[:5]:  # three places, two on the waitlist
                participation_service.join(activity, learner)
    return [f"{tenant.slug}: {count} demo activities; some are full, with a waitlist"]
