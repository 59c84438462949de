"""Console lists that stay fast at a million rows (HR console and ministry admin alike).

Django admin's changelist, left alone, counts every matching row twice (`COUNT(*)`), pages with
`OFFSET` (the database reads and throws away every row before the page), and builds a filter
for a field without choices from `SELECT DISTINCT` over the whole table. `ConsoleListMixin`
(added to every registration of both admin sites by `ConsoleSiteMixin`, so every model of
every service has it) replaces the three:

- **counts**: `EstimatedCountPaginator` counts at most `EXACT_COUNT_LIMIT` rows
  (`COUNT(*)` over a `LIMIT`ed subquery); beyond that it shows the planner's estimate on
  PostgreSQL ("about N") and "more than N" elsewhere. No full count is ever run
  (`show_full_result_count = False`).
- **pages**: `KeysetChangeList` pages by the list's ordering columns plus the primary key
  ("seek" pagination: `WHERE (ordering columns) after (the last row's values) ... LIMIT n`),
  with next/previous links carrying the boundary row's values (`?after=` / `?before=`). Page
  numbers (`?p=`) remain for the first `OFFSET_PAGES` pages only. An ordering the seek cannot
  follow (a related or nullable column picked by clicking a header) falls back to offset
  pages, still capped.
- **filters**: a list filter on a plain field without choices becomes a typed-value box
  (`ValueFilter`) instead of a list built by scanning the table.
- **search**: each search field is asked on its own and the keys found combined
  (`search_by_probes`), so each query uses that field's index; "=field" in `search_fields` is
  an identifier matched exactly. Django ORs every field in one query, which reads the whole
  table. `tests/test_console_lists.py` checks that every search field of a large table is
  exact and indexed.

And two things every list shows the same way (issue 15):

- **dates**: a date or date-time column of `list_display` is shown in both calendars, Hijri
  first, then Gregorian (and the time, for a date-time), by `dual_calendar` -- whatever the
  ModelAdmin wrote, so a new model's list needs nothing to get it.
- **counts**: "3 تظلمات", not "3 التظلمات": a ModelAdmin may name its rows with
  `count_noun = ngettext_lazy("%(count)s grievance", "%(count)s grievances", "count")` (the
  six Arabic plural forms); without one the count reads "التظلمات: 3".

And the Python every page pays, kept small (issue 16): the rows are written column by column
(`console_rows`, through `{% console_result_list %}`: Django's HTML, each per-cell decision that
does not depend on the row taken once per column), and the sidebar's app list is kept a minute
per user and language in the process (`ConsoleSiteMixin.get_app_list`; navigation only, every
view checks its own permission), its HTML shared by everyone whose sidebar reads the same
(`sidebar_key`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import threading
import time
from collections import OrderedDict

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ShowFacets
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    items_for_result,
    result_headers,
    result_list,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import (
    EmptyResultSet,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    ValidationError,
)
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP
from django.template.defaultfilters import urlencode as urlencode_filter
from django.urls import NoReverseMatch, get_script_prefix
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .dates import format_gregorian, format_hijri

AFTER_VAR = "after"
BEFORE_VAR = "before"
KEYSET_PARAMS = (AFTER_VAR, BEFORE_VAR)
# Pages reachable by number (OFFSET at most (OFFSET_PAGES - 1) * per page); deeper is by seek.
OFFSET_PAGES = 5
# Up to this many matching rows are counted exactly (a bounded count); more are estimated.
EXACT_COUNT_LIMIT = 1000
# A planner estimate this many times the limit is taken as "more than the limit" uncounted.
# Not more: for an estimate a few times the limit, PostgreSQL expects to find the limit's rows
# early and counts them by scanning the table, which took 88 ms when the matches were sparser
# than it thought (a common family name at 1M employees: estimated 6,672, found 9,904).
CERTAINLY_MORE = 2
# Rows a page, for a ModelAdmin that keeps Django's 100. A specialist finds a person or a
# decision by search (one row) or works through a filtered set; 50 rows are about two screens,
# as the grievance, job-audit and Bayan queues already show; every row at once is the CSV
# export. Rendering a row is most of a list's Python time, so this halves it.
PER_PAGE = 50


# --- Counting ---------------------------------------------------------------------------------


def planner_estimate(queryset) -> int | None:
    """The PostgreSQL planner's row estimate for the queryset (EXPLAIN, no execution)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # e.g. pk__in=[]: a search that found nobody
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


KNOWN_COUNT = "console_known_count"


def with_known_count(queryset, count: int):
    """`queryset` marked as holding exactly `count` rows: a search that has fetched its
    matches' keys knows how many there are, and the list's paginator takes that instead of
    asking the planner and counting again (10 of a two-word name search's 33 ms of SQL at 1M
    employees). A count above EXACT_COUNT_LIMIT means "more than the limit". The mark rides
    on the query, so it survives the ordering a changelist adds; it is only for the last
    filter a changelist applies, its search."""
    marked = queryset.all()
    setattr(marked.query, KNOWN_COUNT, count)
    return marked


