"""The platform's chains, end to end, in a real browser on a phone (390x844), each person in their
own browser context (Debian's Chromium through Playwright, offline, under the pages' own
Content-Security-Policy): a learner joins and checks in with the session's QR link and finds the
badge in the wallet and its skills on the profile; evidence is sent back by a reviewer, improved,
approved by a peer and an organiser, and the learner is told and gets the badge; a claim code's
QR image shows and claims the badge; a revocation tells the learner why and takes the badge's
skills off the profile.

The people, the organisation, the activity and the badge classes are arranged with the fixtures;
every step of a chain is done in the browser (no API call, no write to the database).  The
organiser's form chain is test_activity_form_browser.py."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import segno
from playwright.sync_api import expect

from col_core.activities.models import ActivitySkill
from col_core.db.meta import utcnow
from col_core.testing.pytest_plugin import offline_page
from plugins.badges import claims
from plugins.badges.testing import badges  # noqa: F401 - the fixture
from plugins.esco.cli import import_download

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium: apt-get install -y chromium"
    ),
]
PHONE = {"width": 390, "height": 844}
ESCO_DATA = Path(__file__).resolve().parents[2] / "plugins" / "esco" / "data"
LISTEN_ACTIVELY = "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"
THINK_CREATIVELY = "http://data.europa.eu/esco/skill/c624c6a3-b0ba-4a31-a296-0d433fe47e41"
TASK = "Fix a puncture"


@pytest.fixture
def esco_en(registry):
    """ESCO's English labels, so the profile names skills as learners read them."""
    with registry["col.session_factory"]() as session:
        import_download(session, str(ESCO_DATA / "v1.1.1" / "en"))
        session.commit()


class Phone:
    """One person's browser on a phone, signed in, reaching only the live server."""

    def __init__(self, chromium, server, base: str, client):
        self.context = chromium.new_context(viewport=PHONE, locale="en")
        self.page = offline_page(self.context, server.origin, client.session_cookie)
        self.base = base
        self.problems: list[str] = []  # script errors and refusals by the CSP
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.problems.append(message.text)

    def open(self, path: str):
        response = self.page.goto(self.base + path)
        assert response.status == 200, (path, response.status)
        return self.page

    def click(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()

    def open_notification(self, text: str) -> None:
        """Through the bell (in the page's header; the city's home page's when no page is
        open yet): open the newest unread notification that says ``text``."""
        page = self.page
        if page.url.startswith(self.base):
            page.reload()  # the page open was shown before the news
        else:
            self.open("/")
        expect(page.locator("header a.bell .bell-count")).to_be_visible()  # something unread
        self.click(page.locator("header a.bell"))
        item = page.locator("ul.notifications li.unread", has_text=text).first
        expect(item).to_be_visible()
        self.click(item.get_by_role("button", name="Open"))

    def menu(self, name: str):
        """Through the header's menu (of the page open, else the city's home page)."""
        page = self.page if self.page.url.startswith(self.base) else self.open("/")
        page.locator("details.site-menu > summary").click()
        self.click(page.locator("nav.main-nav").get_by_role("link", name=name, exact=True))
        return page

    def wallet(self):
        return self.menu("My badges")

    def wide(self) -> bool:
        return self.page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]


@pytest.fixture
def phones(chromium, live_server, badges, people):  # noqa: F811
    """``phones(user, ...)``: a signed-in phone per person, in the badges fixture's city."""
    server = live_server()
    base = server.city(badges.tenant)
    made: list[Phone] = []

    def open_phones(*users):
        made.extend(Phone(chromium, server, base, people.client(badges.tenant, u)) for u in users)
        return made[-len(users) :]

    yield open_phones
    for phone in made:
        phone.context.close()  # its open connections would hold the server's shutdown
    assert [p for phone in made for p in phone.problems] == []


def skills_on_profile(phone: Phone) -> list[str]:
    """The skills on the learner's profile, reached from their account page."""
    page = phone.menu("Your account")
    phone.click(page.get_by_role("link", name="See your profile"))
    return sorted(page.locator("ul.esco-profile li a").all_inner_texts())


def mails_to(outbox, user) -> list:
    return [m for m in outbox.messages() if m["To"] == user.email]


# -- (b) join, check in with the session's QR link, the badge in the wallet, skills on profile --


