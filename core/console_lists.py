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
"""

from __future__ import annotations

import base64
import binascii
import json

from django.contrib import admin
from django.contrib.admin.options import ShowFacets
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models
from django.db.models import Q
from django.db.models.constants import LOOKUP_SEP
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

AFTER_VAR = "after"
BEFORE_VAR = "before"
KEYSET_PARAMS = (AFTER_VAR, BEFORE_VAR)
# Pages reachable by number (OFFSET at most (OFFSET_PAGES - 1) * per page); deeper is by seek.
OFFSET_PAGES = 5
# Up to this many matching rows are counted exactly (a bounded count); more are estimated.
EXACT_COUNT_LIMIT = 1000
# A planner estimate this many times the limit is taken as "more than the limit" uncounted.
CERTAINLY_MORE = 10


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


class EstimatedCountPaginator(Paginator):
    """`count` without counting a large table: exact up to EXACT_COUNT_LIMIT rows (a count over
    a LIMITed subquery), else the planner's estimate (PostgreSQL) or EXACT_COUNT_LIMIT + 1.
    `count_is_exact` tells the template whether to say "about"/"more than"."""

    count_is_exact = True
    count_is_estimate = False

    @cached_property
    def count(self):
        limit = EXACT_COUNT_LIMIT
        estimate = planner_estimate(self.object_list)  # None on SQLite
        # Far above the limit, the bounded count would only confirm it: skipped (it read
        # 3,000 rows of a trigram bitmap, 100 ms, for a common family name at 1M employees).
        if estimate is None or estimate <= CERTAINLY_MORE * limit:
            bounded = self.object_list.order_by()[: limit + 1].count()
            if bounded <= limit:
                return bounded
        self.count_is_exact = False
        self.count_is_estimate = estimate is not None
        return max(estimate or 0, limit + 1)


# --- Seek pagination --------------------------------------------------------------------------


def _encode(values: list) -> str:
    raw = json.dumps(values, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str) -> list | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return values if isinstance(values, list) else None


def keyset_columns(model, ordering) -> list[tuple[str, bool, models.Field]] | None:
    """[(attname, descending, field)] for an ordering the seek can follow: local, concrete,
    non-null columns (a foreign key by its id column), ending with the primary key (added, in
    the last column's direction, after an ordering Django already found total: it breaks no
    tie). None otherwise (a related or nullable column, an expression)."""
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
        if not getattr(field, "concrete", False) or field.null or field.many_to_many:
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
        self.keyset_columns = keyset_columns(self.model, ordering)
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

    def _cursor(self, row) -> str:
        return _encode([getattr(row, name) for name, _desc, _field in self.keyset_columns])


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


class ConsoleListMixin:
    """Mixed into every console ModelAdmin (by ConsoleSiteMixin.register)."""

    show_full_result_count = False
    show_facets = ShowFacets.NEVER  # facet counts are one COUNT per filter choice
    paginator = EstimatedCountPaginator

    def get_changelist(self, request, **kwargs):
        return KeysetChangeList

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


class ConsoleSiteMixin:
    """Mixed into both admin sites: every ModelAdmin registered on them, of every app, gets the
    console lists (ConsoleListMixin) without having to remember it."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ConsoleListMixin):
            admin_class = type(admin_class.__name__, (ConsoleListMixin, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)