# --- Search -------------------------------------------------------------------------------------


def _search_lookup(field_name: str) -> tuple[str, bool]:
    """(lookup, exact) of a `search_fields` entry, read as Django's admin reads it, except that
    "=field" is an identifier matched exactly (as typed, then in capitals), so its index
    serves it: Django's "=" is `UPPER(field) = UPPER(term)`, which no plain index serves."""
    if field_name.startswith("="):
        return field_name[1:], True
    if field_name.startswith("^"):
        return f"{field_name[1:]}__istartswith", False
    if LOOKUP_SEP in field_name and field_name.rsplit(LOOKUP_SEP, 1)[1] in ("exact", "iexact"):
        return field_name, True
    return f"{field_name}__icontains", False


def _candidates(lookups, word: str):
    """(lookup, value) pairs a word is looked for as: an exact field as typed and in capitals
    (a document code, a request number typed in small letters)."""
    for lookup, exact in lookups:
        for value in dict.fromkeys((word, word.upper()) if exact else (word,)):
            yield lookup, value


def _matching(queryset, lookup: str, value: str):
    try:
        return queryset.filter(**{lookup: value})
    except (ValidationError, ValueError, TypeError):
        return None  # a term that cannot be this field's value (a word for a number)


def search_by_probes(queryset, term: str, search_fields) -> tuple:
    """Django admin's search, one field at a time: each word must appear in one of the
    fields, as in Django, but each field is asked on its own, so each query can use that
    field's index, and the keys found are combined. Django asks
    `field1 LIKE … OR other_table.field2 LIKE …` in one query, which no index serves, so the
    whole table was read: 0.8-3.9 s for the audit log or the issued documents at 1M
    employees. A word matching more than EXACT_COUNT_LIMIT rows is searched as Django does,
    in one query and uncounted: walking the list in its order finds a page of a common word
    early. Returns (queryset, may have duplicates), as `ModelAdmin.get_search_results`."""
    words = term.split()
    if not words:
        return queryset, False
    lookups = [_search_lookup(field) for field in search_fields]
    keys: set | None = None
    for word in words:
        found: set = set()
        for lookup, value in _candidates(lookups, word):
            rows = _matching(queryset, lookup, value)
            if rows is not None:
                found.update(rows.order_by().values_list("pk", flat=True)[: EXACT_COUNT_LIMIT + 1])
            if len(found) > EXACT_COUNT_LIMIT:
                return _in_one_query(queryset, words, lookups), False
        keys = found if keys is None else keys & found
    return with_known_count(queryset.filter(pk__in=keys), len(keys)), False


def _in_one_query(queryset, words, lookups):
    condition = Q()
    for word in words:
        either = Q()
        for lookup, value in _candidates(lookups, word):
            if _matching(queryset, lookup, value) is not None:
                either |= Q(**{lookup: value})
        if not either:
            return queryset.none()
        condition &= either
    return with_known_count(queryset.filter(condition), EXACT_COUNT_LIMIT + 1)


class EstimatedCountPaginator(Paginator):
    """`count` without counting a large table: exact up to EXACT_COUNT_LIMIT rows (a count over
    a LIMITed subquery), else the planner's estimate (PostgreSQL) or EXACT_COUNT_LIMIT + 1.
    `count_is_exact` tells the template whether to say "about"/"more than"."""

    count_is_exact = True
    count_is_estimate = False

    @cached_property
    def count(self):
        limit = EXACT_COUNT_LIMIT
        known = getattr(self.object_list.query, KNOWN_COUNT, None)
        if known is not None and known <= limit:
            return known
        if known is not None:  # a search that stopped past the limit: "more than", uncounted
            self.count_is_exact = False
            return limit + 1
        estimate = planner_estimate(self.object_list)  # None on SQLite
        # Far above the limit, the bounded count would only confirm it: skipped (it read
        # 3,000 rows of a trigram bitmap, 100 ms, for a common family name at 1M employees).
        if estimate is None or estimate <= CERTAINLY_MORE * limit:
            # Only the keys: a list's annotations (e.g. the open findings of each position, a
            # subquery a row) are not worked out for up to a thousand rows just to count them.
            bounded = self.object_list.order_by().values("pk")[: limit + 1].count()
            if bounded <= limit:
                return bounded
        self.count_is_exact = False
        self.count_is_estimate = estimate is not None
        return max(estimate or 0, limit + 1)


# --- Seek pagination --------------------------------------------------------------------------


