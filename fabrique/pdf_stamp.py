"""Page numbers stamped on an assembled PDF (the programme booklet), without rendering anything.

Each page gets one more content stream drawing « <label><n> / <total> » at its bottom left in Helvetica,
one of the PDF standard fonts every reader has: nothing is embedded, nothing fetched. Rendering as many
blank numbered pages with WeasyPrint and merging them cost about 3 ms a page; this costs a fraction of one.
Helvetica's WinAnsi encoding covers French; a label it cannot encode is left out (the numbers remain)."""

import pypdf
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

FONT_NAME = "/FabriqueNumbers"
FONT_SIZE = 8
# Bottom left, in the page's bottom margin (points from the bottom-left corner of an A4 page).
X, Y = 45.35, 28.0


def pdf_literal(data: bytes) -> bytes:
    """`data` as the inside of a PDF literal string: backslash and parentheses escaped."""
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def encoded_label(label: str) -> bytes:
    try:
        return label.encode("cp1252")
    except UnicodeEncodeError:
        return b""


def stamp_page_numbers(writer: pypdf.PdfWriter, label: str, first_page: int = 2) -> None:
    """Numbers the pages of `writer` from `first_page` (1-based) to the end, as « label n / total »."""
    total = len(writer.pages)
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    prefix = pdf_literal(encoded_label(label))
    save_state = writer._add_object(_stream(b"q\n"))
    for number in range(first_page, total + 1):
        page = writer.pages[number - 1]
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        fonts = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
        fonts[NameObject(FONT_NAME)] = font
        text = prefix + f"{number} / {total}".encode()
        # The page's own content is wrapped in q … Q: whatever transformation it leaves does not move ours.
        stamp = _stream(
            b"Q q BT %s %d Tf 0.33 g %.2f %.2f Td (%s) Tj ET Q\n"
            % (FONT_NAME.encode(), FONT_SIZE, X, Y, text)
        )
        contents = page.get("/Contents")
        existing = contents.get_object() if contents is not None else None
        parts = (
            list(existing)
            if isinstance(existing, ArrayObject)
            else ([contents] if contents is not None else [])
        )
        page[NameObject("/Contents")] = ArrayObject([save_state, *parts, writer._add_object(stamp)])


def _stream(data: bytes) -> StreamObject:
    stream = StreamObject()
    stream.set_data(data)
    return stream
