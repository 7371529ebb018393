"""Publishing news through Wagtail's admin: editors write and submit, managers approve.

Everything goes through the admin views with the test client, as staff would use them.
"""

import pytest
from django.urls import reverse
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.blocks import BaseStreamBlock
from cms.models import NewsPage

pytestmark = pytest.mark.django_db

PARAGRAPH_FEATURES = BaseStreamBlock.base_blocks["paragraph"].features


def news_form(title="Fête des voisins", slug="fete-des-voisins", **extra):
    """POST data of the NewsPage admin form, as the browser sends it."""
    data = nested_form_data(
        {
            "title": title,
            "slug": slug,
            "date": "2026-06-12",
            "lead": "Repas partagé dans la cour de l'école, chacun apporte un plat.",
            "neighbourhood": "",
            "image": "",
            "image_alt": "",
            "seo_title": "",
            "search_description": "",
            "go_live_at": "",
            "expire_at": "",
            "body": streamfield(
                [
                    ("heading", {"text": "Programme", "level": "h2"}),
                    (
                        "paragraph",
                        rich_text("<p>Rendez-vous à <b>19 h</b>.</p>", features=PARAGRAPH_FEATURES),
                    ),
                ]
            ),
        }
    )
    data.update(extra)
    return data


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=("cms", "newspage", parent.pk))


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def approve_url(page, task_state, action="approve"):
    return reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))


def current_task_state(page):
    state = WorkflowState.objects.for_instance(page).get(status=WorkflowState.STATUS_IN_PROGRESS)
    return state.current_task_state


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def image(db):
    return Image.objects.create(title="Square", file=get_test_image_file())


