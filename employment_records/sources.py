"""Where a record entry came from when a service wrote it (EmploymentAction.source).

A service that writes into the record (a promotion round's publication) names its decision
"<kind>:<id>" and registers the kind here from its AppConfig.ready(), with a label and a link
to the decision. The record page then says where the entry came from and links to it, without
employment_records importing the service (the service stands on the record, not the other way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionSource:
    kind: str
    label: str  # lazy: translated when shown
    url_of: Callable[[int], str] | None = None


_SOURCES: dict[str, ActionSource] = {}


def register_source(source: ActionSource) -> None:
    _SOURCES[source.kind] = source


def source_key(kind: str, pk: int) -> str:
    if kind not in _SOURCES:
        raise KeyError(f"record source {kind!r} is not registered")
    return f"{kind}:{pk}"


@dataclass(frozen=True)
class SourceInfo:
    label: str
    url: str


def describe(source: str) -> SourceInfo | None:
    """The label and link of a stored source; None for HR's own entries."""
    if not source:
        return None
    kind, _sep, pk = source.partition(":")
    known = _SOURCES.get(kind)
    if known is None or not pk.isdigit():
        return None
    return SourceInfo(label=str(known.label), url=known.url_of(int(pk)) if known.url_of else "")
