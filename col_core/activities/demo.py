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

from col_core.activities.fields import category_slugs
from col_core.activities.interfaces import IActivityService, IParticipationService
from col_core.activities.models import Activity
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


def _schedule(rng, kind: str, tz, hours: int) -> tuple[str, dict]:
    def local(day_offset: int, hour: int) -> dt.datetime:
        today = utcnow().astimezone(tz).date()
        return dt.datetime.combine(today + dt.timedelta(days=day_offset), dt.time(hour))

    def pair(start: dt.datetime) -> dict:
        return {
            "start": start.isoformat(timespec="minutes"),
            "end": (start + dt.timedelta(hours=hours)).isoformat(timespec="minutes"),
        }

    start = local(rng.randint(1, 60), rng.choice([10, 14, 16, 17, 18]))
    if kind == "course":
        return "recurring", {**pair(start), "rrule": f"FREQ=WEEKLY;COUNT={rng.randint(4, 8)}"}
    if kind in ("internship", "project"):
        return "multi_session", {
            "sessions": [pair(start + dt.timedelta(days=7 * n)) for n in range(rng.randint(2, 4))]
        }
    if kind == "open_space":
        return "always_open", {}
    return "single", {"sessions": [pair(start)]}


def seed_activities(request, tenant) -> list[str] | None:
    session = request.dbsession
    if tenant.is_global or session.scalar(select(func.count(Activity.id))):
        return None
    rng = random.Random(tenant.slug)
    tz = zoneinfo.ZoneInfo(tenant.timezone)
    centre = (tenant.map or {}).get("center") or [50.0, 10.0]
    spread = min(0.6, 0.03 * 2 ** max(0, 13 - int((tenant.map or {}).get("zoom", 13))))
    categories = category_slugs(tenant) or [""]
    texts = demo_texts(TEXTS, tenant)
    organisations = _organisations(session, tenant, texts["organisations"])
    learners = _learners(session, tenant, 6)
    activities_service = request.find_service(IActivityService)
    participation_service = request.find_service(IParticipationService)
    streets = STREETS.get(tenant.slug, ["Main Street", "Market Square", "Station Road"])
    count = rng.randint(30, 60)
    for number in range(count):
        idea, kind, category, online, hours = IDEAS[number % len(IDEAS)]
        title, description = texts["ideas"][idea]
        schedule_kind, schedule = _schedule(rng, kind, tz, hours)
        data = {
            "type": kind,
            "title": title if number < len(IDEAS) else f"{title} ({number // len(IDEAS) + 1})",
            "description": f"<p>{description}</p><p>{texts['welcome']}</p>",
            "category": category if category in categories else rng.choice(categories),
            "schedule_kind": schedule_kind,
            "schedule": schedule,
            "duration_minutes": hours * 60,
            "online": online or rng.random() < 0.1,
            "languages": tenant.locales[: rng.randint(1, len(tenant.locales))] or ["en"],
            "age_min": rng.choice([12, 14, 15, 16]),
            "age_max": rng.choice([19, 25, 29]),
            "price_cents": rng.choice([0, 0, 0, 0, 500, 1500]),
            "capacity": rng.choice([None, 10, 12, 20, 30, 3]),
            "accessibility": rng.sample(
                ["step_free", "hearing_loop", "quiet_space", "accessible_toilet"], rng.randint(0, 3)
            ),
            "contact_email": f"activities@{tenant.slug}.demo",
            "resources": [
                {"kind": "step", "title": texts["before_title"], "text": texts["before_text"]},
                {"kind": "video", "title": texts["video_title"], "url": VIDEO},
            ],
        }
        if not data["online"] or rng.random() < 0.5:
            data.update(
                address=f"{rng.choice(streets)} {rng.randint(1, 80)}",
                latitude=round(centre[0] + rng.uniform(-spread, spread), 5),
                longitude=round(centre[1] + rng.uniform(-spread, spread) * 1.5, 5),
            )
        if data["online"]:
            data["join_url"] = f"https://meet.example.org/{tenant.slug}-{number}"
        organisation = organisations[number % len(organisations)]
        activity, _errors = activities_service.create(organisation, None, data)
        activities_service.publish(activity)
        if data["capacity"] == 3:
            for learner in learners[:5]:  # three places, two on the waitlist
                participation_service.join(activity, learner)
    return [f"{tenant.slug}: {count} demo activities; some are full, with a waitlist"]
