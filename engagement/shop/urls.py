from django.urls import path

from . import views

app_name = "shop"

urlpatterns = [
    path("shop/", views.shop_index, name="index"),
    path("shop/manage/", views.manage_orders, name="manage"),
    path("shop/manage/orders/<int:pk>/<slug:verb>/", views.manage_order_action, name="order_action"),
    path("shop/item/<slug:slug>/", views.shop_item, name="item"),
    path("me/orders/", views.my_orders, name="my_orders"),
    path("economy/", views.economy, name="economy"),
]
