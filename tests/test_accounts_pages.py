"""The account pages under /comptes/: French, in the site layout; e-mail login, no sign-up, POST logout."""

import pytest
from django.core import mail
from django.core.cache import cache

from fabrique.models import User
from tests import factories

pytestmark = pytest.mark.django_db

SITE_FOOTER = "© Avise — réseau Fabrique à initiatives"
PASSWORD = "fabrique-demo"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth counts failed logins in the cache, which outlives a run when it is Redis: start clean."""
    cache.clear()


@pytest.fixture
def demo_user():
    return factories.UserFactory(email="mathilde.lebreton@tag22.example.org")


def test_login_page_is_in_french_with_the_site_layout(client):
    response = client.get("/comptes/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "<title>Se connecter · Fabrique à initiatives</title>" in html
    assert "<h1>Se connecter</h1>" in html
    assert "Mot de passe" in html
    assert 'name="login"' in html and 'type="email"' in html
    assert SITE_FOOTER in html
    # Sign-up is closed: the page does not invite anyone to create an account.
    assert "/comptes/signup/" not in html


def test_demo_user_logs_in_with_email_and_password(client, demo_user):
    response = client.post("/comptes/login/", {"login": demo_user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(demo_user.pk)


def test_login_ignores_the_case_of_the_email(client, demo_user):
    response = client.post("/comptes/login/", {"login": demo_user.email.upper(), "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(demo_user.pk)


def test_wrong_password_gives_a_french_error_and_no_session(client, demo_user):
    response = client.post("/comptes/login/", {"login": demo_user.email, "password": "pas-le-bon"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in html
    assert SITE_FOOTER in html
    assert "_auth_user_id" not in client.session


def test_signup_page_says_signup_is_closed(client):
    response = client.get("/comptes/signup/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Inscription fermée</h1>" in html
    assert SITE_FOOTER in html
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_signup_post_creates_no_account(client):
    response = client.post(
        "/comptes/signup/",
        {
            "email": "intrus@example.org",
            "password1": "Un-mot-de-passe-long-42",
            "password2": "Un-mot-de-passe-long-42",
        },
    )

    assert response.status_code == 200
    assert "Inscription fermée" in response.content.decode()
    assert not User.objects.filter(email="intrus@example.org").exists()
    assert "_auth_user_id" not in client.session


def test_logout_by_post_logs_out(client, demo_user):
    client.force_login(demo_user)

    response = client.post("/comptes/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_logout_by_get_only_asks_for_confirmation(client, demo_user):
    client.force_login(demo_user)

    response = client.get("/comptes/logout/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Voulez-vous vraiment vous déconnecter ?" in html
    assert 'method="post" action="/comptes/logout/"' in html
    assert client.session["_auth_user_id"] == str(demo_user.pk)


def test_password_reset_request_page_is_in_french(client):
    response = client.get("/comptes/password/reset/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Mot de passe oublié</h1>" in html
    assert SITE_FOOTER in html


def test_password_reset_sends_a_link_then_confirms_in_french(client, demo_user):
    response = client.post("/comptes/password/reset/", {"email": demo_user.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    done = client.get(response["Location"])
    assert "Vérifiez votre messagerie" in done.content.decode()


def test_password_reset_from_key_sets_a_new_password(client, demo_user):
    client.post("/comptes/password/reset/", {"email": demo_user.email})
    link = next(word for word in mail.outbox[0].body.split() if "/comptes/password/reset/key/" in word)
    path = link.split("testserver", 1)[1]

    # allauth keeps the key in the session and redirects to a URL without it before showing the form.
    form_page = client.get(path, follow=True)
    assert "<h1>Nouveau mot de passe</h1>" in form_page.content.decode()
    action = form_page.redirect_chain[-1][0]
    new_password = "Nouveau-mot-de-passe-2026"
    done = client.post(action, {"password1": new_password, "password2": new_password}, follow=True)

    assert "Mot de passe modifié" in done.content.decode()
    demo_user.refresh_from_db()
    assert demo_user.check_password(new_password)


def test_password_reset_with_a_bad_key_says_the_link_is_invalid(client):
    response = client.get("/comptes/password/reset/key/1-pas-une-cle/")

    assert response.status_code == 200
    assert "<h1>Lien invalide</h1>" in response.content.decode()
