"""The idea pages (/idees/), through the real URLs, templates and services.

Journeys: submit (with a real JPEG) → the Régie publishes → the idea is listed → another
resident supports, comments, replies; edit window; reports; follows; "Mes idées";
notifications. Then filters and hostile inputs, escaping, constant query counts, CSRF.
"""

import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from civic.proposals import services
from civic.proposals.lifecycle import Status
from civic.proposals.models import (
    Comment,
    Follow,
    Notification,
    Proposal,
    Report,
    StatusChange,
    Support,
)
from tests.factories import ProposalFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/idees/"
SUBMIT_URL = "/idees/proposer/"
MINE_URL = "/idees/mes-idees/"
NOTIFICATIONS_URL = "/idees/notifications/"


# --- Helpers ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def theme():
    return ThemeFactory(slug="proprete", name="Propreté")


def login(user):
    client = Client()
    client.force_login(user)
    return client


def jpeg(name="IMG_0001.jpg", size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def detail_url(proposal):
    return f"/idees/{proposal.pk}/"


def html(response):
    return response.content.decode()


class _Controls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls, self.labels_for, self.error_ids = [], set(), set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"input", "select", "textarea"}:
            if attrs.get("type") not in {"hidden", "submit", "button"}:
                self.controls.append(attrs)
        elif tag == "label" and attrs.get("for"):
            self.labels_for.add(attrs["for"])
        elif tag == "ul" and "errorlist" in (attrs.get("class") or "") and attrs.get("id"):
            self.error_ids.add(attrs["id"])


def controls(response):
    parser = _Controls()
    parser.feed(html(response))
    return parser


def assert_every_field_labelled(response):
    parsed = controls(response)
    assert parsed.controls
    for control in parsed.controls:
        assert control.get("id") in parsed.labels_for, control


def assert_error_tied_to(response, name):
    parsed = controls(response)
    control = next(c for c in parsed.controls if c.get("name") == name)
    error_id = f"{control['id']}_error"
    assert error_id in parsed.error_ids, f"no error for {name}"
    assert control.get("aria-invalid") == "true"
    assert error_id in control.get("aria-describedby", "").split()


def proposal_data(neighbourhood, theme, **overrides):
    data = {
        "title": "Des bancs place des Tilleuls",
        "description": "Pour que les anciens puissent s'asseoir.\nEt les parents aussi.",
        "theme": theme.pk,
        "neighbourhood": neighbourhood.pk,
        "address": "Place des Tilleuls",
        "latitude": "",
        "longitude": "",
        "photo_alt": "",
    }
    data.update(overrides)
    return data


def listed_ids(response):
    return [int(pk) for pk in re.findall(r'data-proposal-id="(\d+)"', html(response))]


# --- The whole journey ------------------------------------------------------------------


