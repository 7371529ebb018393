import pytest


@pytest.mark.django_db
def test_home_page_lists_published_news_in_french(client, publish_news):
    publish_news(title="Grand nettoyage")
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr">' in content
    assert "Grand nettoyage" in content
    assert "Aller au contenu" in content
