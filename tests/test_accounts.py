import pytest


@pytest.mark.django_db
def test_scratch(client, tilleuls, bel_air):
    for url in ["/comptes/signup/", "/comptes/login/", "/comptes/password/reset/"]:
        r = client.get(url)
        print("=====", url, r.status_code)
        c = r.content.decode()
        print(c[c.index("<main"):c.index("</main>")])
    r = client.post("/comptes/signup/", {"email": "bad", "display_name": "", "neighbourhood": "999", "password1": "a", "password2": "b"})
    c = r.content.decode()
    print(c[c.index("<main"):c.index("</main>")])
