"""Random WorkChain outlines for property tests, with a reference interpreter.

A tree is nested tuples: ``("step", k)``, ``("if", ((cond, block), ...), else_block)``,
``("while", cond, block)``, ``("return", status_or_None)``; a block is a tuple of trees.
Each condition ``c`` answers from a fixed list of outcomes, one per evaluation (then
False), kept in ctx so the WorkChain and the reference agree, also across checkpoints.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hypothesis import strategies as st

from prunus import ExitCode, WorkChain, if_, return_, while_

MAX_CONDITIONS = 4


def _trees(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    block = st.lists(children, min_size=0, max_size=3).map(tuple)
    cond = st.integers(0, MAX_CONDITIONS - 1)
    return st.one_of(
        st.tuples(
            st.just("if"),
            st.lists(st.tuples(cond, block), min_size=1, max_size=3).map(tuple),
            st.one_of(st.none(), block),
        ),
        st.tuples(st.just("while"), cond, block),
    )


_leaves = st.one_of(
    st.tuples(st.just("step"), st.just(0)),
    st.tuples(st.just("return"), st.one_of(st.none(), st.integers(1, 3))),
)

outlines = st.lists(st.recursive(_leaves, _trees, max_leaves=8), min_size=1, max_size=4).map(tuple)
outcomes = st.lists(
    st.lists(st.booleans(), max_size=3), min_size=MAX_CONDITIONS, max_size=MAX_CONDITIONS
)


def number_steps(block: tuple[Any, ...]) -> tuple[Any, ...]:
    """Give every step its own number, in outline order."""
    counter = iter(range(10_000))

    def walk(node: Any) -> Any:
        kind = node[0]
        if kind == "step":
            return ("step", next(counter))
        if kind == "if":
            branches = tuple((c, tuple(walk(n) for n in b)) for c, b in node[1])
            other = None if node[2] is None else tuple(walk(n) for n in node[2])
            return ("if", branches, other)
        if kind == "while":
            return ("while", node[1], tuple(walk(n) for n in node[2]))
        return node

    return tuple(walk(n) for n in block)


class _Return(Exception):
    def __init__(self, status: int | None) -> None:
        self.status = status


def reference_run(block: tuple[Any, ...], answers: list[list[bool]]) -> tuple[list[int], int]:
    """What the outline must do: the trace of step numbers and the exit status."""
    trace: list[int] = []
    evaluations: dict[int, int] = defaultdict(int)

    def condition(c: int) -> bool:
        n = evaluations[c]
        evaluations[c] += 1
        return answers[c][n] if n < len(answers[c]) else False

    def run_block(nodes: tuple[Any, ...]) -> None:
        for node in nodes:
            run(node)

    def run(node: Any) -> None:
        kind = node[0]
        if kind == "step":
            trace.append(node[1])
        elif kind == "if":
            for c, body in node[1]:
                if condition(c):
                    run_block(body)
                    return
            if node[2] is not None:
                run_block(node[2])
        elif kind == "while":
            while condition(node[1]):
                run_block(node[2])
        else:
            raise _Return(node[1])

    try:
        run_block(block)
    except _Return as ret:
        return trace, ret.status or 0
    return trace, 0


def build_workchain(block: tuple[Any, ...], answers: list[list[bool]]) -> type[WorkChain]:
    """A WorkChain class whose outline is ``block``; steps append their number to ctx.trace."""
    namespace: dict[str, Any] = {}

    def make_step(k: int) -> Any:
        def step(self: WorkChain) -> None:
            self.ctx.setdefault("trace", []).append(k)

        step.__name__ = step.__qualname__ = f"s{k}"
        namespace[step.__name__] = step
        return step

    def make_condition(c: int) -> Any:
        def condition(self: WorkChain) -> bool:
            evaluations = self.ctx.setdefault("evaluations", {})
            n = evaluations.get(str(c), 0)
            evaluations[str(c)] = n + 1
            return answers[c][n] if n < len(answers[c]) else False

        condition.__name__ = condition.__qualname__ = f"c{c}"
        return condition

    def convert(node: Any) -> Any:
        kind = node[0]
        if kind == "step":
            return make_step(node[1])
        if kind == "if":
            (c0, b0), *rest = node[1]
            instruction = if_(make_condition(c0))(*map(convert, b0))
            for c, body in rest:
                instruction = instruction.elif_(make_condition(c))(*map(convert, body))
            if node[2] is not None:
                instruction = instruction.else_(*map(convert, node[2]))
            return instruction
        if kind == "while":
            return while_(make_condition(node[1]))(*map(convert, node[2]))
        status = node[1]
        return return_ if status is None else return_(ExitCode(status, f"returned {status}"))

    instructions = [convert(node) for node in block]

    @classmethod  # type: ignore[misc]
    def define(cls: type[WorkChain], spec: Any) -> None:
        WorkChain.define.__func__(cls, spec)  # type: ignore[attr-defined]
        spec.outline(*instructions)

    namespace["define"] = define
    return type("RandomOutline", (WorkChain,), namespace)