def test_idea_journey_from_submission_to_support(resident, other_resident, manager, theme):
    author = login(resident)
    form_page = author.get(SUBMIT_URL)
    assert form_page.status_code == 200
    assert_every_field_labelled(form_page)
    # The resident's own quartier is chosen by default.
    assert re.search(rf'<option value="{resident.neighbourhood_id}" selected>', html(form_page)), (
        html(form_page)
    )

    data = proposal_data(
        resident.neighbourhood,
        theme,
        latitude="43,604500",
        longitude="1.444",
        photo=jpeg(),
        photo_alt="La place vide, sans banc",
    )
    response = author.post(SUBMIT_URL, data)
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(proposal)
    assert proposal.status == Status.SUBMITTED
    assert proposal.author == resident
    assert str(proposal.latitude) == "43.604500"
    assert proposal.photo and "IMG_0001" not in proposal.photo.name
    assert proposal.photo.name.endswith(".jpg")

    # Before moderation: the author sees it, nobody else does.
    page = author.get(detail_url(proposal))
    assert page.status_code == 200
    assert "La Régie relit votre idée" in html(page)
    assert 'alt="La place vide, sans banc"' in html(page)
    assert login(other_resident).get(detail_url(proposal)).status_code == 404
    assert Client().get(detail_url(proposal)).status_code == 404
    assert proposal.pk not in listed_ids(Client().get(LIST_URL))

    # The Régie publishes from the public page.
    staff = login(manager)
    staff_page = staff.get(detail_url(proposal))
    assert "Réponse de la Régie" in html(staff_page)
    response = staff.post(
        f"/idees/{proposal.pk}/moderation/etat/",
        {"moderation-to_status": "published", "moderation-answer": "Bienvenue !"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.PUBLISHED

    listing = Client().get(LIST_URL)
    assert listing.status_code == 200
    assert listed_ids(listing) == [proposal.pk]
    assert "Des bancs place des Tilleuls" in html(listing)

    # Another resident supports; supporting twice changes nothing; then withdraws it.
    marcel = login(other_resident)
    support_url = f"/idees/{proposal.pk}/soutenir/"
    assert marcel.post(support_url).status_code == 302
    assert marcel.post(support_url).status_code == 302
    assert Support.objects.filter(proposal=proposal).count() == 1
    page = html(marcel.get(detail_url(proposal)))
    assert re.search(r"data-support-count>1<", page)
    assert "Retirer mon soutien" in page
    assert marcel.post(f"/idees/{proposal.pk}/retirer-mon-soutien/").status_code == 302
    assert not Support.objects.filter(proposal=proposal).exists()
    # A GET on an action address does nothing (e.g. after logging in again).
    response = marcel.get(support_url)
    assert response.status_code == 302 and response["Location"].startswith(detail_url(proposal))
    assert not Support.objects.filter(proposal=proposal).exists()

    # Public history: submitted, then published with the Régie's answer.
    page = html(Client().get(detail_url(proposal)))
    assert "Bienvenue !" in page and "La Régie" in page

    # The author was told about the publication.
    assert Notification.objects.filter(recipient=resident, proposal=proposal).exists()


def test_anonymous_actions_redirect_to_login_and_write_nothing(resident):
    proposal = ProposalFactory(author=resident)
    client = Client()
    for path in ("soutenir", "suivre", "commenter", "signaler", "modifier", "retirer"):
        response = client.post(f"/idees/{proposal.pk}/{path}/", {"comment-body": "x"})
        assert response.status_code == 302, path
        assert response["Location"].startswith("/comptes/login/"), path
    assert not Support.objects.exists()
    assert not Follow.objects.exclude(resident=resident).exists()
    assert not Comment.objects.exists()
    assert not Report.objects.exists()
    page = html(client.get(detail_url(proposal)))
    assert "Connectez-vous pour soutenir cette idée" in page
    assert "Connectez-vous pour commenter" in page


def test_csrf_is_required_on_actions(resident, other_resident):
    proposal = ProposalFactory(author=resident)
    client = Client(enforce_csrf_checks=True)
    client.force_login(other_resident)
    assert client.post(f"/idees/{proposal.pk}/soutenir/").status_code == 403
    assert not Support.objects.exists()


# --- Comments -------------------------------------------------------------------------------


def test_comments_replies_edit_window_and_delete(resident, other_resident, manager):
    proposal = ProposalFactory(author=resident)
    marcel, amina = login(other_resident), login(resident)
    comment_url = f"/idees/{proposal.pk}/commenter/"

    response = marcel.post(comment_url, {"comment-body": "Bonne idée !", "token": "t1"})
    first = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(proposal)}#commentaire-{first.pk}"
    # The same form sent twice (double click) publishes one comment.
    marcel.post(comment_url, {"comment-body": "Bonne idée !", "token": "t1"})
    assert Comment.objects.count() == 1

    # A reply, and a reply to the reply, both hang under the first comment.
    reply_page = amina.get(f"{comment_url}?reponse-a={first.pk}")
    assert reply_page.status_code == 200
    assert "Bonne idée !" in html(reply_page)
    assert_every_field_labelled(reply_page)
    amina.post(comment_url, {"comment-body": "Merci Marcel", "comment-parent": first.pk})
    reply = Comment.objects.get(body="Merci Marcel")
    assert reply.parent == first
    marcel.post(comment_url, {"comment-body": "Avec plaisir", "comment-parent": reply.pk})
    assert Comment.objects.get(body="Avec plaisir").parent == first

    # An empty comment is refused, with the error on the field.
    response = marcel.post(comment_url, {"comment-body": "   "})
    assert response.status_code == 200
    assert_error_tied_to(response, "comment-body")
    assert Comment.objects.count() == 3

    # Editing within the window works.
    edit_url = f"/idees/commentaires/{first.pk}/modifier/"
    assert marcel.get(edit_url).status_code == 200
    marcel.post(edit_url, {"body": "Très bonne idée !"})
    first.refresh_from_db()
    assert first.body == "Très bonne idée !" and first.edited_at is not None
    # Someone else cannot edit it.
    assert amina.post(edit_url, {"body": "piraté"}).status_code == 403
    # After the window: refused, nothing changes.
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert marcel.get(edit_url).status_code == 403
    response = marcel.post(edit_url, {"body": "Trop tard"})
    assert response.status_code == 403
    assert "15 minutes" in html(response)
    first.refresh_from_db()
    assert first.body == "Très bonne idée !"

    # Deleting: the text disappears, the replies stay.
    delete_url = f"/idees/commentaires/{first.pk}/supprimer/"
    assert amina.post(delete_url).status_code == 403
    assert marcel.get(delete_url).status_code == 200
    assert marcel.post(delete_url).status_code == 302
    page = html(Client().get(detail_url(proposal)))
    assert "Très bonne idée" not in page
    assert "Commentaire supprimé" in page
    assert "Merci Marcel" in page and "Avec plaisir" in page

    # The Régie hides a reply: a neutral line, never the text.
    staff = login(manager)
    hide_url = f"/idees/commentaires/{reply.pk}/masquer/"
    assert amina.post(hide_url, {"reason": "non"}).status_code == 403
    assert staff.post(hide_url, {"reason": ""}).status_code == 200  # reason required
    assert staff.post(hide_url, {"reason": "Hors sujet"}).status_code == 302
    for client in (Client(), staff, amina):
        page = html(client.get(detail_url(proposal)))
        assert "Merci Marcel" not in page
        assert "Commentaire masqué par la modération" in page
    # A reply to a hidden comment is refused, with the reason under the form.
    response = marcel.post(comment_url, {"comment-body": "Et alors ?", "comment-parent": reply.pk})
    assert response.status_code == 200
    assert "existe pas ou plus" in html(response)
    staff.post(f"/idees/commentaires/{reply.pk}/afficher/")
    assert "Merci Marcel" in html(Client().get(detail_url(proposal)))


def test_comments_closed_on_a_finished_idea(resident, other_resident):
    proposal = ProposalFactory(author=resident, status=Status.DONE)
    response = login(other_resident).post(
        f"/idees/{proposal.pk}/commenter/", {"comment-body": "Bravo"}
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()
    assert "fermés" in html(Client().get(detail_url(proposal)))


# --- Reports and follows ----------------------------------------------------------------------


def test_report_proposal_and_comment(resident, other_resident):
    proposal = ProposalFactory(author=resident)
    comment = Comment.objects.create(proposal=proposal, author=resident, body="Un avis")
    marcel = login(other_resident)
    report_url = f"/idees/{proposal.pk}/signaler/"
    page = marcel.get(report_url)
    assert page.status_code == 200
    assert_every_field_labelled(page)
    response = marcel.post(report_url, {"reason": ""})
    assert response.status_code == 200
    assert_error_tied_to(response, "reason")
    assert not Report.objects.exists()
    assert marcel.post(report_url, {"reason": "Publicité"}).status_code == 302
    assert marcel.post(report_url, {"reason": "Publicité"}).status_code == 302
    assert Report.objects.filter(proposal=proposal).count() == 1
    response = marcel.post(f"/idees/commentaires/{comment.pk}/signaler/", {"reason": "Insulte"})
    assert response.status_code == 302
    assert Report.objects.filter(comment=comment, reporter=other_resident).count() == 1


def test_follow_and_unfollow(resident, other_resident):
    proposal = ProposalFactory(author=resident)
    marcel = login(other_resident)
    marcel.post(f"/idees/{proposal.pk}/suivre/")
    marcel.post(f"/idees/{proposal.pk}/suivre/")
    assert Follow.objects.filter(proposal=proposal, resident=other_resident).count() == 1
    assert "Ne plus suivre" in html(marcel.get(detail_url(proposal)))
    marcel.post(f"/idees/{proposal.pk}/ne-plus-suivre/")
    assert not Follow.objects.filter(proposal=proposal, resident=other_resident).exists()


# --- Mes idées and notifications ----------------------------------------------------------------


def test_my_ideas_lists_own_supported_and_followed_with_status(resident, other_resident):
    own_submitted = ProposalFactory(author=resident, status=Status.SUBMITTED, title="Ma neuve")
    own_refused = ProposalFactory(author=resident, status=Status.REFUSED, title="Ma refusée")
    supported = ProposalFactory(author=other_resident, title="Celle que je soutiens")
    followed = ProposalFactory(
        author=other_resident, status=Status.UNDER_STUDY, title="Celle que je suis"
    )
    hidden = ProposalFactory(author=other_resident, is_hidden=True, title="Cachée")
    Support.objects.create(proposal=supported, resident=resident)
    Support.objects.create(proposal=hidden, resident=resident)
    Follow.objects.create(proposal=followed, resident=resident)
    Follow.objects.create(proposal=own_submitted, resident=resident)

    client = login(resident)
    assert Client().get(MINE_URL).status_code == 302
    response = client.get(MINE_URL)
    page = html(response)
    for proposal in (own_submitted, own_refused, supported, followed):
        assert proposal.title in page
    assert "Cachée" not in page
    assert "En attente de modération" in page and "Refusée à la modération" in page
    assert "À l&#x27;étude" in page


def test_my_ideas_runs_a_constant_number_of_queries(resident, other_resident):
    def count():
        client = login(resident)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(MINE_URL).status_code == 200
        return len(captured.captured_queries)

    ProposalFactory(author=resident)
    count()  # warms the site navigation cache, as on a running site
    few = count()
    for _ in range(6):
        proposal = ProposalFactory(author=other_resident)
        Support.objects.create(proposal=proposal, resident=resident)
        Follow.objects.create(proposal=proposal, resident=resident)
        ProposalFactory(author=resident)
    assert count() == few


def test_notifications_unread_first_then_mark_all_read(resident, other_resident):
    proposal = ProposalFactory(author=resident)
    old = Notification.objects.create(
        recipient=resident,
        proposal=proposal,
        kind=Notification.Kind.STATUS,
        message="Ancienne nouvelle",
        read_at=timezone.now(),
    )
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() + timedelta(hours=1))
    Notification.objects.create(
        recipient=resident, proposal=proposal, kind=Notification.Kind.COMMENT, message="Fraîche"
    )
    Notification.objects.create(
        recipient=other_resident,
        proposal=proposal,
        kind=Notification.Kind.COMMENT,
        message="Pas à moi",
    )
    client = login(resident)
    page = html(client.get(NOTIFICATIONS_URL))
    assert "Pas à moi" not in page
    assert page.index("Fraîche") < page.index("Ancienne nouvelle")
    assert "Tout marquer comme lu" in page
    response = client.post("/idees/notifications/tout-lu/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=resident, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other_resident, read_at__isnull=True).exists()
    assert Client().get(NOTIFICATIONS_URL).status_code == 302


# --- Submitting and editing -----------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": ""}, "title"),
        ({"description": ""}, "description"),
        ({"latitude": "43.6"}, "address"),  # the point is hidden: told at the address
        ({"longitude": "1.4"}, "address"),
        ({"latitude": "95", "longitude": "1.4"}, "address"),
        ({"latitude": "43.6", "longitude": "-181"}, "address"),
        ({"latitude": "nord", "longitude": "1.4"}, "address"),
        ({"photo_alt": ""}, "photo_alt"),  # a photo (below) needs its description
    ],
)
def test_submit_bad_input_gives_a_field_error(resident, theme, overrides, field):
    data = proposal_data(resident.neighbourhood, theme, photo=jpeg(), photo_alt="Une place")
    data.update(overrides)
    response = login(resident).post(SUBMIT_URL, data)
    assert response.status_code == 200
    assert_error_tied_to(response, field)
    assert not Proposal.objects.exists()


