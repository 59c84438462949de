"""Templates compiled once per language, with their fixed translations written in (issue 16).

A `{% translate "Literal" %}` renders the same text every time in a given language, yet
Django translates it again at every render: resolve the literal, look the active language
up in a thread-local, ask the catalogue, escape, undo the doubled percent signs. My data
renders about a hundred of them, a millisecond a request. This loader is Django's cached
loader keyed also by the active language: each language compiles its own copy of a template,
in which every translation that depends on nothing but the language (a literal
`{% translate %}`, a `{% blocktranslate %}` without variables) is rendered once into text and
merged with the text around it. A `{% url %}` of a literal name and literal arguments is
written in the same way (about 18 µs each, five or more on every page): its address depends
only on the URLconf and the script prefix, which the written-in text checks at each render.
Left out: a name in a namespace that several instances share (Django's admin and the HR
console are both "admin"), which each request resolves to its own instance.

Left as they are, and so translated at each render as before:
- translations of a variable, with filters or `as`, or a `{% blocktranslate %}` with
  variables or a plural;
- everything inside `{% language %}`, which renders in a language chosen at render time;
- a `{% url %}` with a variable, a keyword argument or `as`;
- templates compiled with translations deactivated (`get_language()` is None).

`render()`, `render_to_string()`, `{% include %}` and `{% extends %}` fetch a template in the
language they render it in. A template kept and rendered later in another language still
renders correctly: each written-in text checks the language and, when it differs, renders the
nodes it stands for (`tests/test_template_loader.py` renders every main page both ways and
compares).

Changing a catalogue (`compilemessages` under `runserver`) empties these copies too, as the
autoreloader already does for template files.
"""

from __future__ import annotations

from django.template import Context, Template
from django.template.base import Node, NodeList, TextNode, TokenType, Variable
from django.template.defaulttags import IfNode, URLNode
from django.template.loaders.base import Loader as BaseLoader
from django.template.loaders.cached import Loader as CachedLoader
from django.templatetags.i18n import BlockTranslateNode, LanguageNode, TranslateNode
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString


def _addressing() -> tuple:
    """What a reversed address depends on besides its name and arguments."""
    return get_urlconf(), get_script_prefix()


class FixedText(Node):
    """Text worked out when the template was compiled, in `language` (and, if it holds an
    address, under `addressing`). Rendered elsewhere (a template kept and rendered later in
    another language, or under another script prefix), it renders the nodes it stands for
    instead. A translation can render differently inside `{% autoescape off %}`, so both
    forms are kept."""

    child_nodelists = ()

    def __init__(
        self,
        nodes: list[Node],
        language: str,
        escaped: str,
        unescaped: str,
        addressing: tuple | None = None,
    ):
        self.nodes, self.language, self.addressing = nodes, language, addressing
        self.escaped, self.unescaped = SafeString(escaped), unescaped

    def render(self, context):
        if translation.get_language() != self.language or (
            self.addressing is not None and _addressing() != self.addressing
        ):
            return "".join(node.render_annotated(context) for node in self.nodes)
        return self.escaped if context.autoescape else self.unescaped

    def render_annotated(self, context):
        return self.render(context)  # the nodes it stands for annotate their own errors


def _is_literal(expression) -> bool:
    """A filter expression that is a quoted string and nothing more."""
    if expression is None:
        return True
    variable = expression.var
    return not expression.filters and getattr(variable, "literal", None) is not None


def _is_constant(expression) -> bool:
    """A tag argument that is a quoted string or a number and nothing more (a tag other than
    the translation tags keeps such a value itself, not a Variable)."""
    return not expression.filters and not isinstance(expression.var, Variable)