class _CursorEncoder(DjangoJSONEncoder):
    """Times in full: Django's encoder cuts microseconds to milliseconds, and a cursor a few
    microseconds short of its row would bring that row (and its ties) back on the next page."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def _encode(values: list) -> str:
    raw = json.dumps(values, cls=_CursorEncoder, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str) -> list | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return values if isinstance(values, list) else None


def keyset_columns(
    model, ordering, *, not_null: tuple[str, ...] = ()
) -> list[tuple[str, bool, models.Field]] | None:
    """[(attname, descending, field)] for an ordering the seek can follow: local, concrete,
    non-null columns (a foreign key by its id column), ending with the primary key (added, in
    the last column's direction, after an ordering Django already found total: it breaks no
    tie). None otherwise (a related or nullable column, an expression). A nullable column named
    in `not_null` counts as non-null: the list's queryset leaves its nulls out."""
    columns = []
    for item in ordering:
        if not isinstance(item, str):
            return None
        descending = item.startswith("-")
        name = item.lstrip("-+")
        if LOOKUP_SEP in name:
            return None
        if name == "pk":
            field = model._meta.pk
        else:
            try:
                field = model._meta.get_field(name)
            except Exception:
                return None
        nullable = field.null and name not in not_null
        if not getattr(field, "concrete", False) or nullable or field.many_to_many:
            return None
        if field.is_relation and field.related_model is not None and name != field.attname:
            # Ordering by a foreign key follows the related model's ordering: a join.
            return None
        if any(column[0] == field.attname for column in columns):
            continue  # ordered twice (the admin appends the queryset's own ordering)
        columns.append((field.attname, descending, field))
        if field.primary_key:
            return columns
    if not columns:
        return None
    pk = model._meta.pk
    return [*columns, (pk.attname, columns[-1][1], pk)]


def seek_filter(columns, values, *, forward: bool) -> Q:
    """Rows strictly after (forward) or before the row whose ordering values are `values`, as
    `c1 >= v1 AND (c1 > v1 OR (c2 >= v2 AND (c2 > v2 OR ...)))` (for ascending columns): the
    leading bound is a plain range an index walk starts from, on every database."""
    condition = None
    for (name, descending, _field), value in reversed(list(zip(columns, values, strict=True))):
        later = descending == forward  # True: the rows sought have smaller values
        strict = Q(**{f"{name}__{'lt' if later else 'gt'}": value})
        if condition is None:
            condition = strict
        else:
            condition = Q(**{f"{name}__{'lte' if later else 'gte'}": value}) & (strict | condition)
    return condition


class KeysetPage:
    """What the pagination template needs for a seek page."""

    def __init__(self, *, previous_url, next_url, first_url):
        self.previous_url = previous_url
        self.next_url = next_url
        self.first_url = first_url


