"""Values apps declare as `TextChoices` and register from their `AppConfig.ready()`, each with
a translated label: audit actions (core.audit) and notification kinds (core.notifications).
The code that writes a value refuses one nobody registered; lists show the label."""

from __future__ import annotations

from django.db import models


class Registered:
    def __init__(self):
        self._labels: dict[str, object] = {}

    def register(self, *enumerations: type[models.TextChoices]) -> None:
        """Make these values known (registering twice is harmless)."""
        for enumeration in enumerations:
            for value, label in enumeration.choices:
                self._labels[value] = label

    def add(self, value: str, label) -> None:
        """One value whose text is built rather than declared."""
        self._labels[value] = label

    def __contains__(self, value) -> bool:
        return str(value) in self._labels

    def as_dict(self) -> dict[str, object]:
        return dict(self._labels)

    def label(self, value) -> str:
        """The value in words, in the current language (the value itself if unknown: rows
        written before the enumeration, or by an app since removed)."""
        label = self._labels.get(str(value))
        return str(label) if label is not None else str(value)