def _fixed(node) -> bool:
    """Whether the node renders the same text whatever the context, in one language."""
    if isinstance(node, TranslateNode):
        return (
            node.asvar is None
            and _is_literal(node.filter_expression)
            and _is_literal(node.message_context)
        )
    if isinstance(node, BlockTranslateNode):
        return (
            node.asvar is None
            and not node.extra_context
            and not node.plural
            and node.countervar is None
            and _is_literal(node.message_context)
            and all(token.token_type == TokenType.TEXT for token in node.singular)
        )
    if isinstance(node, URLNode):
        return (
            node.asvar is None
            and not node.kwargs
            and _is_constant(node.view_name)
            and all(_is_constant(argument) for argument in node.args)
            and _reversible_alone(node)
        )
    return False


def _reversible_alone(node: URLNode) -> bool:
    """Whether the name reverses now, to an address that does not depend on the request: at
    most one namespace, not one that several instances share (the request's own instance would
    be chosen), and a name the current URLconf has (else it is left to fail at render)."""
    *namespaces, _name = str(node.view_name.var).split(":")
    if len(namespaces) > 1:
        return False
    if namespaces and len(get_resolver(get_urlconf()).app_dict.get(namespaces[0], ())) > 1:
        return False
    try:
        node.render(Context())
    except NoReverseMatch:
        return False
    return True


def _as_text(node, template) -> tuple[str, str]:
    if isinstance(node, TextNode):
        return node.s, node.s
    texts = []
    for autoescape in (True, False):
        context = Context(autoescape=autoescape)
        with context.bind_template(template):  # {% blocktranslate %} reads the engine
            texts.append(node.render(context))
    return texts[0], texts[1]


def _child_nodelists(node):
    if isinstance(node, LanguageNode):
        return  # rendered in a language chosen at render time
    if isinstance(node, IfNode):
        for _condition, nodelist in node.conditions_nodelists:
            yield nodelist
        return
    for attribute in node.child_nodelists:
        nodelist = getattr(node, attribute, None)
        if isinstance(nodelist, NodeList):
            yield nodelist


def write_in_fixed_translations(template: Template, nodelist: NodeList | None = None) -> None:
    """Replace, in place and at every depth of the template, each run of text and fixed
    translations with one `FixedText`."""
    if nodelist is None:
        nodelist = template.nodelist
    language = translation.get_language()
    folded = []
    run = []

    def close_run():
        if all(isinstance(node, TextNode) for node in run):
            folded.extend(run)  # nothing to translate
        else:
            texts = [_as_text(node, template) for node in run]
            has_address = any(isinstance(node, URLNode) for node in run)
            merged = FixedText(
                list(run),
                language,
                "".join(escaped for escaped, _unescaped in texts),
                "".join(unescaped for _escaped, unescaped in texts),
                addressing=_addressing() if has_address else None,
            )
            merged.token, merged.origin = run[0].token, getattr(run[0], "origin", None)
            folded.append(merged)
        run.clear()

    for node in nodelist:
        if isinstance(node, TextNode) or _fixed(node):
            run.append(node)
            continue
        close_run()
        for child in _child_nodelists(node):
            write_in_fixed_translations(template, child)
        folded.append(node)
    close_run()
    nodelist[:] = folded


class _FixedTranslations(BaseLoader):
    """Below the cache: writes the active language's fixed translations into each template
    as it is compiled, before the cache shares it between threads."""

    def get_template(self, template_name, skip=None):
        template = super().get_template(template_name, skip)
        if translation.get_language() is not None:
            write_in_fixed_translations(template)
        return template


class Loader(CachedLoader, _FixedTranslations):
    """Django's cached loader, with one copy of each template per language."""

    def cache_key(self, template_name, skip=None):
        return f"{translation.get_language()}:{super().cache_key(template_name, skip)}"


def reset_on_catalogue_change(sender, file_path, **kwargs):
    """The autoreloader reloads a changed catalogue without restarting the server; the
    templates compiled with the old one's text go with it."""
    if file_path.suffix == ".mo":
        from django.template.autoreload import reset_loaders

        reset_loaders()


file_changed.connect(reset_on_catalogue_change, dispatch_uid="masar_template_catalogues")
