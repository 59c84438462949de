"""Shared middleware."""

from django.shortcuts import render

from .workflow import WorkflowError


class WorkflowErrorMiddleware:
    """A refused step that no view caught still reaches the person as a 4xx page with its
    message, never a 500. Views that own a form catch WorkflowError themselves and show the
    form again with what was typed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, WorkflowError):
            return render(
                request,
                "core/refused_step.html",
                {"message": exception.message},
                status=exception.status,
            )
        return None
