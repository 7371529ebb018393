"""The assembly pages (/assemblees/), through the real URLs, templates and services.

The journey: a resident registers → sees their QR code → staff scan it and check them in →
the chair opens the session and a vote → the member votes with the form (and for the member
whose proxy they hold) → the chair closes it → the result is on the detail, session and
projector pages. Then the list, the door (search, desk registration, proxies), the chair's
forms, errors shown on forms, and the markup the live script relies on.
"""

import html as htmllib
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from civic.assemblies import services
from civic.assemblies.models import (
    AgendaItem,
    Ballot,
    FloorRequest,
    FloorStatus,
    Motion,
    MotionStatus,
    Participant,
    SessionStatus,
)
from tests.assemblies_factories import (
    close,
    in_days,
    make_assembly,
    make_motion,
    open_session,
    open_vote,
    option,
    present_member,
    register_member,
    resident_of,
    vote,
)
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def text_of(response):
    return htmllib.unescape(response.content.decode())


def url(assembly, suffix=""):
    return f"/assemblees/{assembly.pk}/{suffix}"


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def assembly(manager, tilleuls):
    return make_assembly(manager, tilleuls, items=["Budget participatif", "Jardin partagé"])


# --- The journey ----------------------------------------------------------------------------


def test_full_journey_register_checkin_vote_close_results(assembly, resident, manager):
    member = login(resident)
    staff = login(manager)

    page = member.get(url(assembly))
    assert page.status_code == 200
    assert "Je m'inscris" in text_of(page)

    response = member.post(url(assembly, "inscription/"))
    assert response.status_code == 302
    participant = Participant.objects.get(assembly=assembly, user=resident)
    page = member.get(url(assembly))
    body = text_of(page)
    assert "<svg" in body and 'class="qr-code"' in body
    assert participant.presence_code_display in body
    assert "Suivre la séance en direct" in body
    # The QR code encodes the absolute link of the code's page.
    assert page.context["checkin_url"] == (
        f"http://testserver/assemblees/{assembly.pk}/code/{participant.presence_code}/"
    )

    # Staff scan the code: the page names the member; the button checks them in.
    scan = staff.get(url(assembly, f"code/{participant.presence_code}/"), follow=True)
    assert scan.status_code == 200
    assert "Amina B." in text_of(scan) and "Noter la présence" in text_of(scan)
    staff.post(url(assembly, f"accueil/{participant.presence_code}/"))
    participant.refresh_from_db()
    assert participant.checked_in_at is not None

    # The chair opens the session and a vote, through the chair's forms.
    staff.post(url(assembly, "presidence/ouvrir-seance/"))
    response = staff.post(
        url(assembly, "presidence/preparer-vote/"),
        {"question": "Adopte-t-on le budget ?", "kind": "for_against", "majority": "simple"},
    )
    assert response.status_code == 302
    motion = Motion.objects.get(assembly=assembly)
    staff.post(url(assembly, "presidence/ouvrir-vote/"), {"id": motion.pk})
    motion.refresh_from_db()
    assert motion.status == MotionStatus.OPEN

    session = member.get(url(assembly, "seance/"))
    body = text_of(session)
    assert "Adopte-t-on le budget ?" in body and "Votre vote" in body
    response = member.post(
        url(assembly, f"votes/{motion.pk}/"), {"option": option(motion, "for").pk}
    )
    assert response.status_code == 302
    assert Ballot.objects.get(motion=motion).option == option(motion, "for")
    session = member.get(url(assembly, "seance/"))
    assert "Votre choix actuel : Pour" in re.sub(r"<[^>]+>|\s+", " ", text_of(session)).replace(
        "  ", " "
    ) or "Pour</strong>" in text_of(session)
    assert any("Votre vote est enregistré" in m for m in messages_of(session))

    staff.post(url(assembly, "presidence/clore-vote/"), {"id": motion.pk})
    motion.refresh_from_db()
    assert motion.status == MotionStatus.CLOSED and motion.result["outcome"] == "adopted"

    for page in (url(assembly), url(assembly, "seance/"), url(assembly, "projecteur/")):
        body = text_of(member.get(page))
        assert "Adopté" in body, page
    assert "Adopté" in text_of(staff.get(url(assembly, "presidence/")))

    staff.post(url(assembly, "presidence/terminer-seance/"))
    assembly.refresh_from_db()
    assert assembly.session_status == SessionStatus.ENDED
    chair = text_of(staff.get(url(assembly, "presidence/")))
    assert "Générer le compte rendu" in chair
    assert f'action="/assemblees/{assembly.pk}/compte-rendu/"' in chair


