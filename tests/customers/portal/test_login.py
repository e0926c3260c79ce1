import time
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from customers.portal import services
from helpdesk.models import User
from helpdesk.roles import Role
from tests.customers.portal.conftest import link_path
from tests.factories import IdentityFactory

pytestmark = pytest.mark.django_db


def test_magic_link_signs_in_once(client, customer_dana):
    response = client.post(reverse("portal:login"), {"email": "Dana@Example.org"})
    assert response.status_code == 302 and response.url == reverse("portal:login-sent")
    assert [m.to for m in mail.outbox] == [["dana@example.org"]]
    path = link_path()

    # Opening the link (or a mail scanner prefetching it) only shows a button.
    page = client.get(path)
    assert page.status_code == 200 and "dana@example.org" in page.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post(path)
    assert response.status_code == 302 and response.url == reverse("portal:requests")
    assert int(client.session["_auth_user_id"]) == customer_dana.user.pk
    assert client.get(reverse("portal:requests")).status_code == 200

    # The link is spent: another browser cannot use it again.
    client.logout()
    assert client.get(path).status_code == 400
    assert client.post(path).status_code == 400
    assert "_auth_user_id" not in client.session


def test_first_use_creates_the_portal_user(client):
    identity = IdentityFactory(address="new@example.org", customer__name="Nora New")
    client.post(reverse("portal:login"), {"email": "new@example.org"})
    client.post(link_path())

    identity.customer.refresh_from_db()
    user = identity.customer.user
    assert user is not None and user.role == Role.CUSTOMER and not user.has_usable_password()
    assert (user.email, user.first_name) == ("new@example.org", "Nora New")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_link_expires_after_fifteen_minutes(client, customer_dana):
    identity = customer_dana.identities.get()
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 16 * 60):
        old = services.make_login_token(identity)
    fresh = services.make_login_token(identity)

    assert client.post(reverse("portal:login-link", args=[old])).status_code == 400
    assert "_auth_user_id" not in client.session
    assert client.post(reverse("portal:login-link", args=[fresh])).status_code == 302


def test_a_tampered_link_is_refused(client, customer_dana):
    token = services.make_login_token(customer_dana.identities.get())
    assert client.post(reverse("portal:login-link", args=[token[:-2] + "xx"])).status_code == 400
    assert client.get(reverse("portal:login-link", args=["garbage"])).status_code == 400


def test_unknown_and_known_addresses_get_the_same_answer(client, customer_dana):
    known = client.post(reverse("portal:login"), {"email": "dana@example.org"}, follow=True)
    unknown = client.post(reverse("portal:login"), {"email": "nobody@example.org"}, follow=True)

    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    assert "If we know this address" in unknown.content.decode()
    assert len(mail.outbox) == 1


def test_staff_get_no_link(client, agent_alice):
    IdentityFactory(customer__user=agent_alice, address="alice@example.org")
    client.post(reverse("portal:login"), {"email": "alice@example.org"})
    assert mail.outbox == []


def test_links_are_rate_limited_per_address(client, customer_dana):
    for _ in range(services.ATTEMPTS_PER_ADDRESS):
        assert client.post(reverse("portal:login"), {"email": "dana@example.org"}).status_code == 302
    response = client.post(reverse("portal:login"), {"email": "dana@example.org"})
    assert response.status_code == 429 and "Too many" in response.content.decode()
    assert len(mail.outbox) == services.ATTEMPTS_PER_ADDRESS
    # Unknown addresses are counted the same way, so the limit reveals nothing either.
    for _ in range(services.ATTEMPTS_PER_ADDRESS):
        client.post(reverse("portal:login"), {"email": "nobody@example.org"})
    assert client.post(reverse("portal:login"), {"email": "nobody@example.org"}).status_code == 429


def test_links_are_rate_limited_per_ip(client, customer_dana):
    for n in range(services.ATTEMPTS_PER_IP):
        client.post(reverse("portal:login"), {"email": f"walker{n}@example.org"})
    assert client.post(reverse("portal:login"), {"email": "dana@example.org"}).status_code == 429
    assert mail.outbox == []
    other_network = client.post(reverse("portal:login"), {"email": "dana@example.org"}, REMOTE_ADDR="10.0.0.9")
    assert other_network.status_code == 302 and len(mail.outbox) == 1


def test_password_sign_in_after_setting_one(client, customer_dana):
    client.force_login(customer_dana.user)
    new = "correct horse battery 7"
    response = client.post(reverse("portal:set-password"), {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    client.logout()

    wrong = client.post(reverse("portal:password-login"), {"email": "dana@example.org", "password": "nope"})
    assert wrong.status_code == 400 and "_auth_user_id" not in client.session
    right = client.post(reverse("portal:password-login"), {"email": "dana@example.org", "password": new})
    assert right.status_code == 302 and right.url == reverse("portal:requests")
    assert int(client.session["_auth_user_id"]) == customer_dana.user.pk


def test_staff_password_is_refused_in_the_portal(client, agent_alice):
    IdentityFactory(customer__user=agent_alice, address="alice@example.org")
    data = {"email": "alice@example.org", "password": "pw-for-tests-1"}
    assert client.post(reverse("portal:password-login"), data).status_code == 400
    assert "_auth_user_id" not in client.session


def test_anonymous_visitors_go_to_the_sign_in_and_staff_to_the_agent_ui(client, agent_alice, customer_dana):
    response = client.get(reverse("portal:requests"))
    assert response.status_code == 302 and response.url.startswith(reverse("portal:login"))
    client.force_login(agent_alice)
    for name in ("portal:requests", "portal:profile", "portal:new-request", "portal:login"):
        assert client.get(reverse(name)).url == reverse("tickets:queue")


def test_a_login_without_customer_is_signed_out(client):
    user = User.objects.create_user(username="orphan", role=Role.CUSTOMER)
    client.force_login(user)
    assert client.get(reverse("portal:requests")).url == reverse("portal:login")
    assert "_auth_user_id" not in client.session
