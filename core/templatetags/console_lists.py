"""{% console_result_list cl %}: Django admin's {% result_list %}, rows built column by column
(core.console_lists.console_result_list). Used by templates/admin/change_list.html."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from core.console_lists import console_result_list

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
