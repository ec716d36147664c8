"""The upload form: a file and a choice of mode, each explained in plain words."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jumin.core.forms import Form
from jumin.people.models import RosterImport

MODE_CHOICES = [
    (
        RosterImport.Mode.ALL_OR_NOTHING,
        _("全部正确才导入：只要有一行有错，就一行也不导入。改正后再导入一次。（推荐）"),
    ),
    (
        RosterImport.Mode.VALID_ONLY,
        _("只导入正确的行：正确的行先导入，有错的行列在错误清单里，改正后再导入这些行。"),
    ),
]


class RosterImportForm(Form):
    file = forms.FileField(
        label=_("花名册文件"),
        help_text=_("Excel 工作簿（.xlsx）或 CSV 文件（UTF-8 或 GB18030/GBK 编码）"),
        error_messages={
            "required": _("请选择要导入的文件"),
            "empty": _("文件是空的"),
            "invalid": _("没有收到文件，请重新选择"),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=MODE_CHOICES,
        initial=RosterImport.Mode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择导入方式"),
            "invalid_choice": _("请选择导入方式"),
        },
    )
