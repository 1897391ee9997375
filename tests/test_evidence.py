"""The evidence record: every detail is declared, and JSON keeps its flat shape."""

from __future__ import annotations

import json

import pytest

from conda_netcheck.evidence import (
    FamilyAttempt,
    LoneLeaf,
    PerStore,
    ResetCause,
    SecondHandshakeSeen,
    StrictDefect,
)
from conda_netcheck.model import Code, Details, Layer, Problem


def test_an_undeclared_detail_is_refused():
    problem = Problem(Code.HTTP_FORBIDDEN, Layer.HTTP, "refused")
    with pytest.raises(TypeError):
        problem.amended(reason_for_refusal="policy")


def test_amending_keeps_the_first_problem_whole():
    first = Problem(
        Code.HTTP_FORBIDDEN, Layer.HTTP, "refused", None, Details(status=403)
    )
    second = first.amended(more="; by policy", title="Blocked")
    assert first.details == Details(status=403)
    assert second.details == Details(status=403, title="Blocked")
    assert second.summary == "refused; by policy"


def test_json_is_flat_with_the_facts_that_are_known():
    details = Details(
        failure="reset",
        address="h.test:443",
        cause=ResetCause.NAME_FILTER,
        second_handshake=SecondHandshakeSeen(None, "completed", 1.5),
        addresses=(FamilyAttempt("::1", "ipv6", "timeout", 1000.0),),
        defects=(StrictDefect("CN=leaf", "no Subject Key Identifier"),),
        trusted_by=PerStore(conda=False, certifi=True, os=None),
        lone_leaf=LoneLeaf.MISSING_INTERMEDIATE,
        title=None,
    )
    document = details.as_json()
    assert document == {
        "failure": "reset",
        "address": "h.test:443",
        "addresses": [
            {"address": "::1", "family": "ipv6", "outcome": "timeout", "ms": 1000.0}
        ],
        "cause": "name-filter",
        "second_handshake": {"server_name": None, "answer": "completed", "ms": 1.5},
        "defects": [{"certificate": "CN=leaf", "defect": "no Subject Key Identifier"}],
        "trusted_by": {"conda": False, "certifi": True, "os": None},
        "lone_leaf": "missing-intermediate",
    }
    assert json.loads(json.dumps(document)) == document


def test_a_proxy_cause_is_written_as_the_code():
    details = Details(cause=Code.DNS_FAILURE)
    assert details.as_json() == {"cause": "dns-failure"}


def test_no_details_is_empty():
    assert not Details()
    assert Details().as_json() == {}
    assert Details(status=0)


def test_every_detail_the_code_records_is_declared():
    """A path no test runs must not raise TypeError on an undeclared detail."""
    import ast
    import dataclasses
    from pathlib import Path

    import conda_netcheck

    declared = {f.name for f in dataclasses.fields(Details)}
    amending = {"more", "summary", "fix", "code", "commands"}  # Problem.amended's own
    undeclared = []
    for path in Path(conda_netcheck.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else getattr(func, "id", "")
            )
            allowed = {
                "Details": declared,
                "merged": declared,
                "amended": declared | amending,
            }.get(name)
            if allowed is None:
                continue
            undeclared += [
                f"{path.name}:{node.lineno} {kw.arg}"
                for kw in node.keywords
                if kw.arg is not None and kw.arg not in allowed
            ]
    assert undeclared == []
