"""The API's write throttle (api.throttling.WriteRateThrottle): per user, writes only, a JSON
429 in the API's error shape with Retry-After."""

import pytest
import time_machine
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient

from api.throttling import WriteRateThrottle
from tests.factories import ProposalFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The throttle's history lives in the cache: no test inherits another's writes.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _low_rate(settings):
    settings.API_WRITE_THROTTLE_RATE = "3/min"


def api_as(user):
    client = APIClient()
    client.force_login(user)
    return client


def support_url(proposal):
    return f"/api/proposals/{proposal.pk}/support/"


def test_writes_past_the_rate_get_a_json_429_with_retry_after(resident, other_resident):
    proposal = ProposalFactory(author=other_resident)
    client = api_as(resident)
    for method in ("put", "delete", "put"):
        assert getattr(client, method)(support_url(proposal)).status_code == 200
    response = client.delete(support_url(proposal))
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "throttled"
    assert body["error"]["message"]
    assert body["error"]["details"] is None
    assert 0 < int(response["Retry-After"]) <= 60
    # Nothing was written by the refused request.
    assert proposal.supports.filter(resident=resident).exists()


def test_reads_are_never_throttled(resident, other_resident):
    proposal = ProposalFactory(author=other_resident)
    client = api_as(resident)
    for _ in range(3):
        client.put(support_url(proposal))
    assert client.put(support_url(proposal)).status_code == 429
    for _ in range(10):
        assert client.get(f"/api/proposals/{proposal.pk}/").status_code == 200
        assert client.get("/api/proposals/").status_code == 200


def test_each_resident_has_their_own_allowance(resident, other_resident, editor):
    proposal = ProposalFactory(author=editor)
    first, second = api_as(resident), api_as(other_resident)
    for _ in range(3):
        first.put(support_url(proposal))
    assert first.put(support_url(proposal)).status_code == 429
    assert second.put(support_url(proposal)).status_code == 200


def test_writes_are_allowed_again_after_the_window(resident, other_resident):
    proposal = ProposalFactory(author=other_resident)
    client = api_as(resident)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            client.put(support_url(proposal))
        assert client.put(support_url(proposal)).status_code == 429
    with time_machine.travel(start + timezone.timedelta(seconds=61), tick=False):
        assert client.put(support_url(proposal)).status_code == 200


def anonymous_request(method, **meta):
    from django.contrib.auth.models import AnonymousUser

    request = Request(getattr(RequestFactory(), method)("/api/x/", **meta))
    request.user = AnonymousUser()
    return request


def test_anonymous_writes_count_per_ip_and_a_forged_forwarded_for_changes_nothing():
    throttle = WriteRateThrottle()
    key = throttle.get_cache_key(
        anonymous_request("post", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="10.9.9.9"),
        view=None,
    )
    assert key == "throttle_writes_ip-192.0.2.10"
    assert throttle.get_cache_key(anonymous_request("get"), view=None) is None


def test_the_rate_comes_from_the_settings(settings):
    settings.API_WRITE_THROTTLE_RATE = "7/hour"
    throttle = WriteRateThrottle()
    assert (throttle.num_requests, throttle.duration) == (7, 3600)
