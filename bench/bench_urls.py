"""The product's URLs and ``/bench/hello``: Django's floor, with no database."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from selfwork.config.urls import urlpatterns as product_urls


def hello(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"hello": "world"})


urlpatterns = [path("bench/hello", hello), *product_urls]
