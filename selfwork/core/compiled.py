"""Reads whose SQL Django writes once: for the few queries every request makes.

Writing SQL from a queryset (building its filters, then compiling them) costs
Django 1-3 ms of Python, about ten times what the database takes to answer a
lookup by key. A request that checks a token, reads one listing and the rate
table paid that three times, where ``/healthz`` costs under a millisecond in all.

A ``CompiledRead`` is built from a function that returns a queryset (rows with
``values_list``, or model instances with their ``select_related`` rows) in
which each value that changes from call to call is a ``Slot``. The queryset is
compiled the first time a process reads through a database alias (and a shape,
when the caller's filters take different forms); each later read binds the
slots' values, runs the SQL and converts the rows exactly as the queryset would
have. Values that decide a query's shape (a list's length, whether a viewer
is signed in) belong in ``shape``, never in a slot.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import connections, router
from django.db.models import Expression, Model, QuerySet
from django.db.models.query import get_related_populators


def planned_for_values(
    connection: Any, sql: str, params: list[Any] | tuple[Any, ...]
) -> tuple[str, list[Any] | tuple[Any, ...] | None]:
    """``sql`` with its values written in, on PostgreSQL: for a query whose best
    plan depends on them (how many listings a word matches).

    PostgreSQL keeps a prepared statement's plan for any value (``settings``,
    "prepared statements"). A query sent with its values in its text is planned
    for those values; the values are quoted by the driver, as Django's default
    client-side binding quotes every query's.
    """
    if connection.vendor != "postgresql":
        return sql, params
    return connection.ops.compose_sql(sql, params), None


class Slot(Expression):
    """A value a compiled read binds at each call, typed by the field it compares to."""

    def __init__(self, name: str, field: Any):
        super().__init__(output_field=field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        return "%s", [self]

    def __str__(self) -> str:
        # A lookup that rewrites its value as text (``iexact``, ``contains``) would
        # bake this marker into the SQL instead of the value: refuse, loudly.
        raise TypeError(f"the slot {self.name!r} is bound as a value, never as text")


@dataclass(frozen=True)
class _Compiled:
    """One shape's SQL, and what turns its rows into values and instances."""

    compiler: Any
    alias: str
    sql: str
    params: tuple[Any, ...]

    @cached_property
    def converters(self) -> dict[int, Any]:
        # What ``results_iter`` asks each selected expression on every call.
        selected = self.compiler.select[0 : self.compiler.col_count]
        return self.compiler.get_converters([column[0] for column in selected])

    def converted(self, fetched: list[tuple]) -> Iterable[Any]:
        if not self.converters:
            return fetched
        return self.compiler.apply_converters(fetched, self.converters)

    @cached_property
    def instances(self) -> tuple[Any, list[str], int, int, list[Any]]:
        """The model, its field names, where its columns are in a row, and the
        populators of its ``select_related`` rows."""
        klass_info, select = self.compiler.klass_info, self.compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        # Django 5.2's signature; the type stubs already describe a later one.
        related = get_related_populators(klass_info, select, self.alias)  # type: ignore[call-arg]
        return klass_info["model"], names, start, end, related

    def bind(self, values: dict[str, Any], connection) -> list[Any]:
        return [
            p.output_field.get_db_prep_value(values[p.name], connection)
            if isinstance(p, Slot)
            else p
            for p in self.params
        ]


class CompiledRead:
    """A ``values_list`` read of ``model`` written once per alias and shape.

    ``build(shape)`` returns the queryset, with ``Slot``s where values go;
    ``rewrite(sql, params, vendor)``, when given, edits the SQL Django wrote (once);
    ``per_values(shape)``, when true, has the database plan each call for its
    values (``planned_for_values``).
    """

    # Shapes kept per read: enough for every combination a site really sends,
    # bounded against a client that tries them all.
    KEPT = 512

    def __init__(
        self,
        model: type[Model],
        build: Callable[[Any], QuerySet],
        rewrite: Callable[[str, list[Any], str], tuple[str, list[Any]]] | None = None,
        per_values: Callable[[Any], bool] | None = None,
    ):
        self.model = model
        self.build = build
        self.rewrite = rewrite
        self.per_values = per_values
        self._compiled: dict[tuple[str, Hashable], _Compiled] = {}

    def _write(self, alias: str, shape: Any) -> _Compiled:
        compiler = self.build(shape).query.get_compiler(alias)
        sql, params = compiler.as_sql()
        if self.rewrite is not None:
            sql, params = self.rewrite(sql, list(params), connections[alias].vendor)
        return _Compiled(compiler, alias, sql, tuple(params))

    def _for(self, alias: str, shape: Hashable) -> _Compiled:
        compiled = self._compiled.get((alias, shape))
        if compiled is None:
            if len(self._compiled) >= self.KEPT:
                self._compiled.clear()
            compiled = self._compiled[(alias, shape)] = self._write(alias, shape)
        return compiled

    def _run(
        self, shape: Any, keep: bool, values: dict[str, Any]
    ) -> tuple[_Compiled, list[tuple]]:
        alias = router.db_for_read(self.model)
        compiled = self._for(alias, shape) if keep else self._write(alias, shape)
        connection = connections[alias]
        statement: tuple[str, Any] = compiled.sql, compiled.bind(values, connection)
        if self.per_values is not None and self.per_values(shape):
            statement = planned_for_values(connection, *statement)
        with connection.cursor() as cursor:
            cursor.execute(*statement)
            return compiled, cursor.fetchall()

    def rows(
        self, shape: Any = None, *, keep: bool = True, **values: Any
    ) -> list[tuple]:
        """The rows for ``values``, as ``build(shape)`` would have returned them.

        ``keep=False`` writes the SQL for this call alone: for a shape that holds
        values of its own and will hardly come again.
        """
        compiled, fetched = self._run(shape, keep, values)
        if not compiled.converters:
            return fetched
        return [tuple(row) for row in compiled.converted(fetched)]

    def objects(self, shape: Any = None, **values: Any) -> list[Any]:
        """The model instances for ``values``, with the rows ``build(shape)``
        selects with them (``select_related``), as iterating it would give them."""
        compiled, fetched = self._run(shape, True, values)
        model, names, start, end, related = compiled.instances
        found = []
        for row in compiled.converted(fetched):
            instance = model.from_db(compiled.alias, names, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            found.append(instance)
        return found
