"""The civil-registry look-up: which mobile the registry links to a national ID, and until when
the ID is valid.

The portal never trusts a number a registrant types: registration codes go only to the mobile
returned here. The backend is chosen by the CIVIL_REGISTRY_BACKEND setting (a dotted path to a
class with a `lookup(national_id)` method), so a real civil-registry client replaces the
simulated one without touching the callers. The default reads the employee record's
`registry_mobile` and `national_id_expiry`, which the ministry keeps from the registry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class RegistryRecord:
    national_id: str
    mobile: str  # E.164, or "" when the registry links no mobile to the ID
    id_expiry: dt.date | None  # None: the registry gave no date

    def id_expired(self, *, on: dt.date | None = None) -> bool:
        return self.id_expiry is not None and self.id_expiry < (on or timezone.localdate())


class EmployeeRegistryBackend:
    """The simulated registry: the data the ministry copied onto the employee record."""

    def lookup(self, national_id: str) -> RegistryRecord | None:
        from .models import Employee

        row = (
            Employee.objects.filter(national_id=national_id)
            .values("registry_mobile", "national_id_expiry")
            .first()
        )
        if row is None:
            return None
        return RegistryRecord(national_id, row["registry_mobile"], row["national_id_expiry"])


@lru_cache(maxsize=4)
def _backend(path: str):
    return import_string(path)()


def lookup(national_id: str) -> RegistryRecord | None:
    """The registry's record for this ID, or None when the registry does not know it."""
    return _backend(settings.CIVIL_REGISTRY_BACKEND).lookup(national_id)
