"""{% shared_fragment %}: rendered once per process for each combination of its values, then
reused; bounded in memory."""

import itertools

import pytest
from django.template import Context, Template

from core.templatetags import core_tags

TEMPLATE = Template(
    "{% load core_tags %}{% shared_fragment greeting language %}"
    "<p>{{ language }} {{ rendering }}</p>{% endshared_fragment %}"
)


@pytest.fixture
def renderings(monkeypatch):
    monkeypatch.setattr(core_tags, "SHARED_FRAGMENTS", {})
    counter = itertools.count(1)
    return lambda: next(counter)


def render(language, rendering):
    return TEMPLATE.render(Context({"language": language, "rendering": rendering}))


def test_each_combination_of_values_is_rendered_once_then_reused(renderings):
    assert render("ar", renderings) == "<p>ar 1</p>"
    assert render("ar", renderings) == "<p>ar 1</p>"  # reused: not rendered again
    assert render("en", renderings) == "<p>en 2</p>"
    assert render("ar", renderings) == "<p>ar 1</p>"


def test_the_kept_fragments_are_bounded(renderings, monkeypatch):
    monkeypatch.setattr(core_tags, "SHARED_FRAGMENTS_MAX", 3)
    for language in ("a", "b", "c", "d", "e"):
        render(language, renderings)
        assert len(core_tags.SHARED_FRAGMENTS) <= 3
    assert render("e", renderings) == "<p>e 5</p>"  # the newest is kept
