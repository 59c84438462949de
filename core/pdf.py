"""HTML -> PDF with WeasyPrint and the bundled Arabic fonts (STACK.md: "WeasyPrint and Arabic").

One FontConfiguration per process: building it costs more than a warm render, and the
@font-face rules of the print stylesheet are resolved against it. `base_url` is the project's
static directory, so `css/document.css` and `../fonts/*.ttf` resolve to the bundled files
without any network or a running web server.
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

_lock = threading.Lock()
_font_config = None


def static_dir() -> Path:
    return Path(settings.STATICFILES_DIRS[0])


def font_configuration():
    """The process-wide FontConfiguration (created on first use: importing WeasyPrint costs
    about 0.8 s, which web processes that never render should not pay)."""
    global _font_config
    if _font_config is None:
        with _lock:
            if _font_config is None:
                from weasyprint.text.fonts import FontConfiguration

                _font_config = FontConfiguration()
    return _font_config


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    base_url = static_dir().as_uri() + "/"
    return HTML(string=html, base_url=base_url).write_pdf(font_config=font_configuration())


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to PDF bytes. The template links `css/document.css`."""
    return html_to_pdf(render_to_string(template_name, context))


def qr_data_uri(text: str) -> str:
    """A QR code as a PNG data URI, for an <img> inside the PDF (no file, no network).
    PNG rather than SVG: WeasyPrint lays an SVG out as a document of its own, about 10 % of
    a one-page statement's render time (bench/pdf_render.py)."""
    import base64
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=2)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