class KeysetChangeList(ChangeList):
    def __init__(self, request, *args, **kwargs):
        self.after = request.GET.get(AFTER_VAR)
        self.before = request.GET.get(BEFORE_VAR)
        super().__init__(request, *args, **kwargs)

    def _get_deterministic_ordering(self, ordering):
        # Django looks for a unique constraint covering the ordering in the listed model's own
        # Meta, and a proxy's (the job-audit inventory's positions) declares none: it would add
        # "-pk" to an ordering that is already total, and no index gives that order.
        listed = self.lookup_opts
        self.lookup_opts = listed.concrete_model._meta
        try:
            return super()._get_deterministic_ordering(ordering)
        finally:
            self.lookup_opts = listed

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        for name in KEYSET_PARAMS:
            lookup_params.pop(name, None)
        return lookup_params

    def get_query_string(self, new_params=None, remove=None):
        # Links that change the filter, search or ordering start again from the first page.
        new_params = dict(new_params or {})
        if not any(name in new_params for name in KEYSET_PARAMS):
            new_params.update(dict.fromkeys(KEYSET_PARAMS))
        return super().get_query_string(new_params, remove)

    def _page_url(self, **cursor):
        params = {**{name: None for name in KEYSET_PARAMS}, "p": None, **cursor}
        return super().get_query_string(params)

    def get_results(self, request):
        from django.contrib.admin.options import IncorrectLookupParameters

        ordering = list(self.queryset.query.order_by)
        self.keyset_columns = keyset_columns(
            self.model, ordering, not_null=tuple(getattr(self.model_admin, "seek_not_null", ()))
        )
        cursor_token = self.after or self.before
        if self.keyset_columns is None or self.show_all:
            # An ordering the seek cannot follow (a nullable or related column): Django's
            # numbered pages, with the bounded/estimated count.
            if cursor_token:
                raise IncorrectLookupParameters
            self.keyset = None
            return super().get_results(request)
        if self.page_num > OFFSET_PAGES or self.page_num < 1:
            raise IncorrectLookupParameters
        paginator = self.model_admin.get_paginator(request, self.queryset, self.list_per_page)
        per_page = self.list_per_page
        queryset = self.queryset
        if cursor_token:
            values = _decode(cursor_token)
            if values is None or len(values) != len(self.keyset_columns):
                raise IncorrectLookupParameters
            try:
                values = [
                    field.to_python(value)
                    for (_name, _desc, field), value in zip(
                        self.keyset_columns, values, strict=True
                    )
                ]
            except Exception as error:
                raise IncorrectLookupParameters from error
            forward = self.after is not None
            queryset = queryset.filter(seek_filter(self.keyset_columns, values, forward=forward))
            if not forward:
                queryset = queryset.reverse()
            page = queryset[:per_page]
            rows = list(queryset[: per_page + 1])
            more = len(rows) > per_page
            rows = rows[:per_page]
            if not forward:
                rows.reverse()
            has_next = forward and more or not forward
            has_previous = not forward and more or forward
        else:
            offset = (self.page_num - 1) * per_page
            page = queryset[offset : offset + per_page]
            rows = list(queryset[offset : offset + per_page + 1])
            has_next = len(rows) > per_page
            rows = rows[:per_page]
            has_previous = self.page_num > 1
        self.keyset = KeysetPage(
            previous_url=self._page_url(before=self._cursor(rows[0]))
            if rows and has_previous
            else None,
            next_url=self._page_url(after=self._cursor(rows[-1])) if rows and has_next else None,
            first_url=self._page_url() if has_previous else None,
        )
        # The count shown beside the pages: bounded, then estimated (never a full COUNT(*)).
        self.result_count = paginator.count
        self.show_full_result_count = False
        self.show_admin_actions = True
        self.full_result_count = None
        # A queryset (as Django's changelist has) holding the rows already read: one query.
        page._result_cache = rows
        self.result_list = page
        self.can_show_all = self.result_count <= self.list_max_show_all and paginator.count_is_exact
        self.multi_page = has_next or has_previous
        self.paginator = paginator

    @property
    def count_words(self) -> str:
        """The count beside the pages, in words (count_text)."""
        paginator = getattr(self, "paginator", None)
        return count_text(
            self.model_admin,
            self.result_count,
            exact=getattr(paginator, "count_is_exact", True),
            estimate=getattr(paginator, "count_is_estimate", False),
        )

    def _cursor(self, row) -> str:
        return _encode([getattr(row, name) for name, _desc, _field in self.keyset_columns])

    def url_for_result(self, result):
        """The row's change link, reversed once per page rather than once per row (100
        reverse() calls were about 4 ms of a page). An integer primary key is all digits, so
        writing it where the 0 of the URL reversed for pk 0 stood is what reverse() gives; any
        other key, or a URL without a "/0/" segment, is reversed row by row as before."""
        pk = getattr(result, self.pk_attname)
        if type(pk) is not int:
            return super().url_for_result(result)
        if "_result_url" not in self.__dict__:
            head, zero, tail = super().url_for_result(_PkZero()).rpartition("/0/")
            self._result_url = (f"{head}/", f"/{tail}") if zero else None
        if self._result_url is None:
            return super().url_for_result(result)
        head, tail = self._result_url
        return f"{head}{pk}{tail}"


class _PkZero:
    """A stand-in row whose every attribute (its primary key) is 0."""

    def __getattr__(self, name):
        return 0


# --- Filters that do not scan -----------------------------------------------------------------


class ValueFilter(admin.FieldListFilter):
    """A typed value (`?rank=7`) for a field without choices: no `SELECT DISTINCT` scan."""

    template = "admin/console_lists/value_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg = f"{field_path}__exact"
        super().__init__(field, request, params, model, model_admin, field_path)
        value = self.used_parameters.get(self.lookup_kwarg)
        self.lookup_val = value[-1] if isinstance(value, list) else value

    def has_output(self):
        return True

    def expected_parameters(self):
        return [self.lookup_kwarg]

    def choices(self, changelist):
        hidden = [
            (key, value)
            for key, value in changelist.params.items()
            if key != self.lookup_kwarg and key not in KEYSET_PARAMS and key != "p"
        ]
        yield {
            "selected": self.lookup_val is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg]),
            "display": _("All"),
            "hidden": hidden,
            "name": self.lookup_kwarg,
            "value": self.lookup_val or "",
        }


def _scans_for_choices(model, name) -> bool:
    """A list filter Django would build from SELECT DISTINCT over the table."""
    try:
        field = model._meta.get_field(name)
    except Exception:
        return False
    if field.is_relation or field.choices:
        return False
    return not isinstance(field, models.BooleanField | models.DateField | models.DateTimeField)


# --- Dates in both calendars, counts in words ----------------------------------------------


def dual_calendar(value):
    """A date (or date-time) for a console cell: Hijri, then Gregorian, then the time in
    Riyadh for a date-time. None stays None (the admin's empty-value mark).

    Memoised per (day, time, language), as core.dates.dual_date is: a page of 100 rows with
    two date columns formatted 200 dates in two calendars; most of them repeat (the same
    decision date, the same hiring day), and each distinct one is formatted once per process.
    The catalogues and month names only change on restart."""
    if value is None or value == "":
        return None
    if not isinstance(value, dt.date):
        return value
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return _dual_calendar(local.date(), formats.time_format(local, "H:i"), get_language())
    return _dual_calendar(value, "", get_language())


