"""Outline mistakes are caught when the outline is written, and its parts can be inspected."""

from __future__ import annotations

import pytest

from prunus import WorkChain, if_, return_, while_
from prunus.spec import Conditional


class Parts(WorkChain):
    def a(self):
        pass

    def b(self):
        pass

    def yes(self):
        return True

    def no(self):
        return False

    def takes_two(self, extra):
        pass

    def takes_optional(self, extra=None):
        pass


def test_a_step_that_cannot_take_self_alone_is_a_type_error_at_definition():
    with pytest.raises(TypeError, match=r"outline step takes_two\(self, extra\) must take one"):
        if_(Parts.yes)(Parts.takes_two)
    with pytest.raises(TypeError, match="must take one argument"):
        while_(Parts.yes)(lambda: None)
    if_(Parts.yes)(Parts.takes_optional)  # an optional extra argument is fine

    class TopLevel(WorkChain):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.outline(cls.first, cls.second)

        def first(self):
            pass

        def second(self, what):
            pass

    with pytest.raises(TypeError, match=r"outline step second\(self, what\)"):
        TopLevel.spec()


def test_a_condition_that_cannot_take_self_alone_is_a_type_error_at_definition():
    with pytest.raises(TypeError, match="outline condition takes_two"):
        if_(Parts.takes_two)
    with pytest.raises(TypeError, match="outline condition"):
        while_(Parts.takes_two)
    with pytest.raises(TypeError, match="outline condition"):
        if_(Parts.yes)(Parts.a).elif_(Parts.takes_two)
    with pytest.raises(TypeError, match="must be a method"):
        if_(42)


def test_a_conditional_without_a_body_is_refused_in_an_outline():
    class Broken(WorkChain):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.outline(if_(cls.yes))

        def yes(self):
            return True

    with pytest.raises(TypeError, match=r"if_\(yes\) has no body"):
        Broken.spec()


def test_if_and_while_elements_are_inspectable_like_plumpys():
    conditional = if_(Parts.yes)(Parts.a).elif_(Parts.no)(Parts.b, return_).else_(Parts.a)
    assert len(conditional) == 3
    first, second, otherwise = conditional
    assert isinstance(first, Conditional)
    assert first.predicate is Parts.yes and first.body[0].fn is Parts.a
    assert second.predicate is Parts.no and len(second.body) == 2
    assert str(otherwise) == "else_(_always)" and otherwise.is_true(None)
    assert first.is_true(Parts()) is True and second.is_true(Parts()) is False

    loop = while_(Parts.no)(Parts.a)
    assert len(loop) == 1 and loop[0].predicate is Parts.no
    assert loop.predicate is Parts.no and loop.body[0].fn is Parts.a
    assert str(loop[0]) == "while_(no)"
    # before its body is given, the condition can be evaluated (as plumpy's tests do)
    assert while_(Parts.yes)[0].is_true(None) is True


def test_a_non_bool_condition_value_warns_at_evaluation():
    def stringly(self):
        return "yes"

    with pytest.warns(UserWarning, match="not bool-like"):
        assert if_(stringly)[0].is_true(None) is True
    with pytest.warns(UserWarning):
        while_(stringly)[0].is_true(None)


def test_none_and_bool_like_objects_do_not_warn(recwarn):
    class BoolLike:
        def __bool__(self):
            return False

    assert if_(lambda self: None)[0].is_true(None) is False
    assert while_(lambda self: BoolLike())[0].is_true(None) is False
    assert len(recwarn) == 0
