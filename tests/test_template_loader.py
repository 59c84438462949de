"""Templates compiled once per language with their fixed translations written in
(core.template_loader, issue 16): they render exactly as Django's own cached loader renders
them, in either language, whatever order the languages come in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template import Context, Engine
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.autoreload import file_changed

from core.template_loader import FixedText

SNIPPETS = {
    "literal": '{% translate "My employment data" %}',
    "context": '{% translate "Change" context "link to change an answer" %}',
    "untranslated": '{% translate "No such message & 100%% <b>" %}',
    "variable": "{% translate label %}",
    "filtered": '{% translate "Sign out"|upper %}',
    "as": '{% translate "Sign out" as out %}[{{ out }}]',
    "block": "{% blocktranslate %}My employment data{% endblocktranslate %}",
    "block with a variable": "{% blocktranslate %}Hello {{ label }}{% endblocktranslate %}",
    "block with a count": (
        "{% blocktranslate count counter=3 %}{{ counter }} year"
        "{% plural %}{{ counter }} years{% endblocktranslate %}"
    ),
    "language block": '{% language "en" %}{% translate "Sign out" %}{% endlanguage %}',
    "autoescape off": '{% autoescape off %}{% translate "a & b" %}{% endautoescape %}',
    "url": "{% url 'accounts:login' %}?next=1",
    "url with an argument": "{% url 'grievances:detail' 'G-1448-000001' %}",
    "url of a shared namespace": "{% url 'admin:index' %}",
    "url as": "{% url 'accounts:login' as login %}[{{ login }}]",
    "url with a variable": "{% url 'grievances:detail' label %}",
    "nested": (
        '{% for i in "ab" %}{% if i == "a" %}{% translate "Sign out" %}'
        '{% else %}<i>{% translate "My employment data" %}</i>{% endif %}{% endfor %}'
    ),
}


def _engine(directory: Path, loader: str) -> Engine:
    return Engine(
        dirs=[str(directory)],
        libraries={},
        builtins=["django.templatetags.i18n"],
        loaders=[(loader, ["django.template.loaders.filesystem.Loader"])],
    )


@pytest.fixture
def snippets(tmp_path):
    for name, source in SNIPPETS.items():
        (tmp_path / f"{name}.html").write_text(f"<p>{source}</p>", encoding="utf-8")
    return tmp_path


def _render(engine, name, language):
    with translation.override(language):
        template = engine.get_template(f"{name}.html")
        return template.render(Context({"label": "<My employment data>"}))


@pytest.mark.parametrize("name", SNIPPETS)
def test_a_template_renders_as_with_djangos_cached_loader_in_either_language(snippets, name):
    ours = _engine(snippets, "core.template_loader.Loader")
    django = _engine(snippets, "django.template.loaders.cached.Loader")
    for language in ("ar", "en", "ar", None, "en"):
        assert _render(ours, name, language) == _render(django, name, language), language


@pytest.mark.parametrize("name", SNIPPETS)
def test_a_template_kept_and_rendered_in_another_language_is_translated_afresh(snippets, name):
    ours = _engine(snippets, "core.template_loader.Loader")
    django = _engine(snippets, "django.template.loaders.cached.Loader")
    context = {"label": "<My employment data>"}
    with translation.override("ar"):
        kept = ours.get_template(f"{name}.html")
    with translation.override("en"):
        expected = django.get_template(f"{name}.html").render(Context(context))
        assert kept.render(Context(context)) == expected


def _compiled_in_arabic(snippets, *names):
    """Our loader's engine, and the named snippets as it compiles them in Arabic."""
    engine = _engine(snippets, "core.template_loader.Loader")
    with translation.override("ar"):
        return engine, [engine.get_template(f"{name}.html") for name in names]


def test_fixed_translations_become_text_and_the_rest_stays(snippets):
    engine, (literal, variable, block) = _compiled_in_arabic(
        snippets, "literal", "variable", "block"
    )
    assert [type(node) for node in literal.nodelist] == [FixedText]
    assert literal.nodelist[0].escaped == "<p>بياناتي الوظيفية</p>"
    assert block.nodelist.get_nodes_by_type(BlockTranslateNode) == []
    assert len(variable.nodelist.get_nodes_by_type(TranslateNode)) == 1
    with translation.override("en"):
        assert engine.get_template("literal.html").render(Context()) == "<p>My employment data</p>"


