"""Sign-out confirms that the person has signed out (issue 15), on both sign-out paths."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["accounts:logout", "oidc:logout"])
def test_the_page_after_sign_out_confirms_it(client, url_name):
    client.force_login(UserFactory(with_employee=True))
    response = client.post(reverse(url_name), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200
    assert "You have signed out of Masar." in text
    assert "_auth_user_id" not in client.session
    arabic = UserFactory(with_employee=True)
    client.force_login(arabic)
    response = client.post(reverse(url_name), follow=True, HTTP_ACCEPT_LANGUAGE="ar")
    assert "سجّلت الخروج من مسار" in response.content.decode()