@functools.lru_cache(maxsize=8192)
def _dual_calendar(value: dt.date, time: str, language: str | None):
    hijri = format_hijri(value)
    if not hijri:  # outside the Umm al-Qura table: Gregorian alone is all there is
        return format_html('<span class="dual-date">{}</span>', format_gregorian(value))
    if time:
        return format_html(
            '<span class="dual-date"><span>{}</span> <span class="dual-date-greg">{}</span> '
            '<span class="dual-date-time">{}</span></span>',
            hijri,
            format_gregorian(value),
            time,
        )
    return format_html(
        '<span class="dual-date"><span>{}</span> <span class="dual-date-greg">{}</span></span>',
        hijri,
        format_gregorian(value),
    )


@functools.lru_cache(maxsize=16)
def _checkbox_label(language: str | None) -> str:
    return gettext("Select this object for an action - {}")


def _date_field(model, name):
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    return field if isinstance(field, models.DateField) else None  # DateTimeField included


def dual_calendar_column(field):
    """A list_display column showing `field` in both calendars, titled and sorted as the
    field itself would be."""

    def column(obj):
        return dual_calendar(getattr(obj, field.attname))

    column.short_description = field.verbose_name
    column.admin_order_field = field.name
    column.__name__ = field.name
    column.dual_calendar_of = field.name
    return column


def count_text(model_admin, count: int, *, exact: bool = True, estimate: bool = False) -> str:
    """The changelist's count in words: "3 تظلمات" with the admin's `count_noun`, else
    "التظلمات: 3"; an estimate or a floor always in the second form ("التظلمات: نحو 1000")."""
    plural = getattr(model_admin, "plural_name", None)
    plural = plural or model_admin.model._meta.verbose_name_plural
    noun = getattr(model_admin, "count_noun", None)
    number = formats.number_format(count)
    if exact and noun is not None:
        # ngettext_lazy(..., "count") picks the plural form from the mapping's "count".
        return noun % {"count": count}
    if exact:
        amount = number
    elif estimate:
        amount = gettext("about %(count)s") % {"count": number}
    else:
        amount = gettext("more than %(count)s") % {"count": number}
    return gettext("%(items)s: %(count)s") % {"items": plural, "count": amount}


def _searches_in_its_own_way(admin_class) -> bool:
    for klass in admin_class.__mro__:
        if klass is not ConsoleListMixin and "get_search_results" in vars(klass):
            return not klass.__module__.startswith("django.")
    return False


