from django.urls import path

from bangfu.network import needs_views, views

app_name = "network"
urlpatterns = [
    # Public
    path("network/join/", views.signup, name="signup"),
    path("network/join/<str:code>/", views.signup, name="signup_with_code"),
    path("network/products/", views.catalogue, name="catalogue"),
    path("network/products/<int:pk>/", views.product_detail, name="product"),
    path("network/photos/<int:pk>/", views.product_photo_file, name="photo"),
    path("network/needs/", needs_views.need_list, name="needs"),
    path("network/needs/<int:pk>/", needs_views.need_detail, name="need"),
    path("network/needs/<int:pk>/claim/", needs_views.need_claim, name="need_claim"),
    # Supporters
    path("network/claims/<int:pk>/deliver/", needs_views.claim_deliver, name="claim_deliver"),
    path("network/claims/<int:pk>/withdraw/", needs_views.claim_withdraw, name="claim_withdraw"),
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
    path("network/manage/needs/", needs_views.manage_needs, name="manage_needs"),
    path("network/manage/needs/new/", needs_views.need_new, name="need_new"),
    path("network/manage/needs/<int:pk>/", needs_views.manage_need, name="manage_need"),
    path("network/manage/needs/<int:pk>/review/", needs_views.need_review, name="need_review"),
    path("network/manage/needs/<int:pk>/close/", needs_views.need_close, name="need_close"),
    path("network/manage/claims/<int:pk>/confirm/", needs_views.claim_confirm, name="claim_confirm"),
    path("network/manage/claims/<int:pk>/photo/", needs_views.claim_photo, name="claim_photo"),
]
