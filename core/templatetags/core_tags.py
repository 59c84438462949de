from django import template
from django.utils.hashable import make_hashable

from core.dates import dual_date as dual_date_of
from core.dates import format_gregorian, format_hijri

register = template.Library()

# Fragments that hold no personal data and depend only on the values named in the tag (the
# footer per language; the dashboard's cards per language and set of access decisions): kept
# in each process's memory, so using one costs no network round trip (issue 16). A plain dict,
# not a cache backend: Django's local-memory cache hashes the key and unpickles the markup on
# every read (30 µs a fragment). Bounded, since a value named in a tag could take many forms.
SHARED_FRAGMENTS: dict[tuple, str] = {}
SHARED_FRAGMENTS_MAX = 1000


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context):
        key = (self.name, *(make_hashable(var.resolve(context)) for var in self.vary_on))
        value = SHARED_FRAGMENTS.get(key)
        if value is None:
            value = self.nodelist.render(context)
            if len(SHARED_FRAGMENTS) >= SHARED_FRAGMENTS_MAX:
                SHARED_FRAGMENTS.clear()
            SHARED_FRAGMENTS[key] = value
        return value


@register.tag
def shared_fragment(parser, token):
    """{% shared_fragment name value ... %}...{% endshared_fragment %}: rendered once per
    process for each combination of the values, then reused. Only for markup that everything
    it shows is a function of those values (never a person's data, a CSRF token or a path)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("shared_fragment needs a name")
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    return SharedFragmentNode(nodelist, bits[1], [parser.compile_filter(b) for b in bits[2:]])


@register.filter
def hijri_date(value):
    return format_hijri(value)


@register.filter
def gregorian_date(value):
    return format_gregorian(value)


@register.simple_tag
def dual_date(value):
    """Both calendars, Hijri first (the administrative calendar): the markup of
    core.dates.DualDate, built in Python (no template per date; issue 16) and with nothing
    around it, so punctuation follows directly ('2027م.')."""
    formatted = dual_date_of(value)
    return formatted.__html__() if formatted else ""


def mask_name(full_name: str) -> str:
    """'محمد عبدالله سعد القحطاني' -> 'محمد ع*** س*** ا***': enough to match a face to a
    paper, not enough to learn someone's family from a code."""
    first, *rest = (full_name or "").split() or [""]
    return " ".join([first, *(f"{part[0]}***" for part in rest)])


@register.filter
def masked_name(person):
    """A person's name (anything with `full_name()`) with all but the first name masked."""
    return mask_name(person.full_name())


@register.filter
def mask_id(national_id):
    """A national ID with all but the last four digits hidden."""
    from core.validators import mask_national_id

    return mask_national_id(national_id) if national_id else ""


@register.filter(name="mask_mobile")
def mask_mobile_filter(mobile):
    """A mobile number with all but the last digits hidden, as every page shows it."""
    from core.validators import mask_mobile

    return mask_mobile(mobile) if mobile else ""


@register.filter(name="file_size")
def file_size_filter(num_bytes):
    """'10 ميغابايت' / '10 MB'."""
    from core.uploads import file_size

    return file_size(num_bytes)


@register.simple_tag
def ltr(text):
    """Left-to-right text (a URL, a code) inside right-to-left text, isolated as one run.
    Documents print it on a line of its own (`<br>` before it, never wrapped: document.css),
    so a URL's trailing "/" does not sit against the Arabic word before it, where a reader
    of the line right to left met it first ("عبر /https://...")."""
    from django.utils.html import format_html

    return format_html('<bdi dir="ltr" class="latin">{}</bdi>', text)


@register.filter
def audit_action(action):
    """An audit event's action in words ("grievance decided", not "grievance.decide")."""
    from core.audit import action_label

    return action_label(action)


@register.filter
def audit_subject(subject_type):
    """An audit event's subject kind in words ("grievance", not "grievances.grievance")."""
    from core.audit import subject_label

    return subject_label(subject_type)
