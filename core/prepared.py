"""Queries whose SQL Django builds once per process (issue 16).

For a small query over a wide model, turning the queryset into SQL costs far more than running
it: the signed-in person's record with its three joins takes about 1.8 ms of Python to become
SQL and 0.2 ms in PostgreSQL, on every page. A `PreparedQuery` builds its queryset once per
database with marker values in place of its arguments and keeps the SQL with what Django needs
to turn rows into model instances (the columns, the converters, the `select_related`
populators). A call only binds the arguments, runs the SQL on the current connection (so
query counting, `atomic()` and the debug log see it as usual) and builds the instances with
`Model.from_db`, as a queryset does.

Arguments can only be values compared with `field=value` lookups on integer or text fields:
each stand-in must reach the SQL as one parameter of its own (a query where one does not is
refused). Everything else in the query is fixed when it is built. `prefetched_as()` hands
rows read by prepared queries to a relation, as `prefetch_related` would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import Count, Model, QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators

# Two sets of stand-in arguments, valid for any integer field (Django turns a lookup outside a
# field's range into an empty query): the query is compiled with each, and the parameters that
# differ between the two are the arguments. A constant equal to a stand-in stays the same in
# both compilations, so it is never taken for an argument.
_FIRST_MARKERS = (32749, 32719, 32717, 32713)
_SECOND_MARKERS = (32707, 32693, 32687, 32633)


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple  # a fixed value, or an _Argument standing for the call's argument
    model: type[Model] | None
    init_list: list[str]
    model_slice: slice
    populators: list
    converters: dict
    annotations: dict
    names: tuple[str, ...] | None  # values(): the keys of each row's dict


@dataclass(frozen=True)
class _Argument:
    index: int


class PreparedQuery:
    """`build(*markers)` returns the queryset; calling the prepared query with the real
    arguments returns the list of instances that queryset would give."""

    def __init__(self, build: Callable[..., QuerySet], *, arguments: int = 1):
        self.build = build
        if not 1 <= arguments <= len(_FIRST_MARKERS):
            raise ValueError(f"a prepared query takes 1 to {len(_FIRST_MARKERS)} arguments")
        self.arguments = arguments
        self._model: type[Model] | None = None
        self._plans: dict[str, _Plan] = {}
        self._lock = Lock()

    def __call__(self, *values) -> list[Model]:
        if len(values) != self.arguments:
            raise TypeError(f"expected {self.arguments} arguments, got {len(values)}")
        alias, plan = self._plan()
        params = [values[p.index] if isinstance(p, _Argument) else p for p in plan.params]
        connection = connections[alias]
        with _cursor_of(connection) as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if plan.converters:
            rows = [_converted(plan.converters, connection, row) for row in rows]
        if plan.names is not None:
            return [dict(zip(plan.names, row, strict=False)) for row in rows]
        return [self._instance(plan, alias, row) for row in rows]

    def first(self, *values) -> Model | None:
        found = self(*values)
        return found[0] if found else None

    def _plan(self) -> tuple[str, _Plan]:
        if self._model is None:
            self._model = self.build(*_FIRST_MARKERS[: self.arguments]).model
        alias = router.db_for_read(self._model)
        plan = self._plans.get(alias)
        if plan is None:
            with self._lock:
                plan = self._plans.get(alias) or self._prepare(alias)
                self._plans[alias] = plan
        return alias, plan

    def _prepare(self, alias: str) -> _Plan:
        count = self.arguments
        queryset = self.build(*_FIRST_MARKERS[:count])
        compiler, sql, first = _compiled(queryset, alias)
        _, other_sql, second = _compiled(self.build(*_SECOND_MARKERS[:count]), alias)
        if other_sql != sql:
            raise ImproperlyConfigured(
                "PreparedQuery: the SQL depends on the arguments (a slice, an IN list, a branch)"
            )
        return _plan_of(queryset, compiler, sql, _bound(first, second, count), alias)

    @staticmethod
    def _instance(plan: _Plan, alias: str, row) -> Model:
        obj = plan.model.from_db(alias, plan.init_list, row[plan.model_slice])
        for populator in plan.populators:
            populator.populate(row, obj)
        for name, position in plan.annotations.items():
            setattr(obj, name, row[position])
        return obj


def _cursor_of(connection):
    """A cursor that keeps the statement planned in the server where the backend has one
    (core.postgresql), Django's usual cursor elsewhere."""
    prepared_cursor = getattr(connection, "prepared_cursor", None)
    return prepared_cursor() if prepared_cursor else connection.cursor()