def test_proxy_holder_sees_two_ballots_and_votes_for_the_giver(assembly, resident, manager):
    holder = present_member(assembly, resident, manager)
    absent_user = resident_of(assembly, display_name="Bernard")
    giver = register_member(assembly, absent_user)
    services.give_proxy(actor=manager, giver=giver, holder=holder)
    motion = open_vote(assembly, manager)
    member = login(resident)
    body = text_of(member.get(url(assembly, "seance/")))
    assert "Votre vote" in body
    assert "Vote pour Bernard (procuration)" in body
    assert body.count("<fieldset") == 2 and body.count("<legend>") >= 2

    response = member.post(
        url(assembly, f"votes/{motion.pk}/"),
        {"option": option(motion, "against").pk, "for": giver.pk},
    )
    assert response.status_code == 302
    ballot = Ballot.objects.get(motion=motion, voter=giver)
    assert ballot.cast_by == holder and ballot.option == option(motion, "against")
    assert not Ballot.objects.filter(motion=motion, voter=holder).exists()


def test_register_is_idempotent_and_unregister(assembly, resident):
    member = login(resident)
    member.post(url(assembly, "inscription/"))
    response = member.post(url(assembly, "inscription/"), follow=True)
    assert Participant.objects.filter(assembly=assembly, user=resident).count() == 1
    assert any("déjà une inscription" in m for m in messages_of(response))
    member.post(url(assembly, "desinscription/"))
    assert not Participant.objects.filter(assembly=assembly, user=resident).exists()
    response = member.post(url(assembly, "desinscription/"), follow=True)
    assert response.status_code == 200
    assert any("pas d'inscription" in m for m in messages_of(response))


def test_get_on_action_urls_changes_nothing(assembly, resident):
    member = login(resident)
    response = member.get(url(assembly, "inscription/"))
    assert response.status_code == 302
    assert not Participant.objects.exists()


def test_other_neighbourhood_resident_sees_why(assembly, other_resident):
    client = login(other_resident)
    body = text_of(client.get(url(assembly)))
    assert "réservée aux habitants du quartier Les Tilleuls" in body
    assert "Je m'inscris" not in body
    response = client.post(url(assembly, "inscription/"), follow=True)
    assert not Participant.objects.exists()
    assert any("Les Tilleuls" in m for m in messages_of(response))


def test_detail_shows_agenda_rules_and_linked_public_proposal(manager, tilleuls, resident):
    proposal = ProposalFactory(title="Des bancs au square")
    assembly = make_assembly(
        manager,
        tilleuls,
        items=[{"title": "Bancs", "description": "On en parle.", "proposal": proposal}],
        colleges=[("Habitants", 2), ("Bailleurs", 1)],
        quorum_kind="share",
        quorum_value=25,
        majority="two_thirds",
        convocation="Venez nombreux.",
    )
    body = text_of(Client().get(url(assembly)))
    assert "Venez nombreux." in body
    assert "Bancs" in body and "On en parle." in body
    if proposal.is_public:
        assert f'href="{proposal.get_absolute_url()}"' in body
    assert "25 % des inscrits" in body
    assert "deux tiers" in body
    assert "Habitants : 2 voix" in body and "Bailleurs : 1 voix" in body
    assert f'datetime="{timezone.localtime(assembly.starts_at).isoformat()}"' in body or (
        "<time datetime=" in body
    )


