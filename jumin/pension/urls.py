app_name = "pension"

urlpatterns: list = []
