"""CSV exports of console lists and work queues (issue 15, bulk actions).

Streamed row by row (a queue of any length never sits in memory), UTF-8 with a byte-order mark
so Excel opens Arabic text as Arabic, and every date in both calendars: a date column becomes
two, Hijri (Umm al-Qura, `1448-06-22`) and Gregorian (`2026-12-02`, with the Riyadh time for a
date-time), each sortable as text.

A ModelAdmin offers its list as CSV by naming `csv_columns` (ConsoleListMixin adds the
`export.csv` address beside its changelist, a link above the list and an action on the
selected rows); a work queue by naming `csv_columns` too (the HR home links each queue's export).
Rows are always read through the caller's entity-scoped queryset.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dates import local_date, to_hijri

BOM = "\ufeff"
CHUNK = 500
# A cell Excel would read as a formula (=, +, -, @ first) is written as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[object], object]
    date: bool = False  # written as two columns, Hijri then Gregorian


def hijri_text(value) -> str:
    if value is None:
        return ""
    hijri = to_hijri(local_date(value))
    return f"{hijri.year:04d}-{hijri.month:02d}-{hijri.day:02d}" if hijri else ""


def gregorian_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def header(columns: list[Column]) -> list[str]:
    titles = []
    for column in columns:
        if column.date:
            titles += [
                _("%(title)s (Hijri)") % {"title": column.title},
                _("%(title)s (Gregorian)") % {"title": column.title},
            ]
        else:
            titles.append(str(column.title))
    return titles


def row_cells(columns: list[Column], obj) -> list[str]:
    cells = []
    for column in columns:
        value = column.value(obj)
        if column.date:
            cells += [hijri_text(value), gregorian_text(value)]
        else:
            cells.append(_cell(value))
    return cells


class _Echo:
    def write(self, value):
        return value


def csv_response(*, filename: str, columns: list[Column], rows: Iterable) -> StreamingHttpResponse:
    """A streamed CSV download. `rows` is a queryset (read in chunks of CHUNK, one query per
    chunk on PostgreSQL, its select_related joined) or any iterable of objects."""
    writer = csv.writer(_Echo())
    if hasattr(rows, "iterator"):
        rows = rows.iterator(chunk_size=CHUNK)

    def lines():
        yield BOM + writer.writerow(header(columns))
        for obj in rows:
            yield writer.writerow(row_cells(columns, obj))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def date_column(title, attname: str) -> Column:
    return Column(title=title, value=lambda obj: getattr(obj, attname), date=True)


def field_column(model, name: str, *, title=None) -> Column:
    """A column for a model field: its verbose name, its choice label, both calendars for a
    date."""
    from django.db import models

    field = model._meta.get_field(name)
    if isinstance(field, models.DateField):
        return date_column(title or field.verbose_name, field.attname)
    if field.choices:
        label = f"get_{name}_display"
        return Column(title or field.verbose_name, lambda obj: getattr(obj, label)())
    return Column(title or field.verbose_name, lambda obj: getattr(obj, name))