def test_minutes_link_when_published(assembly, resident, site_tree):
    from civic.assemblies.models import MinutesIndexPage, MinutesPage

    home, _news = site_tree
    index = home.add_child(instance=MinutesIndexPage(title="Comptes rendus", slug="cr"))
    minutes = index.add_child(
        instance=MinutesPage(title="CR Tilleuls", slug="cr-tilleuls", held_on=timezone.localdate())
    )
    assembly.minutes_page = minutes
    assembly.save(update_fields=["minutes_page"])
    body = text_of(Client().get(url(assembly)))
    assert "Lire le compte rendu" in body
    minutes.unpublish()
    body = text_of(Client().get(url(assembly)))
    assert "Lire le compte rendu" not in body


# --- The list -------------------------------------------------------------------------------


def test_list_upcoming_mine_first_past_and_filter(manager, tilleuls, bel_air, resident):
    bel = make_assembly(manager, bel_air, title="AG Bel-Air", starts_at=in_days(2))
    til = make_assembly(manager, tilleuls, title="AG Tilleuls", starts_at=in_days(9))
    past = make_assembly(manager, tilleuls, title="AG ancienne", starts_at=in_days(-30))
    hidden = make_assembly(manager, tilleuls, title="AG brouillon", is_published=False)
    response = login(resident).get("/assemblees/")
    assert response.status_code == 200
    assert [a.pk for a in response.context["upcoming"]] == [til.pk, bel.pk]
    assert [a.pk for a in response.context["past"]] == [past.pk]
    assert "AG brouillon" not in text_of(response)
    assert hidden.pk

    filtered = Client().get("/assemblees/?quartier=bel-air")
    assert [a.pk for a in filtered.context["upcoming"]] == [bel.pk]
    assert Client().get("/assemblees/?quartier=nulle-part").status_code == 404

    staff_page = text_of(login(manager).get("/assemblees/"))
    assert "AG brouillon" in staff_page and "Non publiée" in staff_page


def test_list_pagination_never_fails(manager, tilleuls):
    for page in ("abc", "-1", "999999999999999999999", ""):
        assert Client().get(f"/assemblees/?page={page}").status_code == 200


# --- The door -------------------------------------------------------------------------------


def test_checkin_search_and_buttons(assembly, resident, manager):
    register_member(assembly, resident)
    other = resident_of(assembly, display_name="Zoé Martin", email="zoe@example.org")
    register_member(assembly, other)
    staff = login(manager)
    page = staff.get(url(assembly, "accueil/"), {"q": "AMINA"})
    body = text_of(page)
    assert [p.name for p in page.context["participants"]] == ["Amina B."]
    assert '<th scope="row">Amina B.</th>' in body
    assert '<th scope="row">Zoé Martin</th>' not in body
    assert "Inscrits" in body and "Quorum" in body
    by_email = staff.get(url(assembly, "accueil/"), {"q": "ZOE@"})
    assert [p.name for p in by_email.context["participants"]] == ["Zoé Martin"]

    participant = Participant.objects.get(user=resident)
    staff.post(url(assembly, "accueil/presence/"), {"participant": participant.pk})
    participant.refresh_from_db()
    assert participant.is_present
    staff.post(
        url(assembly, "accueil/presence/"), {"participant": participant.pk, "action": "annuler"}
    )
    participant.refresh_from_db()
    assert not participant.is_present


def test_checkin_desk_registration_by_search_and_email(manager, tilleuls, partner):
    assembly = make_assembly(manager, tilleuls, colleges=[("Habitants", 2), ("Bailleurs", 1)])
    neighbour = resident_of(assembly, display_name="Lucie Neighbour")
    staff = login(manager)
    body = text_of(staff.get(url(assembly, "accueil/"), {"compte": "lucie"}))
    assert "Inscrire Lucie Neighbour" in body
    bailleurs = assembly.colleges.get(name="Bailleurs")
    staff.post(url(assembly, "accueil/inscrire/"), {"user": neighbour.pk})
    assert Participant.objects.get(user=neighbour).college.name == "Habitants"
    staff.post(
        url(assembly, "accueil/inscrire/"), {"email": partner.email, "college": bailleurs.pk}
    )
    assert Participant.objects.get(user=partner).college == bailleurs

    response = staff.post(url(assembly, "accueil/inscrire/"), {"email": "nobody@example.org"})
    assert response.status_code == 400
    assert "Aucun compte actif" in text_of(response)
    response = staff.post(url(assembly, "accueil/inscrire/"), {})
    assert response.status_code == 400
    response = staff.post(url(assembly, "accueil/inscrire/"), {"user": "abc"})
    assert response.status_code == 400