def test_a_learner_checks_in_with_the_qr_link_and_finds_the_badge_and_its_skills(
    badges,  # noqa: F811
    people,
    factories,
    phones,
    esco_en,
    outbox,
):
    city = badges.tenant
    org = people.organisation(city, "Bike Kitchen Žirmūnai")
    activity = people.activity(
        city,
        org,
        title="Bike repair café",
        completion="check_in",
        schedule_kind="single",
        skills=[ActivitySkill(concept_uri=LISTEN_ACTIVELY, label="listen actively")],
    )
    factories.activity_session(city, activity, starts_at=utcnow() - dt.timedelta(minutes=10))
    organiser, learner = people.member(city, org), people.user("ona")
    staff, ona = phones(organiser, learner)

    # The learner joins on the activity's page.
    page = ona.open(f"/activities/{activity.id}")
    ona.click(page.get_by_role("button", name="Join"))
    expect(page.locator("body")).to_contain_text("You have joined")

    # The organiser shows the session's QR code; its link is what the code encodes.
    page = staff.open(f"/activities/{activity.id}")
    staff.click(page.get_by_role("link", name=re.compile(r"^Participants")))
    staff.click(page.locator("main ul li a").first)
    expect(page.locator("figure.qr svg")).to_be_visible()
    check_in = page.get_by_role("link", name="Check-in link").get_attribute("href")
    assert "/attend/" in check_in
    # The code shown is that link's (the same modules as segno draws for it).
    drawn = segno.make(check_in, error="m").svg_inline(scale=8, border=2)
    shown = page.locator("figure.qr svg path").get_attribute("d")
    assert f'd="{shown}"' in drawn

    # The learner opens it during the session and checks in: the badge follows at once.
    ona.page.goto(check_in)
    ona.click(ona.page.get_by_role("button", name="Check me in"))
    expect(ona.page.locator("[role=status]")).to_have_text("You are checked in. Enjoy the session!")
    page = ona.wallet()
    expect(page.locator("main .card-list").first).to_contain_text("Bike repair café")
    assert skills_on_profile(ona) == ["listen actively"]
    assert any("Bike repair café" in m["Subject"] for m in mails_to(outbox, learner))
    assert not ona.wide() and not staff.wide()


# -- (c) evidence: sent back, improved, approved by a peer and an organiser ---------------------


def test_evidence_is_sent_back_improved_and_approved_by_a_peer_and_an_organiser(
    badges,  # noqa: F811
    phones,
    outbox,
):
    class_id = badges.badge_class(
        name="Puncture fixer",
        earning="evidence",
        review="peer",
        peer_reviews_required=2,
        tasks=[TASK],
    )
    organiser = badges.user("org@example.org")
    badges.member(organiser, role="member")
    peer = badges.user("ben@example.org")
    badges.issue(class_id, user=peer)  # a holder of the badge reviews it as a peer
    learner = badges.user("ana@example.org")
    ana, ben, org = phones(learner, peer, organiser)

    # The learner finds the evidence form from the badge's page.
    page = ana.menu("Badges")
    ana.click(page.locator("main").get_by_role("link", name="Puncture fixer"))
    ana.click(page.get_by_role("link", name="Send evidence"))
    page.get_by_label("What did you do?").fill("I fixed my front tyre.")
    ana.click(page.get_by_role("button", name="Send for review"))
    expect(page.locator("main")).to_contain_text("Waiting for review")

    # The organiser hears of it and sends it back with what to improve.
    org.open_notification("Ana sent evidence for “Fix a puncture”")
    assert org.page.url.split("#")[0].endswith("/badges/reviews")
    org.page.get_by_label("Comment").fill("Show a photo of the patched tube.")
    org.click(org.page.get_by_role("button", name="Ask to improve"))
    expect(org.page.locator("main")).to_contain_text("Nothing to review right now.")

    # The learner sees that, on the badge's page too, and sends a new version.
    ana.open_notification("needs more: Show a photo of the patched tube.")
    page = ana.open(f"/badges/classes/{class_id}")
    expect(page.locator("section[aria-labelledby=improve-title]")).to_contain_text(
        "Show a photo of the patched tube."
    )
    ana.click(page.get_by_role("link", name=TASK))
    page.get_by_label("What did you do?").fill("Patched it; the photo is at the link.")
    page.get_by_label("Link (optional)").fill("https://photos.example.org/tube")
    ana.click(page.get_by_role("button", name="Send for review"))

    # The peer, then the organiser (told of the new version too) approve it.
    for reviewer in (ben, org):
        reviewer.open_notification("Ana sent evidence for “Fix a puncture”")
        expect(reviewer.page.locator("main article")).to_contain_text("the photo is at the link")
        reviewer.click(reviewer.page.get_by_role("button", name="Approve"))

    # The learner is told in the site and by e-mail, and holds the badge.
    page = ana.page
    ana.click(page.locator("header a.bell"))
    notes = page.locator("ul.notifications")
    expect(notes).to_contain_text(
        "Your evidence for “Fix a puncture” (Puncture fixer) is approved."
    )
    expect(notes).to_contain_text("You have earned the badge “Puncture fixer”")
    subjects = [m["Subject"] for m in mails_to(outbox, learner)]
    assert "Your new badge: Puncture fixer" in subjects
    assert any("is approved" in s for s in subjects) and any("needs more" in s for s in subjects)
    page = ana.wallet()
    expect(page.locator("main .card-list").first).to_contain_text("Puncture fixer")
    assert not ana.wide() and not org.wide()