def _converted(converters: dict, connection, row) -> list:
    row = list(row)
    for position, (functions, expression) in converters.items():
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return row


def _compiled(queryset: QuerySet, alias: str):
    iterable = queryset._iterable_class
    if iterable not in (ModelIterable, ValuesIterable):
        raise ImproperlyConfigured("PreparedQuery gives model instances or values() dicts")
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    return compiler, sql, tuple(params)


def _marker_index(one, other, count: int) -> int | None:
    """Which argument a parameter stands for: the same stand-in in both compilations, as
    given or as text (a lookup on a text field turns the number into a string)."""
    for index in range(count):
        first, second = _FIRST_MARKERS[index], _SECOND_MARKERS[index]
        if (one, other) in ((first, second), (str(first), str(second))):
            return index
    return None


def _bound(first: tuple, second: tuple, count: int) -> tuple:
    """The parameters, with each argument's place marked (see _FIRST_MARKERS)."""
    bound = []
    for one, other in zip(first, second, strict=True):
        if one == other:
            bound.append(one)
        elif (index := _marker_index(one, other, count)) is not None:
            bound.append(_Argument(index))
        else:
            raise ImproperlyConfigured(
                f"PreparedQuery: a parameter changed from {one!r} to {other!r}"
            )
    if {p.index for p in bound if isinstance(p, _Argument)} != set(range(count)):
        raise ImproperlyConfigured(
            "PreparedQuery: an argument does not reach the SQL as a parameter of its own "
            "(use it only in field=value lookups)."
        )
    return tuple(bound)


def _plan_of(queryset: QuerySet, compiler, sql: str, bound: tuple, alias: str) -> _Plan:
    select = compiler.select
    expressions = [column[0] for column in select[: compiler.col_count]]
    converters = compiler.get_converters(expressions)
    if queryset._iterable_class is ValuesIterable:
        query = queryset.query
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        return _Plan(sql, bound, None, [], slice(0), [], converters, {}, names)
    klass_info = compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    return _Plan(
        sql=sql,
        params=bound,
        model=klass_info["model"],
        init_list=[column[0].target.attname for column in select[start:end]],
        model_slice=slice(start, end),
        populators=get_related_populators(klass_info, select, alias),
        converters=converters,
        annotations=dict(compiler.annotation_col_map or {}),
        names=None,
    )


class PreparedPages:
    """One owner's rows as a `Paginator` reads them, for lists whose first page nearly
    everyone opens: the count and the first page are prepared queries, any other page goes
    through the ORM. `build(owner)` returns the ordered queryset of the owner's rows;
    `owner_field` is the field it filters the owner by (the count groups by it)."""

    def __init__(self, build: Callable[[int], QuerySet], *, page_size: int, owner_field: str):
        self.build = build
        self.page_size = page_size
        self._first_page = PreparedQuery(lambda owner: build(owner)[:page_size])
        self._count = PreparedQuery(
            lambda owner: (
                build(owner).order_by().values(owner_field).annotate(prepared_count=Count("pk"))
            )
        )

    def of(self, owner: int) -> _OwnerRows:
        return _OwnerRows(self, owner)


class _OwnerRows:
    def __init__(self, pages: PreparedPages, owner: int):
        self.pages, self.owner = pages, owner

    def count(self) -> int:
        found = self.pages._count(self.owner)
        return found[0]["prepared_count"] if found else 0

    def __getitem__(self, window: slice):
        if window.start == 0 and window.stop <= self.pages.page_size:  # the paginator's page 1
            return self.pages._first_page(self.owner)[: window.stop]
        return self.pages.build(self.owner)[window]


def prefetched_as(instance: Model, relation: str, rows: list) -> None:
    """`instance.<relation>.all()` gives `rows` without a query, as after prefetch_related
    (a reverse foreign key or many-to-many relation)."""
    manager = getattr(instance, relation)
    queryset = manager.all()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[manager.field.remote_field.cache_name] = queryset
