from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("selfwork")


def dashboard(request: HttpRequest) -> HttpResponse:
    return HttpResponse("dashboard")
