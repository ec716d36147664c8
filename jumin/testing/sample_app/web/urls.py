from django.urls import path

from jumin.testing.sample_app.web import views

app_name = "sample_app"
urlpatterns = [
    path("", views.home, name="home"),
    path("note/", views.note, name="note"),
]
