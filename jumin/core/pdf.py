"""Printing: one HTML template serves the browser's A4 print and the server's PDF.

A print page extends ``core/print/base.html`` (title, print date, the organisation, a
signature and seal area, no menu or links). ``pdf_response`` renders the same template to PDF
with WeasyPrint, for one person or a whole village at once (``core/print/base.html`` puts
each ``{% block sheet %}`` on its own page when a template loops over many).

The Chinese font is Noto Sans CJK SC from the ``mplfonts`` dependency, handed to WeasyPrint
as an ``@font-face``; a machine without Chinese system fonts (a fresh intranet server) still
prints Chinese. Static files the template links (``core/print.css``) are read from the
static finders, never fetched over the network.
"""

import functools
import mimetypes
import pathlib

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

PDF_CONTENT_TYPE = "application/pdf"
FONT_FAMILY = "JuminCJK"


@functools.cache
def cjk_font_path() -> pathlib.Path:
    import mplfonts

    return pathlib.Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"


def _font_css() -> str:
    return (
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{cjk_font_path().as_uri()}"); }}'
        f' html {{ font-family: "{FONT_FAMILY}", sans-serif; }}'
    )


def _local_file(url: str) -> pathlib.Path:
    """The file a print template may link: a static file, or the font; ValueError otherwise."""
    if url == cjk_font_path().as_uri():
        return cjk_font_path()
    static = "/" + settings.STATIC_URL.strip("/") + "/"
    path = url.split("://", 1)[1] if "://" in url else url
    path = path[path.find("/") :] if "://" in url else path
    if path.startswith(static):
        found = finders.find(path[len(static) :].split("?", 1)[0])
        if found:
            return pathlib.Path(found)
    raise ValueError(f"打印模板不能引用外部地址：{url}")


@functools.cache
def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        """Static files from the finders and the font from disk; nothing from the network."""

        def fetch(self, url, headers=None):
            path = _local_file(url)
            return URLFetcherResponse(
                url,
                body=path.read_bytes(),
                headers={"Content-Type": mimetypes.guess_type(path.name)[0] or "text/css"},
            )

    return LocalFetcher()


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(template_name, {**context, "for_pdf": True}, request=request)
    document = HTML(string=html, base_url="http://jumin.invalid/", url_fetcher=_fetcher())
    return document.write_pdf(stylesheets=[CSS(string=_font_css(), url_fetcher=_fetcher())])


def pdf_response(template_name: str, context: dict, *, filename: str, request=None):
    response = HttpResponse(
        render_pdf(template_name, context, request=request), content_type=PDF_CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


def pdf_text(data: bytes) -> str:
    """The text of a PDF (for tests and checks): every page, joined."""
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