def test_submit_refuses_a_file_that_is_not_a_photo(resident, theme):
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    data = proposal_data(resident.neighbourhood, theme, photo=fake, photo_alt="Une place")
    response = login(resident).post(SUBMIT_URL, data)
    assert response.status_code == 200
    assert_error_tied_to(response, "photo")
    assert "pas une photo lisible" in html(response)
    assert not Proposal.objects.exists()


def test_submit_offers_only_active_themes(resident, theme):
    old = ThemeFactory(slug="ancien", name="Thème ancien", is_active=False)
    client = login(resident)
    assert "Thème ancien" not in html(client.get(SUBMIT_URL))
    response = client.post(SUBMIT_URL, proposal_data(resident.neighbourhood, old))
    assert_error_tied_to(response, "theme")
    assert not Proposal.objects.exists()


def test_submit_twice_with_the_same_form_creates_one_idea(resident, theme):
    client = login(resident)
    data = proposal_data(resident.neighbourhood, theme, token="abc")
    first = client.post(SUBMIT_URL, data)
    second = client.post(SUBMIT_URL, data)
    assert Proposal.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_author_edits_then_withdraws(resident, manager, theme):
    proposal = ProposalFactory(author=resident, status=Status.SUBMITTED, theme=theme)
    client = login(resident)
    edit_url = f"/idees/{proposal.pk}/modifier/"
    page = client.get(edit_url)
    assert page.status_code == 200
    assert_every_field_labelled(page)
    data = proposal_data(resident.neighbourhood, theme, title="Titre corrigé")
    assert client.post(edit_url, data).status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "Titre corrigé"

    services.publish_proposal(proposal=proposal, actor=manager)
    # Once published, it can no longer be edited, but it can be withdrawn.
    assert client.post(edit_url, {**data, "title": "Encore"}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.title == "Titre corrigé"
    withdraw_url = f"/idees/{proposal.pk}/retirer/"
    confirm = client.get(withdraw_url)
    assert confirm.status_code == 200 and "Oui, retirer mon idée" in html(confirm)
    assert client.post(withdraw_url).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.WITHDRAWN
    assert StatusChange.objects.filter(proposal=proposal, to_status=Status.WITHDRAWN).exists()
    assert Client().get(detail_url(proposal)).status_code == 404
    assert "a proposé cette idée l'a retirée" in html(client.get(detail_url(proposal)))


def test_edit_replaces_and_removes_the_photo(resident, theme):
    proposal = ProposalFactory(author=resident, status=Status.SUBMITTED, theme=theme)
    client = login(resident)
    edit_url = f"/idees/{proposal.pk}/modifier/"
    data = proposal_data(resident.neighbourhood, theme, photo=jpeg(), photo_alt="Le square")
    client.post(edit_url, data)
    proposal.refresh_from_db()
    assert proposal.photo
    assert "Retirer la photo actuelle" in html(client.get(edit_url))
    data = proposal_data(resident.neighbourhood, theme, photo_alt="", remove_photo="on")
    assert client.post(edit_url, data).status_code == 302
    proposal.refresh_from_db()
    assert not proposal.photo


def test_refusal_reason_is_shown_to_the_author(resident, other_resident, manager):
    proposal = ProposalFactory(author=resident, status=Status.SUBMITTED)
    services.refuse_proposal(proposal=proposal, actor=manager, reason="Ce n'est pas du quartier.")
    page = html(login(resident).get(detail_url(proposal)))
    assert "Pourquoi cette idée n'est pas publiée" in page
    assert "Ce n&#x27;est pas du quartier." in page
    assert login(other_resident).get(detail_url(proposal)).status_code == 404


def test_merged_idea_links_to_the_idea_it_joined(resident, manager):
    target = ProposalFactory(author=resident, title="La bonne idée")
    duplicate = ProposalFactory(author=resident, title="Le doublon")
    services.merge_proposal(duplicate=duplicate, into=target, actor=manager)
    page = html(Client().get(detail_url(duplicate)))
    assert f'href="{detail_url(target)}"' in page and "La bonne idée" in page


# --- Staff on the public page ---------------------------------------------------------------


def test_staff_answer_needs_a_text_and_only_allowed_states(resident, manager):
    proposal = ProposalFactory(author=resident)
    staff = login(manager)
    url = f"/idees/{proposal.pk}/moderation/etat/"
    response = staff.post(url, {"moderation-to_status": "rejected", "moderation-answer": ""})
    assert response.status_code == 200
    assert_error_tied_to(response, "moderation-answer")
    response = staff.post(url, {"moderation-to_status": "done", "moderation-answer": "Fini"})
    assert response.status_code == 200
    assert_error_tied_to(response, "moderation-to_status")
    proposal.refresh_from_db()
    assert proposal.status == Status.PUBLISHED
    # The choices offered are the lifecycle's.
    page = html(staff.get(detail_url(proposal)))
    offered = re.findall(r'<option value="([a-z_]+)"', page.split('id="regie-titre"')[1])
    assert offered == ["under_study", "accepted", "rejected"]
    staff.post(url, {"moderation-to_status": "accepted", "moderation-answer": "On le fait."})
    proposal.refresh_from_db()
    assert proposal.status == Status.ACCEPTED and proposal.last_answered_at


def test_staff_hide_restore_and_close_supports(resident, other_resident, manager):
    proposal = ProposalFactory(author=resident)
    staff, marcel = login(manager), login(other_resident)
    response = staff.post(f"/idees/{proposal.pk}/moderation/masquer/", {"hide-reason": ""})
    assert response.status_code == 200
    assert_error_tied_to(response, "hide-reason")
    staff.post(f"/idees/{proposal.pk}/moderation/masquer/", {"hide-reason": "Propos blessants"})
    proposal.refresh_from_db()
    assert proposal.is_hidden
    assert marcel.get(detail_url(proposal)).status_code == 404
    author_page = html(login(resident).get(detail_url(proposal)))
    assert "masquée par la modération" in author_page and "Propos blessants" in author_page
    staff.post(f"/idees/{proposal.pk}/moderation/afficher/", {"restore-reason": ""})
    proposal.refresh_from_db()
    assert not proposal.is_hidden

    staff.post(f"/idees/{proposal.pk}/moderation/soutiens/", {"open": "0"})
    proposal.refresh_from_db()
    assert not proposal.support_open
    response = marcel.post(f"/idees/{proposal.pk}/soutenir/")
    assert response.status_code == 403
    assert "ne peut pas (ou plus) être soutenue" in html(response)
    assert not Support.objects.exists()
    staff.post(f"/idees/{proposal.pk}/moderation/soutiens/", {"open": "1"})
    proposal.refresh_from_db()
    assert proposal.support_open


# --- List: filters, sorting, search, pagination, hostile values --------------------------------------


@pytest.fixture
def catalogue(resident, other_resident, theme):
    green = ThemeFactory(slug="espaces-verts", name="Espaces verts")
    bench = ProposalFactory(author=resident, title="Des bancs", theme=theme)
    trees = ProposalFactory(
        author=other_resident,
        title="Planter des arbres",
        description="Rue Voltaire, côté école.",
        theme=green,
        status=Status.UNDER_STUDY,
    )
    lights = ProposalFactory(author=resident, title="Éclairage du parking", theme=theme)
    ProposalFactory(author=resident, title="En attente", status=Status.SUBMITTED)
    ProposalFactory(author=resident, title="Masquée", is_hidden=True)
    for _ in range(2):
        Support.objects.create(proposal=trees, resident=UserFactory())
    Support.objects.create(proposal=lights, resident=UserFactory())
    Proposal.objects.filter(pk=bench.pk).update(last_answered_at=timezone.now())
    Proposal.objects.filter(pk=trees.pk).update(
        last_answered_at=timezone.now() - timedelta(days=3),
        published_at=timezone.now() - timedelta(days=5),
    )
    return {"bench": bench, "trees": trees, "lights": lights}


def test_list_shows_only_public_ideas_with_their_facts(client, catalogue):
    response = client.get(LIST_URL)
    page = html(response)
    assert sorted(listed_ids(response)) == sorted(p.pk for p in catalogue.values())
    assert "En attente" not in page and "Masquée" not in page
    card = page.split(f'data-proposal-id="{catalogue["trees"].pk}"')[1].split("</li>")[0]
    assert "Planter des arbres" in card and "Bel-Air" in card and "Espaces verts" in card
    assert "À l&#x27;étude" in card and "data-status-label" in card
    assert re.search(r"data-support-count>2<", card)
    assert 'aria-live="polite"' in page
    assert re.search(r'<script src="[^"]*proposals-live\.js" defer', page)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("quartier=bel-air", ["trees"]),
        ("quartier=les-tilleuls", ["lights", "bench"]),
        ("theme=espaces-verts", ["trees"]),
        ("etat=under_study", ["trees"]),
        ("q=voltaire", ["trees"]),
        ("q=PARKING", ["lights"]),
        ("tri=soutiens", ["trees", "lights", "bench"]),
        ("tri=reponses", ["bench", "trees", "lights"]),
        ("", ["lights", "bench", "trees"]),
    ],
)
def test_list_filters_search_and_sorts(client, catalogue, query, expected):
    response = client.get(f"{LIST_URL}?{query}")
    assert response.status_code == 200
    assert listed_ids(response) == [catalogue[name].pk for name in expected]


