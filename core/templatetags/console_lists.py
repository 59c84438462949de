"""{% console_result_list cl %}: Django admin's {% result_list %}, rows built column by column
(core.console_lists.console_result_list). Used by templates/admin/change_list.html.

{% console_sidebar %}...{% endconsole_sidebar %}: the admin's sidebar, written once for each
distinct set of what it shows (core.console_lists.sidebar_key); templates/admin/nav_sidebar.html.
"""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from core.console_lists import console_result_list, sidebar_cache, sidebar_key

register = template.Library()


@register.tag(name="console_result_list")
def console_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=console_result_list,
        template_name="console_lists/change_list_results.html",
        takes_context=False,
    )


class SidebarNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        request = context.get("request")
        key = sidebar_key(context.get("available_apps"), getattr(request, "path", ""))
        html = sidebar_cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            sidebar_cache.set(key, html)
        return html


@register.tag(name="console_sidebar")
def console_sidebar_tag(parser, token):
    nodelist = parser.parse(("endconsole_sidebar",))
    parser.delete_first_token()
    return SidebarNode(nodelist)
