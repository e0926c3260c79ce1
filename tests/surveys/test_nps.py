"""NPS campaigns: one mail per customer with an e-mail address, a 0-10 answer, the score."""

import pytest
from django.core import mail
from django.utils import timezone

from surveys import services
from surveys.models import NpsCampaign, NpsResponse
from surveys.selectors import nps
from tests.factories import CustomerFactory, IdentityFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def audience(customer_dana, customer_eve):
    """dana and eve are invited; otto opted out, phil has only a phone number."""
    IdentityFactory(customer=CustomerFactory(name="Otto"), address="otto@example.org", opted_out_at=timezone.now())
    IdentityFactory(customer=CustomerFactory(name="Phil"), kind="phone", address="+14155550101")
    return [customer_dana, customer_eve]


def launch(campaign, django_capture_on_commit_callbacks) -> bool:
    with django_capture_on_commit_callbacks(execute=True):
        return services.launch_nps_campaign(campaign_id=campaign.pk)


def test_campaign_mails_each_customer_with_an_email_once_in_batches(
    audience, admin_ada, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "NPS_BATCH_SIZE", 1)  # two batches, one after the other
    campaign = NpsCampaign.objects.create(name="Q3", created_by=admin_ada)

    assert launch(campaign, django_capture_on_commit_callbacks)
    assert not launch(campaign, django_capture_on_commit_callbacks)  # sent already

    assert sorted(m.to[0] for m in mail.outbox) == ["dana@example.org", "eve@example.org"]
    for sent in mail.outbox:
        response = NpsResponse.objects.get(address=sent.to[0])
        assert f"http://127.0.0.1:8000/nps/{response.token}/" in sent.body
        assert response.sent_at is not None
        assert sent.subject == campaign.question


def test_campaign_for_an_organization_reaches_only_its_customers(
    audience, admin_ada, django_capture_on_commit_callbacks
):
    org = OrganizationFactory()
    audience[0].organization = org
    audience[0].save()
    campaign = NpsCampaign.objects.create(name="Acme", organization=org, created_by=admin_ada)

    launch(campaign, django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [["dana@example.org"]]


def test_answers_and_score(client, audience, admin_ada, django_capture_on_commit_callbacks):
    campaign = NpsCampaign.objects.create(name="Q3", created_by=admin_ada)
    launch(campaign, django_capture_on_commit_callbacks)
    dana, eve = (NpsResponse.objects.get(customer=c) for c in audience)
    assert nps(campaign) == {"promoters": 0, "passives": 0, "detractors": 0, "score": None}

    page = client.get(f"/nps/{dana.token}/")
    assert page.status_code == 200
    assert campaign.question.encode() in page.content
    assert client.post(f"/nps/{dana.token}/", {"score": "10", "comment": "Great"}).status_code == 302
    client.post(f"/nps/{eve.token}/", {"score": "6"})
    client.post(f"/nps/{eve.token}/", {"score": "11"})  # off the scale: the 6 stays

    dana.refresh_from_db()
    assert (dana.score, dana.comment) == (10, "Great")
    assert nps(campaign) == {"promoters": 1, "passives": 0, "detractors": 1, "score": 0}
    NpsResponse.objects.filter(pk=eve.pk).update(score=8)
    assert nps(campaign) == {"promoters": 1, "passives": 1, "detractors": 0, "score": 50}
    assert client.get("/nps/not-a-token/").status_code == 404


def test_admin_sends_a_campaign_and_cannot_edit_answers(
    client, audience, admin_ada, django_capture_on_commit_callbacks
):
    client.force_login(admin_ada)
    campaign = NpsCampaign.objects.create(name="Q3", created_by=admin_ada)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/surveys/npscampaign/", {"action": "send_campaign", "_selected_action": [campaign.pk]}, follow=True
        )

    assert len(mail.outbox) == 2
    response = NpsResponse.objects.first()
    page = client.get(f"/admin/surveys/npsresponse/{response.pk}/change/")
    assert page.status_code == 200
    assert b'name="score"' not in page.content  # read-only
