import factory
from factory.django import DjangoModelFactory

from accounts.models import HRProfile, ServiceGrant, User
from core.catalogue import ServiceCode
from core.hr_admin import HR_GROUP, STRONG_SIGN_IN_USER_KEY
from employment_records.tests.factories import EmployeeFactory, national_id_from

PASSWORD = "Masar@2026test"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        # UserFactory(with_employee=True): an account linked to an employee record.
        with_employee = factory.Trait(
            linked_employee=factory.RelatedFactory(
                EmployeeFactory,
                factory_related_name="user",
                national_id=factory.SelfAttribute("..username"),
            )
        )

    username = factory.Sequence(lambda n: national_id_from(n + 90000))
    mobile = factory.Sequence(lambda n: f"+96655{n % 10000000:07d}")
    email = factory.Sequence(lambda n: f"person{n}@example.sa")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


def grant_all(employee, services=None) -> list[ServiceGrant]:
    return [
        ServiceGrant.objects.create(employee=employee, service=code, entity=employee.entity)
        for code in (services or ServiceCode.values)
    ]


def make_hr_specialist(entity, **kwargs) -> User:
    from django.contrib.auth.models import Group

    from core.hr_admin import sync_role_groups

    sync_role_groups()
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=HR_GROUP))
    HRProfile.objects.create(user=user, entity=entity)
    return user


def sign_in_verified(client, user) -> None:
    """Sign `user` in on the test client as after password + SMS code: the session is
    OTP-verified, which /admin/ and /hr/ require (core.hr_admin.has_strong_sign_in)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import SmsDevice

    device, _created = SmsDevice.objects.get_or_create(user=user, defaults={"name": "mobile"})
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["auth_method"] = "password_otp"
    session[STRONG_SIGN_IN_USER_KEY] = str(user.pk)
    session.save()


def sign_in_with_nafath(client, user) -> None:
    """Sign `user` in on the test client as after a Nafath sign-in."""
    client.force_login(user)
    session = client.session
    session["auth_method"] = "nafath"
    session[STRONG_SIGN_IN_USER_KEY] = str(user.pk)
    session.save()