# -- (d) a claim code's QR image shows on the organiser's page and claims the badge -------------


def test_a_claim_codes_qr_image_shows_and_its_link_claims_the_badge(
    badges,  # noqa: F811
    phones,
):
    class_id = badges.badge_class(name="Night ride")
    organiser = badges.user("org@example.org")
    badges.member(organiser)
    learner = badges.user("ana@example.org")
    org, ana = phones(organiser, learner)

    page = org.open(f"/badges/manage/{class_id}/issue")
    page.get_by_label("How many times may it be used?").fill("1")
    org.click(page.get_by_role("button", name="Create a code"))
    image = page.locator("#codes .card img").first
    expect(image).to_be_visible()
    image.evaluate("img => img.decode()")  # waits for the image; fails if it cannot be shown
    assert image.evaluate("img => img.naturalWidth") > 0
    link = page.locator("#codes .card a").first.get_attribute("href")
    # The image is the QR code of that very link.
    svg = page.request.get(image.evaluate("img => img.src"))
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.body() == claims.qr_svg(link)

    ana.page.goto(link)
    ana.click(ana.page.get_by_role("button", name="Claim this badge"))
    assert "/badges/share/" in ana.page.url
    expect(ana.page.locator("h1")).to_contain_text("Night ride")
    page = ana.wallet()
    expect(page.locator("main .card-list").first).to_contain_text("Night ride")
    page = org.open(f"/badges/manage/{class_id}/issue")
    expect(page.locator("#codes .card").first).to_contain_text("1/1")


# -- (e) a revocation tells the learner why and takes the skills off the profile ----------------


def test_a_revocation_tells_the_learner_and_takes_the_skills_off_the_profile(
    badges,  # noqa: F811
    phones,
    esco_en,
    outbox,
):
    skills = [{"uri": u, "label": ""} for u in (LISTEN_ACTIVELY, THINK_CREATIVELY)]
    class_id = badges.badge_class(name="Good listener", skills=skills)
    organiser = badges.user("org@example.org")
    badges.member(organiser)
    learner = badges.user("ana@example.org")
    uid = badges.issue(class_id, user=learner)
    org, ana = phones(organiser, learner)
    assert skills_on_profile(ana) == ["listen actively", "think creatively"]

    page = org.open(f"/badges/manage/{class_id}/issue")
    page.locator(f"#reason-{uid}").fill("The workshop did not take place.")
    org.click(page.locator(f"#revoke-{uid}").get_by_role("button", name="Revoke"))
    expect(page.locator("section[aria-labelledby=issued-title]")).to_contain_text("revoked")

    ana.open_notification("revoked your badge “Good listener”: The workshop did not take place.")
    assert f"/badges/share/{uid}" in ana.page.url
    assert skills_on_profile(ana) == []
    page = ana.wallet()
    expect(page.locator("main .card-list").first).to_contain_text("revoked")
    [mail] = [m for m in mails_to(outbox, learner) if "revoked" in m["Subject"]]
    assert mail["Subject"] == "Your badge was revoked: Good listener"
    assert "The workshop did not take place." in mail.get_body(("plain",)).get_content()
