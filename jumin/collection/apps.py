from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "jumin.collection"
    label = "collection"
    verbose_name = "征缴"
