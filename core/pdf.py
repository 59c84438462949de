"""HTML -> PDF with WeasyPrint and the bundled Arabic fonts (STACK.md: "WeasyPrint and Arabic").

One FontConfiguration per process: building it costs more than a warm render, and the
@font-face rules of the print stylesheet are resolved against it. `base_url` is the project's
static directory, so `css/document.css` and `../fonts/*.ttf` resolve to the bundled files
without any network or a running web server.

Speed (bench/pdf_render.py): the stylesheets a template links (`<link rel="stylesheet"
href="css/...">`) are parsed once per process and handed to WeasyPrint as `CSS` objects; left
as links, WeasyPrint fetched and parsed them again for every document.

The PDFs are tagged (PDF/UA-1: a structure tree, the language, the title), and their text
extracts in logical order (`pdftotext` reads the names as they are written), see
`_logical_ligatures`.
"""

from __future__ import annotations

import atexit
import functools
import re
import threading
import unicodedata
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

_lock = threading.Lock()
_font_config = None

# PDF/UA-1: tagged, with the document's language and title (the template's <html lang> and
# <title>), so screen readers and text extraction follow the reading order.
PDF_VARIANT = "pdf/ua-1"

_STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="(css/[\w.-]+\.css)">')


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

                _install_logical_ligatures()
                _font_config = FontConfiguration()
                atexit.register(_release)
    return _font_config


def _release() -> None:
    """Drop the cached stylesheets and fonts before the interpreter tears WeasyPrint's C
    bindings down (FontConfiguration.__del__ fails noisily once they are gone)."""
    global _font_config
    stylesheet.cache_clear()
    _font_config = None


@functools.cache
def stylesheet(path: str):
    """A bundled stylesheet (`css/document.css`), parsed once per process. Its @font-face
    rules are registered on the shared FontConfiguration at the same time."""
    from weasyprint import CSS

    # No base_url: the sheet's own location, so `../fonts/` resolves as it did from the link.
    return CSS(filename=str(static_dir() / path), font_config=font_configuration())


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    font_config = font_configuration()
    sheets = [stylesheet(path) for path in _STYLESHEET_LINK.findall(html)]
    html = _STYLESHEET_LINK.sub("", html)
    base_url = static_dir().as_uri() + "/"
    return HTML(string=html, base_url=base_url).write_pdf(
        stylesheets=sheets, font_config=font_config, pdf_variant=PDF_VARIANT
    )


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


# --- logical order of Arabic ligatures in the extracted text -------------------------------


def _right_to_left(text: str) -> bool:
    return all(unicodedata.bidirectional(ch) in ("AL", "R", "NSM") for ch in text)


def _logical_ligatures(fonts) -> None:
    """Write the text of each right-to-left ligature glyph in visual order.

    WeasyPrint maps a glyph to the letters it stands for in logical order: the lam-alef of
    "الإصدار" maps to "لإ", the nun-yeh of "القحطاني" to "ني". The glyphs of an Arabic line
    are drawn left to right, and extractors (poppler's pdftotext, pypdf) put the line back in
    logical order by reversing its right-to-left runs letter by letter, which reverses the
    two letters of every ligature: "الإصدار" came out "اإلصدار", "القحطاني" "القحطاين". A
    glyph only stands for Arabic letters when it is drawn inside a right-to-left run, so
    storing those mappings reversed gives the extractors back the word as written."""
    for font in fonts.values():
        for glyph_id, text in list(font.to_unicode.items()):
            if len(text) > 1 and _right_to_left(text):
                font.to_unicode[glyph_id] = text[::-1]


def _install_logical_ligatures() -> None:
    """Run `_logical_ligatures` just before WeasyPrint writes the fonts' ToUnicode maps.
    WeasyPrint has no hook there, so its `build_fonts_dictionary` is wrapped (WeasyPrint is
    pinned; core/tests/test_pdf_text.py fails if an upgrade moves the function)."""
    import weasyprint.pdf as weasyprint_pdf

    original = weasyprint_pdf.build_fonts_dictionary
    if getattr(original, "masar_logical_ligatures", False):
        return

    def build_fonts_dictionary(pdf, fonts, *args, **kwargs):
        _logical_ligatures(fonts)
        return original(pdf, fonts, *args, **kwargs)

    build_fonts_dictionary.masar_logical_ligatures = True
    weasyprint_pdf.build_fonts_dictionary = build_fonts_dictionary


# --- warm-up ------------------------------------------------------------------------------

_WARM_UP_HTML = (
    '<html lang="ar" dir="rtl"><head><title>-</title>'
    '<link rel="stylesheet" href="css/document.css"></head><body>'
    "<h1>بيان</h1><p>الإصدار <b>القحطاني</b> <span class='latin'>Masar 2026 <b>A</b></span></p>"
    "</body></html>"
)


def warm_up() -> None:
    """Pay a process's one-off costs before its first document: importing WeasyPrint, the
    FontConfiguration, the parsed stylesheet, and Pango loading each bundled face (a first
    render cost about twice a warm one). Called in each process of a worker that consumes
    the documents queue (core.tasks), so a person's first statement is not the slow one."""
    html_to_pdf(_WARM_UP_HTML)
