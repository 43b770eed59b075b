from django.urls import path

from bangfu.network import views

app_name = "network"
urlpatterns = [
    # Public
    path("network/join/", views.signup, name="signup"),
    path("network/join/<str:code>/", views.signup, name="signup_with_code"),
    path("network/products/", views.catalogue, name="catalogue"),
    path("network/products/<int:pk>/", views.product_detail, name="product"),
    path("network/photos/<int:pk>/", views.product_photo_file, name="photo"),
    # Supporters
    path("network/me/", views.me, name="me"),
    path("network/me/send-code/", views.send_code, name="send_code"),
    path("network/me/verify/", views.verify, name="verify"),
    # Orders (buyers and sellers)
    path("network/orders/", views.orders, name="orders"),
    path("network/orders/<int:pk>/", views.order_detail, name="order"),
    # Staff
    path("network/stats/", views.stats, name="stats"),
    path("network/invitations/", views.invitations, name="invitations"),
    path("network/supporters/", views.supporters, name="supporters"),
    path("network/manage/products/", views.manage_products, name="manage_products"),
    path("network/manage/products/new/", views.product_new, name="product_new"),
    path("network/manage/products/<int:pk>/", views.product_edit, name="product_edit"),
    path("network/manage/products/<int:pk>/stock/", views.product_stock, name="product_stock"),
    path("network/manage/products/<int:pk>/photo/", views.product_photo, name="product_photo"),
]