class ConsoleListMixin:
    """Mixed into every console ModelAdmin (by ConsoleSiteMixin.register)."""

    show_full_result_count = False

    def action_checkbox(self, obj):
        """Django's row checkbox, written out: the same markup as its CheckboxInput renders,
        without a form-widget template render per row (a third of the ministry employees
        page's time, 100 rows)."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_checkbox_label(get_language()), str(obj)),
        )

    # A ModelAdmin may name `seek_not_null`: nullable columns of its ordering that its
    # `get_queryset` filters to non-null, so the seek may follow them (a queue ordered by its
    # due date, rows without one left out). Not set here: this mixin comes first in the MRO.
    show_facets = ShowFacets.NEVER  # facet counts are one COUNT per filter choice
    paginator = EstimatedCountPaginator
    # (no count_noun here: this mixin comes first in the MRO and would hide the admin's own)

    def get_list_display(self, request):
        """Date and date-time fields in both calendars (dual_calendar_column), everywhere."""
        editable = set(self.list_editable or ())
        columns = []
        for item in super().get_list_display(request):
            field = (
                _date_field(self.model, item)
                if isinstance(item, str) and item not in editable
                else None
            )
            columns.append(dual_calendar_column(field) if field is not None else item)
        return columns

    def get_list_display_links(self, request, list_display):
        links = super().get_list_display_links(request, list_display)
        if not links:
            return links
        by_name = {
            getattr(column, "dual_calendar_of", None): column
            for column in list_display
            if callable(column)
        }
        return [by_name.get(link, link) if isinstance(link, str) else link for link in links]

    def get_changelist(self, request, **kwargs):
        return KeysetChangeList

    def get_search_results(self, request, queryset, search_term):
        """`search_by_probes`, unless the admin searches in its own way (employees by name,
        records by national ID or decision number)."""
        if _searches_in_its_own_way(type(self)):
            return super().get_search_results(request, queryset, search_term)
        return search_by_probes(queryset, search_term, self.get_search_fields(request))

    # --- CSV (core.console_csv): `csv_columns` on the admin turns it on -----------------------

    def get_csv_columns(self, request):
        return getattr(self, "csv_columns", None)

    def get_urls(self):
        urls = super().get_urls()
        if getattr(self, "csv_columns", None) is None:
            return urls
        from django.urls import path

        name = f"{self.opts.app_label}_{self.opts.model_name}_export_csv"
        view = self.admin_site.admin_view(self.export_csv_view)
        return [path("export.csv", view, name=name), *urls]

    def export_csv_view(self, request):
        """The list as filtered, searched and ordered on screen (every page of it), in the
        specialist's entity only (the admin's own queryset)."""
        from django.contrib.admin.options import IncorrectLookupParameters
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import redirect

        from .console_csv import csv_response

        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            site, opts = self.admin_site.name, self.opts
            return redirect(f"{site}:{opts.app_label}_{opts.model_name}_changelist")
        return csv_response(
            filename=f"{self.opts.model_name}.csv",
            columns=self.get_csv_columns(request),
            rows=changelist.get_queryset(request),
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if getattr(self, "csv_columns", None) is not None:
            actions["export_selected_csv"] = (
                ConsoleListMixin.export_selected_csv,
                "export_selected_csv",
                _("Export the selected rows to CSV"),
            )
        return actions

    def export_selected_csv(self, request, queryset):
        from .console_csv import csv_response

        return csv_response(
            filename=f"{self.opts.model_name}.csv",
            columns=self.get_csv_columns(request),
            rows=queryset,
        )

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The date drill-down's years come from SELECT DISTINCT over the whole table; a
        # `?at__year=` lookup still filters.
        changelist.date_hierarchy = None
        return changelist

    def get_list_filter(self, request):
        return tuple(
            (item, ValueFilter)
            if isinstance(item, str) and _scans_for_choices(self.model, item)
            else item
            for item in super().get_list_filter(request)
        )

    def get_ordering(self, request):
        # A foreign key in the default ordering sorts by its id column (an index), not by the
        # related model's ordering (a join and a sort of every row).
        ordering = super().get_ordering(request) or self.model._meta.ordering or ()
        return tuple(_fk_to_attname(self.model, item) for item in ordering)


def _fk_to_attname(model, item):
    if not isinstance(item, str):
        return item
    descending = item.startswith("-")
    name = item.lstrip("-")
    try:
        field = model._meta.get_field(name)
    except Exception:
        return item
    if field.many_to_one and field.concrete:
        return ("-" if descending else "") + field.attname
    return item


def app_rank(app_label: str) -> tuple[int, int]:
    """Where an app stands on a console's index: the portal's own apps first, in the order of
    INSTALLED_APPS (work before plumbing), then Django's, then the simulators, then any other
    third-party app (the OAuth toolkit the Nafath simulator runs on) last."""
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings

    config = apps.get_app_config(app_label)
    order = [c.label for c in apps.get_app_configs()].index(app_label)
    project = Path(config.path).is_relative_to(Path(settings.BASE_DIR)) and ".venv" not in (
        Path(config.path).parts
    )
    if project and not app_label.endswith("_sim"):
        group = 0
    elif config.name.startswith("django."):
        group = 1
    elif project:
        group = 2
    else:
        group = 3
    return group, order


# --- Rows built column by column (the {% console_result_list %} tag) ---------------------------


class ConsoleRow(ResultList):
    """A row of the list: its cells (as Django's ResultList holds them) and, in `html`, the
    cells joined, so the template writes a row with one variable instead of a loop."""

    html = ""


class _Column:
    """What items_for_result works out for every cell of a column, worked out once a page."""

    __slots__ = (
        "name",
        "field",
        "attr",
        "kind",
        "empty",
        "boolean",
        "classes",
        "error_classes",
        "link",
        "tag",
        "remote_object",
    )


def _plan_columns(cl) -> list[_Column]:
    """items_for_result's per-cell decisions, per column: how the value is found (a field, a
    callable, a ModelAdmin method, or anything else, left to lookup_field), the empty-value
    mark, whether it is a boolean icon, its CSS classes, and whether it links to the row."""
    model_admin = cl.model_admin
    page_empty = model_admin.get_empty_value_display()
    links = cl.list_display_links
    first = True
    columns = []
    for index, name in enumerate(cl.list_display):
        column = _Column()
        column.name = name
        column.field = None
        column.attr = None
        column.remote_object = False
        try:
            column.field = _get_non_gfk_field(cl.model._meta, name)
            column.kind = "field"
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            if callable(name):
                column.kind, column.attr = "callable", name
            elif hasattr(model_admin, name) and name != "__str__":
                column.kind, column.attr = "admin", getattr(model_admin, name)
            else:
                column.kind = "other"  # a model attribute or a__b path: lookup_field per cell
                column.attr = getattr(cl.model, name, None) if hasattr(cl.model, name) else None
        field = column.field
        column.empty = getattr(column.attr, "empty_value_display", page_empty)
        if field is None or field.auto_created:
            attr = column.attr
            column.boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                column.boolean = getattr(attr.fget, "boolean", False)
            classes = [f"field-{_coerce_field_name(name, index)}"]
            if name == "action_checkbox":
                classes = ["action-checkbox"]
        else:
            column.boolean = False
            column.remote_object = isinstance(field.remote_field, models.ManyToOneRel)
            classes = [f"field-{_coerce_field_name(name, index)}"]
            if isinstance(field, models.DateField | models.TimeField | models.ForeignKey):
                classes.append("nowrap")
        column.classes = " ".join(classes)
        # A related row gone (ObjectDoesNotExist): Django writes only the field's class.
        column.error_classes = f"field-{_coerce_field_name(name, index)}"
        if links is None:
            column.link = False
        elif first and not links:
            column.link = True
        else:
            column.link = name in links
        column.tag = "th" if column.link and first else "td"
        if column.link:
            first = False
        columns.append(column)
    return columns


def _link_maker(cl):
    """The change link of a row, as items_for_result writes it (the change URL with the list's
    filters preserved), made by writing the primary key into a link built once a page when the
    changelist's URLs are KeysetChangeList's (an integer key in a "/<pk>/" segment);
    otherwise built row by row, Django's way. NoReverseMatch (no change view) is the caller's."""
    context = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
    pk_attname = cl.pk_attname

    def slow(result):
        return add_preserved_filters(context, cl.url_for_result(result))

    if type(cl).url_for_result is not KeysetChangeList.url_for_result:
        return slow
    try:
        zero_url = cl.url_for_result(_PkZero())
    except NoReverseMatch:
        return slow
    head, zero, tail = zero_url.rpartition("/0/")
    preserved = add_preserved_filters(context, zero_url)
    if not zero or "?" in zero_url or "#" in zero_url or not preserved.startswith(zero_url):
        return slow
    head, tail = f"{head}/", f"/{tail}{preserved[len(zero_url) :]}"

    def fast(result):
        pk = getattr(result, pk_attname)
        if type(pk) is not int:
            return slow(result)
        return f"{head}{pk}{tail}"

    return fast


def _cell_value(column, result, model_admin):
    """(attr, value) as lookup_field finds them, for a planned column."""
    kind = column.kind
    if kind == "field":
        return None, getattr(result, column.name)
    if kind == "callable" or kind == "admin":
        return column.attr, column.attr(result)
    _field, attr, value = lookup_field(column.name, result, model_admin)
    return attr, value


def console_rows(cl) -> list[ConsoleRow]:
    """The rows of items_for_result (no list_editable form), the same HTML cell for cell,
    with every decision that does not depend on the row taken once per column."""
    columns = _plan_columns(cl)
    model_admin = cl.model_admin
    page_empty = model_admin.get_empty_value_display()
    link_url = _link_maker(cl) if any(column.link for column in columns) else None
    popup_attr = str(cl.to_field) if cl.to_field else cl.lookup_opts.pk.attname
    rows = []
    for result in cl.result_list:
        if type(result) is not cl.model:  # a proxy or subclass row: Django's own code
            rows.append(_row(list(items_for_result(cl, result, None))))
            continue
        cells = []
        for column in columns:
            classes = column.classes
            field = column.field
            try:
                attr, value = _cell_value(column, result, model_admin)
            except ObjectDoesNotExist:
                result_repr = page_empty
                classes = column.error_classes
            else:
                empty = column.empty
                if column.kind == "other":
                    empty = getattr(attr, "empty_value_display", page_empty)
                if isinstance(value, str) and value.strip() == "":
                    value = ""
                if field is None or field.auto_created:
                    boolean = column.boolean
                    if column.kind == "other":
                        boolean = getattr(attr, "boolean", False)
                        if isinstance(attr, property) and hasattr(attr, "fget"):
                            boolean = getattr(attr.fget, "boolean", False)
                    result_repr = display_for_value(value, empty, boolean)
                    if isinstance(value, dt.date | dt.time):
                        classes = f"{classes} nowrap"
                elif column.remote_object:
                    result_repr = getattr(result, field.name)
                    if result_repr is None:
                        result_repr = empty
                else:
                    result_repr = display_for_field(value, field, empty, avoid_link=column.link)
            if column.link:
                tag = column.tag
                try:
                    url = link_url(result)
                except NoReverseMatch:
                    link_or_text = conditional_escape(result_repr)
                else:
                    opener = ""
                    if cl.is_popup:
                        opener = format_html(
                            ' data-popup-opener="{}"', result.serializable_value(popup_attr)
                        )
                    link_or_text = (
                        f'<a href="{escape(url)}"{opener}>{conditional_escape(result_repr)}</a>'
                    )
                cells.append(_cell(tag, classes, link_or_text))
            else:
                cells.append(_cell("td", classes, conditional_escape(result_repr)))
        rows.append(_row(cells))
    return rows


def _cell(tag: str, classes: str, inner: str) -> SafeString:
    """format_html("<{}{}>{}</{}>", ...) as items_for_result writes a cell, with `inner`
    already escaped (conditional_escape, as format_html would) and `classes` made of field
    names, which Django writes unescaped too (mark_safe)."""
    return SafeString(f'<{tag} class="{classes}">{inner}</{tag}>')


def _row(cells: list) -> ConsoleRow:
    row = ConsoleRow(None, cells)
    row.html = SafeString("".join(cells))  # every cell is a SafeString
    return row


def console_result_list(cl) -> dict:
    """Django's result_list context (headers, hidden fields, rows), its rows from console_rows;
    a list with list_editable forms is Django's own."""
    if cl.formset:
        return result_list(cl)
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": console_rows(cl),
    }