@pytest.fixture
def submitted(client, editor, news_index):
    """An article that the editor wrote and submitted for moderation in the admin."""
    client.force_login(editor)
    response = client.post(add_url(news_index), news_form(**{"action-submit": "Soumettre"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    return NewsPage.objects.get(slug="fete-des-voisins")


# --- Editors ----------------------------------------------------------------------------------


def test_editor_can_open_the_admin_and_the_add_form(client, editor, news_index):
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200
    response = client.get(add_url(news_index))
    assert response.status_code == 200
    assert 'name="action-submit"' in response.content.decode()
    # Editors cannot publish: the admin does not offer it.
    assert 'name="action-publish"' not in response.content.decode()


def test_submitted_article_waits_for_moderation(client, submitted, editor):
    assert submitted.live is False
    assert submitted.has_unpublished_changes
    assert submitted.workflow_in_progress
    state = WorkflowState.objects.for_instance(submitted).get()
    assert state.requested_by == editor
    assert state.current_task_state.task.name == "Moderators approval"

    revision = submitted.latest_revision.as_object()
    assert revision.lead.startswith("Repas partagé")
    assert [block.block_type for block in revision.body] == ["heading", "paragraph"]

    # Visitors see nothing of it yet.
    assert client.get("/actualites/fete-des-voisins/").status_code == 404
    assert "Fête des voisins" not in client.get("/").content.decode()
    assert "Fête des voisins" not in client.get("/api/news/").content.decode()


def test_editor_cannot_publish_when_creating(client, editor, news_index):
    client.force_login(editor)
    response = client.post(add_url(news_index), news_form(**{"action-publish": "Publier"}))
    assert response.status_code in (302, 403)
    page = NewsPage.objects.filter(slug="fete-des-voisins").first()
    assert page is None or not page.live
    assert client.get("/actualites/fete-des-voisins/").status_code == 404


def test_editor_cannot_publish_when_editing(client, editor, submitted):
    client.force_login(editor)
    response = client.post(
        edit_url(submitted),
        news_form(title="Fête des voisins (modifiée)", **{"action-publish": "Publier"}),
    )
    assert response.status_code in (200, 302, 403)
    submitted.refresh_from_db()
    assert not submitted.live
    assert client.get("/actualites/fete-des-voisins/").status_code == 404


def test_editor_cannot_approve_their_own_article(client, editor, submitted):
    client.force_login(editor)
    task_state = current_task_state(submitted)
    response = client.post(approve_url(submitted, task_state), {"comment": ""})
    assert response.status_code in (302, 403)
    submitted.refresh_from_db()
    assert not submitted.live
    assert submitted.workflow_in_progress


def test_image_block_without_alt_text_is_refused_in_the_admin(client, editor, news_index, image):
    client.force_login(editor)
    data = news_form(**{"action-submit": "Soumettre"})
    data.update(
        nested_form_data(
            {
                "body": streamfield(
                    [("image", {"image": str(image.pk), "alt_text": "", "caption": ""})]
                )
            }
        )
    )
    response = client.post(add_url(news_index), data)
    assert response.status_code == 200
    (error,) = response.context["form"].errors.as_data()["body"]
    assert "alt_text" in error.block_errors[0].block_errors
    assert not NewsPage.objects.filter(slug="fete-des-voisins").exists()


def test_main_image_without_alt_text_is_refused_in_the_admin(client, editor, news_index, image):
    client.force_login(editor)
    data = news_form(image=str(image.pk), image_alt="", **{"action-submit": "Soumettre"})
    response = client.post(add_url(news_index), data)
    assert response.status_code == 200
    assert response.context["form"].errors["image_alt"] == [
        "Décrivez l'image : le texte alternatif est obligatoire."
    ]
    assert not NewsPage.objects.filter(slug="fete-des-voisins").exists()


# --- Managers ---------------------------------------------------------------------------------


def test_manager_approval_publishes_the_article(client, manager, submitted):
    client.force_login(manager)
    task_state = current_task_state(submitted)
    response = client.post(approve_url(submitted, task_state), {"comment": "Parfait."})
    assert response.status_code == 302

    submitted.refresh_from_db()
    assert submitted.live
    assert not submitted.has_unpublished_changes
    assert not submitted.workflow_in_progress
    state = WorkflowState.objects.for_instance(submitted).get()
    assert state.status == WorkflowState.STATUS_APPROVED

    client.logout()
    home = client.get("/").content.decode()
    assert "Fête des voisins" in home
    page = client.get("/actualites/fete-des-voisins/")
    assert page.status_code == 200
    assert "<b>19 h</b>" in page.content.decode()
    assert [item["title"] for item in client.get("/api/news/").json()["results"]] == [
        "Fête des voisins"
    ]


def test_manager_rejection_keeps_the_article_offline(client, manager, submitted):
    client.force_login(manager)
    task_state = current_task_state(submitted)
    response = client.post(
        approve_url(submitted, task_state, action="reject"), {"comment": "Ajoutez l'horaire."}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert not submitted.live
    assert WorkflowState.objects.for_instance(submitted).get().status == (
        WorkflowState.STATUS_NEEDS_CHANGES
    )
    client.logout()
    assert client.get("/actualites/fete-des-voisins/").status_code == 404


def test_manager_can_publish_directly(client, manager, news_index):
    client.force_login(manager)
    response = client.post(add_url(news_index), news_form(**{"action-publish": "Publier"}))
    assert response.status_code == 302
    assert NewsPage.objects.get(slug="fete-des-voisins").live


# --- Everyone else ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [None, "resident", "partner"])
def test_residents_partners_and_visitors_have_no_admin_access(
    client, request, persona, news_index, submitted
):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    urls = [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{news_index.pk}/",
        add_url(news_index),
        edit_url(submitted),
        "/admin/images/",
        "/admin/users/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert not response["Location"].startswith("/admin/pages"), url

    response = client.post(add_url(news_index), news_form(slug="intrusion", title="Intrusion"))
    assert response.status_code in (302, 403)
    assert not NewsPage.objects.filter(slug="intrusion").exists()

    task_state = current_task_state(submitted)
    response = client.post(approve_url(submitted, task_state), {"comment": ""})
    assert response.status_code in (302, 403)
    submitted.refresh_from_db()
    assert not submitted.live