def test_checkin_proxy_record_error_and_withdraw(assembly, resident, manager):
    holder = present_member(assembly, resident, manager)
    giver = register_member(assembly, resident_of(assembly, display_name="Bernard"))
    staff = login(manager)
    # A present member cannot give a proxy: the form says so.
    response = staff.post(
        url(assembly, "accueil/procuration/"), {"giver": holder.pk, "holder": holder.pk}
    )
    assert response.status_code == 400
    response = staff.post(
        url(assembly, "accueil/procuration/"), {"giver": giver.pk, "holder": holder.pk}
    )
    assert response.status_code == 302
    giver.refresh_from_db()
    assert giver.proxy_holder_id == holder.pk
    assert "Amina B. vote pour Bernard" in text_of(staff.get(url(assembly, "accueil/")))
    staff.post(url(assembly, "accueil/procuration/retirer/"), {"participant": giver.pk})
    giver.refresh_from_db()
    assert giver.proxy_holder_id is None


def test_checkin_token_unknown_is_404(assembly, manager):
    assert login(manager).get(url(assembly, "accueil/nimportequoi/")).status_code == 404
    assert login(manager).post(url(assembly, "accueil/nimportequoi/")).status_code == 404


# --- The chair ------------------------------------------------------------------------------


def test_chair_items_and_floor(assembly, resident, manager):
    present_member(assembly, resident, manager)
    staff = login(manager)
    staff.post(url(assembly, "presidence/ouvrir-seance/"))
    assembly.refresh_from_db()
    first, second = assembly.items.order_by("sort_order")
    assert assembly.current_item == first
    staff.post(url(assembly, "presidence/point-suivant/"))
    assembly.refresh_from_db()
    assert assembly.current_item == second
    staff.post(url(assembly, "presidence/point/"), {"id": first.pk})
    assembly.refresh_from_db()
    assert assembly.current_item == first
    response = staff.post(url(assembly, "presidence/point-suivant/"), follow=True)
    response = staff.post(url(assembly, "presidence/point-suivant/"), follow=True)
    assert any("dernier point" in m for m in messages_of(response))

    member = login(resident)
    member.post(url(assembly, "parole/"))
    request = FloorRequest.objects.get()
    assert "Retirer ma demande" in text_of(member.get(url(assembly, "seance/")))
    chair_page = text_of(staff.get(url(assembly, "presidence/")))
    assert "Donner la parole à Amina B." in chair_page
    staff.post(url(assembly, "presidence/donner-parole/"), {"id": request.pk})
    request.refresh_from_db()
    assert request.status == FloorStatus.SPEAKING
    assert "Terminer l'intervention" in text_of(staff.get(url(assembly, "presidence/")))
    staff.post(url(assembly, "presidence/terminer-parole/"))
    request.refresh_from_db()
    assert request.status == FloorStatus.DONE

    member.post(url(assembly, "parole/"))
    member.post(url(assembly, "parole/retirer/"))
    assert FloorRequest.objects.filter(status=FloorStatus.WITHDRAWN).count() == 1
    member.post(url(assembly, "parole/"))
    staff.post(url(assembly, "presidence/parole-suivante/"))
    assert FloorRequest.objects.filter(status=FloorStatus.SPEAKING).count() == 1


