from django.urls import path

from jumin.collection import views

app_name = "collection"

urlpatterns = [
    path("receipt-books/", views.books, name="books"),
    path("receipt-books/<int:pk>/", views.book_detail, name="book_detail"),
]