def test_a_literal_address_is_written_in_and_follows_the_script_prefix(snippets):
    from django.template.defaulttags import URLNode
    from django.urls import get_script_prefix, set_script_prefix

    _, (literal, shared, kept_as) = _compiled_in_arabic(
        snippets, "url", "url of a shared namespace", "url as"
    )
    assert [type(node) for node in literal.nodelist] == [FixedText]
    assert literal.nodelist[0].escaped == "<p>/accounts/login/?next=1</p>"
    # The admin and the HR console share "admin": each request reverses to its own site.
    assert len(shared.nodelist.get_nodes_by_type(URLNode)) == 1
    assert len(kept_as.nodelist.get_nodes_by_type(URLNode)) == 1
    before = get_script_prefix()
    set_script_prefix("/masar/")
    try:
        with translation.override("ar"):
            assert literal.render(Context()) == "<p>/masar/accounts/login/?next=1</p>"
    finally:
        set_script_prefix(before)
    with translation.override("ar"):
        assert literal.render(Context()) == "<p>/accounts/login/?next=1</p>"


def test_with_translations_deactivated_nothing_is_written_in(snippets):
    engine = _engine(snippets, "core.template_loader.Loader")
    with translation.override(None):
        template = engine.get_template("literal.html")
    assert len(template.nodelist.get_nodes_by_type(TranslateNode)) == 1


def test_a_changed_catalogue_empties_the_compiled_templates(snippets, settings):
    from django.template import engines

    loader = engines["django"].engine.template_loaders[0]
    with translation.override("ar"):
        engines["django"].engine.get_template("masar/pages/terms.html")
    file_changed.send(sender=None, file_path=Path("core/views.py"))
    assert loader.get_template_cache
    file_changed.send(sender=None, file_path=Path("locale/ar/LC_MESSAGES/django.mo"))
    assert not loader.get_template_cache


# --- Every main page, both ways --------------------------------------------------------------

PLAIN_LOADER = "django.template.loaders.cached.Loader"


def _plain_templates(settings):
    templates = [dict(settings.TEMPLATES[0])]
    options = dict(templates[0]["OPTIONS"])
    (_ours, inner) = options["loaders"][0]
    options["loaders"] = [(PLAIN_LOADER, inner)]
    templates[0]["OPTIONS"] = options
    return templates


def _comparable(html: str) -> str:
    """The page without what differs from one request to the next by design."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)
    return re.sub(r'nonce="[^"]+"', "nonce", html)


@pytest.mark.django_db
def test_every_main_page_reads_the_same_as_with_djangos_loader(client, settings):
    from accounts.models import User
    from accounts.tests.factories import sign_in_verified
    from bench.load import ensure_grievance
    from demo import demo_data

    call_command("seed_demo", verbosity=0)
    user = User.objects.get(username=demo_data.EMPLOYEE_ID)
    user.nafath_verified_at = timezone.now()
    user.save(update_fields=["nafath_verified_at"])
    grievance = ensure_grievance(user)  # filed through the service
    hr = User.objects.get(username=demo_data.HR_ID)
    pages = {
        user: [
            "/",
            "/terms/",
            "/my-data/",
            "/my-data/record/",
            "/grievances/mine/",
            f"/grievances/{grievance}/",
            "/grievances/new/",
            "/promotions/",
            "/bayan/",
            "/job-audit/",
            "/cv/",
            "/cv/print/",  # inside {% language %}
            "/notifications/",
        ],
        hr: ["/hr/", "/hr/grievances/grievance/", "/hr/employment_records/employee/"],
    }

    def read_all():
        seen = {}
        for person, paths in pages.items():
            sign_in_verified(client, person)
            for path in paths:
                for language in ("ar", "en"):
                    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language, follow=True)
                    assert response.status_code == 200, (path, language)
                    seen[path, language] = _comparable(response.content.decode())
        return seen

    read_all()  # first visits change what later ones show (the unread count, the idle clock)
    ours = read_all()
    with override_settings(TEMPLATES=_plain_templates(settings)):
        django = read_all()
    assert ours.keys() == django.keys()
    for key in ours:
        assert ours[key] == django[key], key