@pytest.mark.parametrize(
    "query",
    [
        "theme=inconnu",
        "quartier=%00%ff",
        "etat=refused",
        "etat=submitted",
        "tri=hack",
        "page=-1",
        "page=abc",
        "page=99999999999999999999999",
        "page=1e9",
        "q=" + "a" * 10_000,
        "q=%3Cscript%3Ealert(1)%3C/script%3E",
        "theme=proprete&theme=espaces-verts",
        "quartier[]=x&page[]=2",
    ],
)
def test_list_never_fails_on_hostile_values(client, catalogue, query):
    response = client.get(f"{LIST_URL}?{query}")
    assert response.status_code == 200
    page = html(response)
    assert "<script>alert(1)" not in page
    # Submitted or refused ideas never leak through a status filter.
    assert "En attente" not in page


def test_unknown_filter_is_ignored_with_a_message(client, catalogue):
    response = client.get(f"{LIST_URL}?theme=inconnu&quartier=bel-air")
    assert listed_ids(response) == [catalogue["trees"].pk]
    assert "ne sont pas reconnus" in html(response)
    assert_error_tied_to(response, "theme")


def test_pagination_is_clamped_and_keeps_the_filters(client, resident, theme):
    for n in range(45):
        ProposalFactory(author=resident, title=f"Idée {n:02d}", theme=theme)
    first = client.get(LIST_URL)
    assert len(listed_ids(first)) == 20
    assert "Page 1 sur 3" in html(first)
    last = client.get(f"{LIST_URL}?page=3")
    assert len(listed_ids(last)) == 5
    assert listed_ids(client.get(f"{LIST_URL}?page=999")) == listed_ids(last)
    assert listed_ids(client.get(f"{LIST_URL}?page=-1")) == listed_ids(first)
    filtered = html(client.get(f"{LIST_URL}?theme=proprete&q=id%C3%A9e"))
    assert 'href="?theme=proprete&amp;q=id%C3%A9e&amp;page=2"' in filtered