def test_chair_motion_form_errors_next_to_fields(assembly, manager):
    staff = login(manager)
    open_session(assembly, manager)
    response = staff.post(
        url(assembly, "presidence/preparer-vote/"),
        {"question": "", "kind": "choices", "choices": "Un seul", "majority": "simple"},
    )
    assert response.status_code == 400
    body = text_of(response)
    assert "Champ requis." in body and 'id="id_question_error"' in body
    assert "Proposez entre 2 et" in body
    response = staff.post(
        url(assembly, "presidence/preparer-vote/"),
        {
            "question": "Quel arbre ?",
            "kind": "choices",
            "choices": "Chêne\nTilleul\n\n",
            "majority": "simple",
            "secret": "on",
        },
    )
    assert response.status_code == 302
    motion = Motion.objects.get()
    assert motion.is_secret and [o.label for o in motion.options.all()] == [
        "Chêne",
        "Tilleul",
        "Abstention",
    ]
    response = staff.post(
        url(assembly, "presidence/preparer-vote/"),
        {"question": "X", "kind": "nope", "majority": "zzz"},
    )
    assert response.status_code == 400


def test_chair_majority_defaults_to_assemblys(manager, tilleuls):
    assembly = make_assembly(manager, tilleuls, majority="absolute")
    body = text_of(login(manager).get(url(assembly, "presidence/")))
    assert re.search(r'<option value="absolute"\s+selected>', body)


def test_chair_service_errors_become_messages(assembly, manager):
    staff = login(manager)
    # Session not open: opening a vote is refused with a message, not a crash.
    motion = make_motion(assembly, manager)
    response = staff.post(url(assembly, "presidence/ouvrir-vote/"), {"id": motion.pk}, follow=True)
    assert response.status_code == 200
    assert any("pas ouverte" in m for m in messages_of(response))
    response = staff.post(url(assembly, "presidence/parole-suivante/"), follow=True)
    assert response.status_code == 200


# --- Votes: refusals as form errors -----------------------------------------------------------


def test_member_not_present_gets_a_form_error_and_no_ballot(assembly, resident, manager):
    register_member(assembly, resident)
    motion = open_vote(assembly, manager)
    member = login(resident)
    body = text_of(member.get(url(assembly, "seance/")))
    assert "Vous pourrez voter quand l'accueil aura noté votre présence" in body
    response = member.post(
        url(assembly, f"votes/{motion.pk}/"), {"option": option(motion, "for").pk}
    )
    assert response.status_code == 400
    assert "Seuls les membres notés présents" in text_of(response)
    assert not Ballot.objects.exists()


def test_vote_bad_input_never_500(assembly, resident, manager, tilleuls):
    present_member(assembly, resident, manager)
    motion = open_vote(assembly, manager)
    member = login(resident)
    for data in (
        {},
        {"option": "abc"},
        {"option": "999999"},
        {"option": option(motion, "for").pk, "for": "x"},
        {"option": "1" * 40},
    ):
        response = member.post(url(assembly, f"votes/{motion.pk}/"), data)
        assert response.status_code == 400, data
    response = member.post(
        url(assembly, f"votes/{motion.pk}/"), {"option": option(motion, "for").pk, "for": 999999}
    )
    assert response.status_code == 400
    assert "procuration" in text_of(response)
    assert not Ballot.objects.exists()
    assert member.post(url(assembly, "votes/999999/"), {"option": 1}).status_code == 404
    other = make_assembly(assembly.created_by, tilleuls, title="Autre")
    other_motion = make_motion(other, assembly.created_by)
    assert (
        member.post(
            url(assembly, f"votes/{other_motion.pk}/"), {"option": option(other_motion, "for").pk}
        ).status_code
        == 404
    )
    assert member.post(f"/assemblees/{assembly.pk}/votes/abc/").status_code == 404


def test_vote_on_closed_motion_is_refused_on_page(assembly, resident, manager):
    present_member(assembly, resident, manager)
    motion = open_vote(assembly, manager)
    close(motion, manager)
    response = login(resident).post(
        url(assembly, f"votes/{motion.pk}/"), {"option": option(motion, "for").pk}
    )
    assert response.status_code == 400
    assert "pas ouvert" in text_of(response)


