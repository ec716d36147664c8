"""Person pages (views.py) and roster-import pages (views_import.py), one namespace."""

from jumin.people import urls_import, urls_persons

app_name = "people"

urlpatterns = urls_persons.urlpatterns + urls_import.urlpatterns