FILTERED = "?quartier=les-tilleuls&theme=proprete&etat=published&q=idée&tri=soutiens"


@pytest.mark.parametrize("query", ["", FILTERED, "?page=2"])
def test_list_runs_a_constant_number_of_queries(resident, other_resident, theme, query):
    def measure(client):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST_URL + query)
        assert response.status_code == 200
        assert listed_ids(response)
        return len(captured.captured_queries)

    def add(count):
        for _ in range(count):
            proposal = ProposalFactory(author=resident, theme=theme, title="Une idée")
            Support.objects.create(proposal=proposal, resident=other_resident)
            Comment.objects.create(proposal=proposal, author=other_resident, body="Oui")

    add(25 if query == "?page=2" else 5)
    Client().get(LIST_URL)  # warms the site navigation cache, as on a running site
    few_anonymous, few_logged = measure(Client()), measure(login(other_resident))
    add(25)
    many_anonymous, many_logged = measure(Client()), measure(login(other_resident))
    assert few_anonymous == many_anonymous <= 10
    assert few_logged == many_logged <= 10


def test_detail_runs_a_constant_number_of_queries(resident, other_resident):
    proposal = ProposalFactory(author=resident)

    def measure():
        client = login(other_resident)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(detail_url(proposal)).status_code == 200
        return len(captured.captured_queries)

    Comment.objects.create(proposal=proposal, author=resident, body="Un")
    measure()  # warms the site navigation cache, as on a running site
    few = measure()
    for n in range(10):
        parent = Comment.objects.create(proposal=proposal, author=resident, body=f"C{n}")
        Comment.objects.create(proposal=proposal, author=other_resident, body="R", parent=parent)
    assert measure() == few