# --- The sidebar's app list, kept a minute per user (ConsoleSiteMixin.get_app_list) -----------

APP_LIST_TTL = 60  # seconds
APP_LIST_MAX_ENTRIES = 2048  # users x languages; the oldest go first


class TTLCache:
    """A small process-local map whose entries expire after `ttl` seconds; at most `size`
    entries (least recently set dropped first). Thread-safe: gunicorn threads share it."""

    def __init__(self, *, ttl: float, size: int):
        self.ttl = ttl
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, value = entry
            if expires <= now:
                del self._entries[key]
                return None
            return value

    def set(self, key, value) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


app_list_cache = TTLCache(ttl=APP_LIST_TTL, size=APP_LIST_MAX_ENTRIES)


# The sidebar as written (templates/admin/nav_sidebar.html), by what it is written from.
sidebar_cache = TTLCache(ttl=3600, size=1024)


def sidebar_key(available_apps, path: str) -> tuple:
    """Everything admin/nav_sidebar.html and admin/app_list.html read, as a key: the language,
    each app's and model's label, name and URLs, and which of those URLs the page's (quoted)
    path contains (the "current" marks). Two requests with the same key get the same HTML,
    whoever makes them, so the written sidebar can be shared."""
    quoted = urlencode_filter(path)

    def current(url) -> bool:
        return isinstance(url, str) and url in quoted

    return (
        get_language(),
        tuple(
            (
                app.get("app_label"),
                app.get("app_url"),
                str(app.get("name")),
                current(app.get("app_url")),
                tuple(
                    (
                        model.get("object_name"),
                        str(model.get("name")),
                        model.get("admin_url"),
                        model.get("add_url"),
                        model.get("view_only"),
                        current(model.get("admin_url")),
                    )
                    for model in app.get("models", ())
                ),
            )
            for app in available_apps or ()
        ),
    )


