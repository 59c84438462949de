"""Convert the @fontsource IBM Plex woff2 files into the TTFs shipped in static/fonts/.

Shipped files: @fontsource/ibm-plex-sans-arabic 5.3.0 and @fontsource/ibm-plex-sans 5.3.0.
Run once, when the font version changes; the TTFs are committed so PDFs are reproducible and
WeasyPrint loads TTF about three times faster than woff2 (see STACK.md). Needs fontTools and
brotli, which are not project dependencies: use a throwaway virtualenv.

    cd "$(mktemp -d)" && npm pack @fontsource/ibm-plex-sans-arabic @fontsource/ibm-plex-sans
    python3 -m venv /tmp/fontvenv && /tmp/fontvenv/bin/pip install fonttools brotli
    /tmp/fontvenv/bin/python /path/to/masar/bin/convert_fonts.py fontsource-*.tgz

Each output file gets its own CSS family name in masar.css ('PlexArabic', 'PlexLatin'): the
usual @fontsource CSS, one family split by unicode-range, renders Arabic as garbage in WeasyPrint.
"""

import io
import sys
import tarfile
from pathlib import Path

from fontTools.ttLib import TTFont

OUT = Path(__file__).resolve().parent.parent / "static" / "fonts"
# woff2 inside the npm tarball -> TTF in static/fonts (Arabic subset; Latin from IBM Plex Sans)
WANTED = {
    "ibm-plex-sans-arabic-arabic-400-normal.woff2": "PlexArabic-Regular.ttf",
    "ibm-plex-sans-arabic-arabic-700-normal.woff2": "PlexArabic-Bold.ttf",
    "ibm-plex-sans-latin-400-normal.woff2": "PlexLatin-Regular.ttf",
    "ibm-plex-sans-latin-700-normal.woff2": "PlexLatin-Bold.ttf",
}


def main(tarballs: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    licences = []
    for path in tarballs:
        with tarfile.open(path) as tar:
            members = {m.name: m for m in tar.getmembers()}
            for source, target in WANTED.items():
                name = f"package/files/{source}"
                if name in members:
                    data = io.BytesIO(tar.extractfile(members[name]).read())
                    # Keep the font's own timestamp, so a re-run gives identical bytes.
                    font = TTFont(data, recalcTimestamp=False)
                    font.flavor = None  # woff2 -> plain sfnt (TrueType outlines)
                    font.save(OUT / target)
                    print(f"{target} <- {Path(path).name}:{source}")
            licences.append(tar.extractfile(members["package/LICENSE"]).read().decode())
    # Both packages carry the same OFL 1.1 text after their own copyright line: keep both lines.
    copyrights = [text.split("\n", 1)[0] for text in licences]
    body = licences[0].split("\n", 1)[1]
    (OUT / "OFL.txt").write_text("\n\n".join(copyrights) + "\n" + body)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1:])
