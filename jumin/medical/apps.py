from django.apps import AppConfig


class MedicalConfig(AppConfig):
    name = "jumin.medical"
    label = "medical"
    verbose_name = "居民医保"