class ConsoleSiteMixin:
    """Mixed into both admin sites: every ModelAdmin registered on them, of every app, gets the
    console lists (ConsoleListMixin) without having to remember it; the index lists the
    portal's own apps first (app_rank)."""

    def name_app(self, app_label: str, name, models: dict) -> None:
        """Show a third-party app (which ships no Arabic) under names given by the app that
        uses it: `models` maps model_name -> plural name."""
        if not hasattr(self, "_app_names"):
            self._app_names = {}
        self._app_names[app_label] = (name, models)

    def get_app_list(self, request, app_label=None):
        """The site's apps and models this user may reach, for the sidebar and the index.

        The whole list (no `app_label`) is kept per (site, user, language, script prefix) for
        APP_LIST_TTL seconds in this process (app_list_cache): building it asks every
        registered ModelAdmin for its permissions and reverses two URLs per model (a sixth of
        a console list's time, with the catalogue's query behind the job-audit entry). It is
        navigation only: every view it links to checks the permission again, so a list up to
        a minute old can at worst show a link that answers 403 or miss one a fresh grant
        opened. What is kept is the apps' and models' names, labels, URLs and permission
        flags -- nothing of the request -- and never shared between two users or languages.
        One app's page (`app_label`, Django's app_index, which answers 404 from it) is
        worked out afresh every time."""
        user = getattr(request, "user", None)
        pk = getattr(user, "pk", None)
        if pk is None or app_label is not None:
            return self._build_app_list(request, app_label)
        key = (self.name, pk, get_language(), get_script_prefix())
        app_list = app_list_cache.get(key)
        if app_list is None:
            app_list = self._build_app_list(request)
            app_list_cache.set(key, app_list)
        # Copies, so a caller that edits its list cannot change the next request's.
        return [{**app, "models": [dict(model) for model in app["models"]]} for app in app_list]

    def _build_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            name, models = getattr(self, "_app_names", {}).get(app["app_label"], (None, {}))
            if name is not None:
                app["name"] = name
                for model in app["models"]:
                    model["name"] = models.get(model["object_name"].lower(), model["name"])
        return sorted(app_list, key=lambda app: app_rank(app["app_label"]))

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ConsoleListMixin):
            own = {}
            if admin_class.list_per_page == admin.ModelAdmin.list_per_page:
                own["list_per_page"] = PER_PAGE  # Django's default: ours (PER_PAGE)
            admin_class = type(admin_class.__name__, (ConsoleListMixin, admin_class), own)
        return super().register(model_or_iterable, admin_class, **options)