# --- Escaping ---------------------------------------------------------------------------------


def test_html_and_script_are_rendered_inert(resident, other_resident):
    proposal = ProposalFactory(
        author=resident,
        title='<script>alert("titre")</script>',
        description=(
            "<b>gras</b> <img src=x onerror=alert(1)>\n"
            "javascript:alert(2) et https://example.org/plan?a=1&b=2"
        ),
    )
    login(other_resident).post(
        f"/idees/{proposal.pk}/commenter/",
        {"comment-body": '<a href="javascript:alert(3)">clic</a> javascript:alert(4)'},
    )
    for response in (Client().get(detail_url(proposal)), Client().get(LIST_URL)):
        page = html(response)
        assert '<script>alert("titre")' not in page
        assert "&lt;script&gt;alert(&quot;titre&quot;)&lt;/script&gt;" in page
    page = html(Client().get(detail_url(proposal)))
    assert "<b>gras</b>" not in page and "&lt;b&gt;gras&lt;/b&gt;" in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page.lower()
    assert "javascript:alert(2)" in page  # shown as text, not as a link
    assert '<a href="https://example.org/plan?a=1&amp;b=2" rel="nofollow">' in page
    assert "<br>" in page  # line breaks kept


# --- Live markup ------------------------------------------------------------------------------


