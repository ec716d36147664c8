from django.apps import AppConfig


class PensionConfig(AppConfig):
    name = "jumin.pension"
    label = "pension"
    verbose_name = "城乡居保"
