"""Reading generated PDFs back in tests.

`pdftotext()` is what a person copying text gets: since core.pdf maps right-to-left ligatures
in visual order, Arabic words come out as written, and the statement's tests read it as it is.
pypdf's layout mode (`pdf_lines`, used by older tests) gives lines in visual order, so
right-to-left runs are reversed; `contains_phrase` therefore reads each line both ways and
compares words as letter multisets (it was written when ligatures also came out reversed,
"القحطاين"). Layout mode may also glue neighbouring table cells together ("111445/00001"), so
a phrase is first looked for as a plain substring.
"""

import io
import unicodedata

from pypdf import PdfReader


def pdf_lines(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    lines = []
    for page in reader.pages:
        text = unicodedata.normalize("NFKC", page.extract_text(extraction_mode="layout") or "")
        for line in text.splitlines():
            line = " ".join(line.split())
            if line:
                lines += [line, line[::-1]]
    return lines


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_lines(data))


def _key(words: list[str]) -> list[str]:
    return ["".join(sorted(word)) for word in words]


def contains_phrase(data_or_lines, phrase: str) -> bool:
    """Whether the words of `phrase` appear together, in order, on one line of the PDF."""
    lines = pdf_lines(data_or_lines) if isinstance(data_or_lines, bytes) else data_or_lines
    phrase = unicodedata.normalize("NFKC", phrase)
    if any(phrase in line for line in lines):  # numbers and Latin text: as printed
        return True
    wanted = _key(phrase.split())
    for line in lines:
        words = _key(line.split())
        for start in range(len(words) - len(wanted) + 1):
            if words[start : start + len(wanted)] == wanted:
                return True
    return False


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def qr_texts(data: bytes) -> list[str]:
    """What the QR codes drawn on the PDF's pages say, decoded from the embedded images."""
    import zxingcpp

    reader = PdfReader(io.BytesIO(data))
    return [
        barcode.text
        for page in reader.pages
        for image in page.images
        for barcode in zxingcpp.read_barcodes(image.image)
        if barcode.format == zxingcpp.BarcodeFormat.QRCode
    ]


def pdftotext(data: bytes, *, layout: bool = False) -> str:
    """The text poppler's `pdftotext` extracts (what a person copying from the PDF or a
    search index gets), NFKC-normalised. Unlike `pdf_lines`, nothing is read backwards: the
    statement's Arabic must come out in logical order as it is."""
    import subprocess

    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"]
    result = subprocess.run(args, input=data, capture_output=True, check=True, timeout=30)
    text = unicodedata.normalize("NFKC", result.stdout.decode())
    # pdftotext marks right-to-left and left-to-right runs with embedding controls.
    return "".join(ch for ch in text if ch not in "\u202a\u202b\u202c\u202d\u202e")


def is_tagged(data: bytes) -> bool:
    """A tagged PDF: marked content with a structure tree and the document's language."""
    catalog = PdfReader(io.BytesIO(data)).trailer["/Root"]
    mark_info = catalog.get("/MarkInfo")
    return bool(
        mark_info
        and mark_info.get_object().get("/Marked")
        and "/StructTreeRoot" in catalog
        and catalog.get("/Lang")
    )


def pdf_language(data: bytes) -> str:
    return str(PdfReader(io.BytesIO(data)).trailer["/Root"].get("/Lang", ""))
