from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "jumin.people"
    label = "people"
    verbose_name = "参保人"