def test_detail_page_carries_the_live_hooks(client, resident):
    proposal = ProposalFactory(author=resident)
    page = html(client.get(detail_url(proposal)))
    assert f'data-proposal-id="{proposal.pk}"' in page
    assert "data-support-count" in page and "data-status-label" in page
    assert 'id="proposals-live-status"' in page and 'aria-live="polite"' in page
    assert 'data-socket-path="/ws/idees/"' in page
    assert 'data-supportable="published under_study"' in page
    assert "proposals.css" in page


# --- Accessibility basics and hostile addresses -------------------------------------------------


class _Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.h1, self.landmarks = [], 0, set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "h1":
            self.h1 += 1
        if tag in {"main", "nav", "header", "footer"}:
            self.landmarks.add(tag)


@pytest.mark.parametrize("who", ["anonymous", "resident", "staff"])
def test_pages_have_one_title_unique_ids_and_labelled_fields(who, resident, manager, theme):
    proposal = ProposalFactory(author=resident, theme=theme, photo_alt="")
    parent = Comment.objects.create(proposal=proposal, author=resident, body="Un")
    Comment.objects.create(proposal=proposal, author=manager, body="Deux", parent=parent)
    client = {"anonymous": Client(), "resident": login(resident), "staff": login(manager)}[who]
    paths = [LIST_URL, detail_url(proposal)]
    if who != "anonymous":
        paths += [SUBMIT_URL, MINE_URL, NOTIFICATIONS_URL, f"/idees/{proposal.pk}/signaler/"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        structure = _Structure()
        structure.feed(html(response))
        assert structure.h1 == 1, path
        assert len(structure.ids) == len(set(structure.ids)), path
        assert {"main", "nav", "header", "footer"} <= structure.landmarks, path
        if controls(response).controls:
            assert_every_field_labelled(response)


@pytest.mark.parametrize(
    "path",
    [
        "/idees/99999999999999999999999/",
        "/idees/0/",
        "/idees/99999999999999999999999/soutenir/",
        "/idees/commentaires/99999999999999999999999/modifier/",
        "/idees/{pk}/commenter/?reponse-a=99999999999999999999999",
        "/idees/{pk}/commenter/?reponse-a=-3",
    ],
)
def test_hostile_addresses_are_not_found(resident, other_resident, path):
    proposal = ProposalFactory(author=resident)
    response = login(other_resident).get(path.format(pk=proposal.pk))
    if "reponse-a=-3" in path:  # not a comment id: the plain comment form
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("value", ["1e400", "NaN", "Infinity", "-0,0000001", "4" * 400])
def test_hostile_coordinates_never_fail(resident, theme, value):
    data = proposal_data(resident.neighbourhood, theme, latitude=value, longitude="1.5")
    response = login(resident).post(SUBMIT_URL, data)
    if response.status_code == 302:
        assert Proposal.objects.get().latitude == 0
    else:
        assert response.status_code == 200
        assert_error_tied_to(response, "address")
