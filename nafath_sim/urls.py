app_name = "nafath_sim"
urlpatterns: list = []
