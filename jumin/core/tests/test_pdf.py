"""The print layout renders to a PDF whose text is the Chinese on the page."""

import datetime

import pytest

from jumin.core import pdf


@pytest.fixture
def sheet_template(tmp_path, settings):
    folder = tmp_path / "templates"
    (folder / "t").mkdir(parents=True)
    (folder / "t" / "sheet.html").write_text(
        '{% extends "core/print/base.html" %}{% block sheets %}{% for name in names %}'
        '<section class="sheet">{% include "core/print/_head.html" %}<p>姓名：{{ name }}</p>'
        '{% include "core/print/_signatures.html" %}</section>{% endfor %}{% endblock %}',
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0].get("DIRS", []), folder]}
    ]
    return "t/sheet.html"


def test_a_pdf_holds_the_chinese_text_one_page_per_sheet(sheet_template):
    import io

    from pypdf import PdfReader

    data = pdf.render_pdf(
        sheet_template,
        {
            "names": ["张三", "李四"],
            "title": "个人权益记录",
            "printed_on": datetime.date(2026, 12, 2),
        },
    )
    assert data.startswith(b"%PDF")
    text = pdf.pdf_text(data)
    assert "个人权益记录" in text and "张三" in text and "李四" in text
    assert "2026-12-02" in text and "经办人" in text
    assert len(PdfReader(io.BytesIO(data)).pages) == 2


def test_a_print_template_may_not_reach_outside():
    with pytest.raises(ValueError, match="外部地址"):
        pdf._local_file("https://cdn.example.com/x.css")


def test_the_print_stylesheet_is_read_from_the_static_files():
    assert pdf._local_file("http://jumin.invalid/static/core/print.css").name == "print.css"