def test_chair_bad_ids_are_404(assembly, manager, tilleuls):
    staff = login(manager)
    open_session(assembly, manager)
    other = make_assembly(manager, tilleuls, title="Autre")
    other_item = AgendaItem.objects.create(assembly=other, title="Ailleurs")
    other_motion = make_motion(other, manager)
    assert staff.post(url(assembly, "presidence/point/"), {"id": other_item.pk}).status_code == 404
    assert (
        staff.post(url(assembly, "presidence/ouvrir-vote/"), {"id": other_motion.pk}).status_code
        == 404
    )
    assert staff.post(url(assembly, "presidence/clore-vote/"), {"id": "abc"}).status_code == 404
    assert staff.post(url(assembly, "presidence/donner-parole/"), {}).status_code == 404
    assert staff.post(url(assembly, "presidence/inconnue/")).status_code == 404
    assert staff.post(url(assembly, "accueil/presence/"), {"participant": "x"}).status_code == 404
    assert staff.get("/assemblees/999999/").status_code == 404
    assert staff.get("/assemblees/999999/presidence/").status_code == 404


# --- Live markup ----------------------------------------------------------------------------


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels = []
        self.inputs = []
        self.labels = set()
        self.aria_live = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
        if tag in ("input", "select", "textarea") and attrs.get("type") not in (
            "hidden",
            "submit",
        ):
            self.inputs.append(attrs.get("id"))
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if "aria-live" in attrs:
            self.aria_live.append(attrs["aria-live"])


def parse(response):
    parser = _Headings()
    parser.feed(response.content.decode())
    return parser


def assert_accessible(response):
    parsed = parse(response)
    assert parsed.levels and parsed.levels[0] == 1
    for before, after in zip(parsed.levels, parsed.levels[1:], strict=False):
        assert after <= before + 1, parsed.levels
    for input_id in parsed.inputs:
        assert input_id and input_id in parsed.labels, input_id
    return parsed


def test_pages_are_accessible_and_have_live_regions(assembly, resident, manager):
    holder = present_member(assembly, resident, manager)
    giver = register_member(assembly, resident_of(assembly, display_name="Bernard"))
    services.give_proxy(actor=manager, giver=giver, holder=holder)
    open_vote(assembly, manager)
    member, staff = login(resident), login(manager)
    session = assert_accessible(member.get(url(assembly, "seance/")))
    assert "polite" in session.aria_live and "assertive" in session.aria_live
    projector = assert_accessible(member.get(url(assembly, "projecteur/")))
    assert "polite" in projector.aria_live
    assert_accessible(staff.get(url(assembly, "presidence/")))
    assert_accessible(staff.get(url(assembly, "accueil/")))
    assert_accessible(member.get(url(assembly)))
    assert_accessible(member.get("/assemblees/"))


def test_first_paint_matches_snapshot_and_script(assembly, resident, manager):
    from civic.assemblies import live

    present_member(assembly, resident, manager)
    motion = open_vote(assembly, manager)
    vote(resident, motion, "for")
    response = login(resident).get(url(assembly, "seance/"))
    assert response.context["state"] == {
        **live.public_state(assembly.pk),
        "version": response.context["state"]["version"],
    }
    body = response.content.decode()
    assert f'data-socket-path="/ws/assemblees/{assembly.pk}/"' in body
    assert 'id="assembly-live-strings"' in body
    assert re.search(r'data-live="votes-cast">1<', body)


def test_projector_shows_count_not_choices_while_open(assembly, resident, manager):
    present_member(assembly, resident, manager)
    motion = open_vote(assembly, manager)
    vote(resident, motion, "against")
    body = text_of(login(manager).get(url(assembly, "projecteur/")))
    assert '<meta http-equiv="refresh" content="15">' in body
    assert "Adopte-t-on le budget ?" in body
    main = body.split("</main>")[0]
    assert "Rejeté" not in main and "voix" not in main and "Contre" not in main
    assert re.search(r'data-live="votes-cast">1<', body)
    close(motion, manager)
    main = text_of(login(manager).get(url(assembly, "projecteur/"))).split("</main>")[0]
    assert "Rejeté" in main and "1 voix" in main
