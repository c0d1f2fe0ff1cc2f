"""Every problem code is declared once, with its status and a sentence, and listed.

The source is read for the codes it can raise (an error class's ``code``, a
literal ``code=`` given to a general class); each must be declared, with the
status of the class it is raised with. Codes built at run time are checked when
they are raised: the tests run with ``SELFWORK_ERROR_CODES_STRICT``.
"""

import ast
from pathlib import Path

import pytest

import selfwork
from selfwork.core.errors import (
    InvalidInput,
    NotFound,
    SelfworkError,
    declare,
    declared_codes,
)
from selfwork.core.problems import UndeclaredErrorCode, problem_for

# Reads the source and the OpenAPI document: the same on either engine.
pytestmark = pytest.mark.once

SOURCE = Path(selfwork.__file__).parent
CODE_ARGUMENTS = {"code", "range_code"}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _raised_in_source():
    """(file, line, class name or None, code) for every code the source names."""
    for path in sorted(SOURCE.rglob("*.py")):
        if {"tests", "migrations"} & set(path.relative_to(SOURCE).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else None
                if name == "ValidationError":  # a form's error, not a problem
                    continue
                for keyword in node.keywords:
                    value = keyword.value
                    if keyword.arg in CODE_ARGUMENTS and isinstance(
                        value, ast.Constant
                    ):
                        yield path, node.lineno, name, value.value
            elif isinstance(node, ast.ClassDef):
                for statement in node.body:
                    if (
                        isinstance(statement, ast.Assign)
                        and [getattr(t, "id", None) for t in statement.targets]
                        == ["code"]
                        and isinstance(statement.value, ast.Constant)
                    ):
                        yield path, statement.lineno, node.name, statement.value.value


def test_every_code_the_source_raises_is_declared_with_the_status_it_answers():
    declared = declared_codes()
    status_of: dict[str, set[int]] = {}
    for cls in _subclasses(SelfworkError):
        status_of.setdefault(cls.__name__, set()).add(cls.status)
    wrong = []
    seen = 0
    for path, line, class_name, code in _raised_in_source():
        seen += 1
        where = f"{path.relative_to(SOURCE)}:{line}"
        if code not in declared:
            wrong.append(f"{where}: {code!r} is not declared")
            continue
        statuses = status_of.get(class_name or "", set())
        if len(statuses) == 1 and declared[code].status not in statuses:
            wrong.append(
                f"{where}: {code!r} is raised as {class_name} ({statuses.pop()}) "
                f"but declared with {declared[code].status}"
            )
    assert seen > 200
    assert not wrong, "\n".join(wrong)


def test_every_declared_code_says_what_it_means():
    for code, entry in declared_codes().items():
        assert code == entry.code
        assert code.isidentifier() and code == code.lower()
        assert 400 <= entry.status <= 599
        assert entry.meaning.endswith((".", ")")), entry
        assert entry.app


def test_a_code_cannot_be_declared_twice_with_another_status():
    with pytest.raises(TypeError, match="declared twice"):
        declare(__name__, ("listing_not_found", 410, "Gone."))


def test_an_undeclared_code_is_refused_when_answered():
    with pytest.raises(UndeclaredErrorCode, match="made_up_code"):
        problem_for(InvalidInput("No.", code="made_up_code"))
    with pytest.raises(UndeclaredErrorCode, match="it is 404"):
        problem_for(InvalidInput("No.", code="listing_not_found"))
    assert (
        problem_for(NotFound("No such listing.", code="listing_not_found")).status_code
        == 404
    )


def test_an_undeclared_code_is_only_logged_in_production(settings, caplog):
    settings.SELFWORK_ERROR_CODES_STRICT = False
    response = problem_for(InvalidInput("No.", code="made_up_code"))
    assert response.status_code == 422
    assert "made_up_code" in caplog.text


def test_the_openapi_document_lists_every_code(client):
    document = client.get("/api/v1/openapi.json").json()
    codes = declared_codes()
    problem = document["components"]["schemas"]["Problem"]
    assert problem["properties"]["code"]["enum"] == sorted(codes)
    assert set(problem["properties"]) >= {"field", "errors", "retryable"}
    listed = document["components"]["x-error-codes"]
    assert listed["listing_not_found"] == {
        "status": 404,
        "meaning": codes["listing_not_found"].meaning,
        "app": "core",
    }
    assert listed["slot_taken"]["status"] == 409
    assert len(listed) == len(codes)
