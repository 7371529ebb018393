import re

import pytest

from civic.accounts.models import User


@pytest.mark.django_db
def test_scratch(client, tilleuls, bel_air, mailoutbox, resident):
    r = client.post(
        "/comptes/signup/",
        {
            "email": "Zoe@Example.org",
            "display_name": "Zoé",
            "neighbourhood": tilleuls.pk,
            "password1": "un-mot-de-passe-solide-42",
            "password2": "un-mot-de-passe-solide-42",
        },
    )
    print(r.status_code, r.headers.get("Location"))
    print(User.objects.values_list("email", "preferred_language"))
    m = mailoutbox[0]
    print(m.subject, m.to, m.body, m.alternatives)
    r = client.get(r.headers["Location"])
    c = r.content.decode()
    print(c[c.index("<main") : c.index("</main>")])
    url = re.search(r"http://testserver(/\S+)", m.body).group(1)
    r = client.get(url)
    c = r.content.decode()
    print(c[c.index("<main") : c.index("</main>")])
    r = client.post(url)
    print(r.status_code, r.headers.get("Location"))
    r = client.post(
        "/comptes/signup/",
        {
            "email": "AMINA@example.org",
            "display_name": "Zoé",
            "neighbourhood": tilleuls.pk,
            "password1": "un-mot-de-passe-solide-42",
            "password2": "un-mot-de-passe-solide-42",
        },
    )
    print(r.status_code, r.headers.get("Location"))
    client.logout()
    r = client.post(
        "/comptes/signup/",
        {
            "email": "AMINA@example.org",
            "display_name": "Zoé",
            "neighbourhood": tilleuls.pk,
            "password1": "un-mot-de-passe-solide-42",
            "password2": "un-mot-de-passe-solide-42",
        },
    )
    print(r.status_code, r.headers.get("Location"))
    print(len(mailoutbox), mailoutbox[-1].subject, mailoutbox[-1].body)
    r = client.post("/comptes/password/reset/", {"email": "nobody@example.org"})
    print(r.status_code, r.headers.get("Location"))
    print(len(mailoutbox), mailoutbox[-1].subject, mailoutbox[-1].body)
    r = client.get("/admin/")
    print(r.status_code, r.headers.get("Location"))
    client.force_login(resident)
    r = client.get("/admin/")
    print(r.status_code, r.headers.get("Location"))
    r = client.get("/mon-compte/")
    c = r.content.decode()
    print(c[c.index("<main") : c.index("</main>")])
