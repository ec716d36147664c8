from django.apps import AppConfig


class SampleAppConfig(AppConfig):
    name = "jumin.testing.sample_app"
    label = "sample_app"
    verbose_name = "示例业务"
