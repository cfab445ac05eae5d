"""A real CAS 3.0 server for the tests: django-mama-cas in one file.

    python cas_server.py PORT USERS.json SERVICE_REGEX

USERS.json is a list of {"username", "password", "employeeNumber",
"displayName"}; each user's employeeNumber and displayName are released as
CAS attributes. Services whose URL matches SERVICE_REGEX may ask for
tickets and are sent single-logout requests. A second service,
http://127.0.0.1:9/other-app, exists so a test can hold a ticket issued
for someone else. State is an in-memory SQLite database: a fresh server
per run.
"""
import json
import sys

import django
from django.conf import settings

PORT = int(sys.argv[1])
USERS = json.load(open(sys.argv[2], encoding="utf-8"))
SERVICE = sys.argv[3]

BASE_PAGE = """{% load i18n %}<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>统一身份认证 (test CAS)</title>
<style>body{font-family:sans-serif;margin:2em auto;max-width:22em;padding:0 1em}
input,button{display:block;width:100%;margin:.5em 0;padding:.6em;font-size:16px;box-sizing:border-box}
.sr-only{position:absolute;left:-9999px}</style>
</head><body>{% block content %}{% endblock content %}</body></html>"""

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    SECRET_KEY="campus-pass-test-cas-server-only",
    ROOT_URLCONF=__name__,
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "file:cas?mode=memory&cache=shared"}},
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "mama_cas",
    ],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ],
    TEMPLATES=[{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            # mama-cas's page takes Bootstrap from a CDN, out of reach here.
            "loaders": [
                ("django.template.loaders.locmem.Loader", {"mama_cas/__base.html": BASE_PAGE}),
                "django.template.loaders.app_directories.Loader",
            ],
            "context_processors": [
            "django.template.context_processors.request",
            "django.contrib.auth.context_processors.auth",
            "django.contrib.messages.context_processors.messages",
        ]},
    }],
    SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
    MESSAGE_STORAGE="django.contrib.messages.storage.cookie.CookieStorage",
    USE_TZ=True,
    MAMA_CAS_SERVICES=[
        {
            "SERVICE": SERVICE,
            "CALLBACKS": [__name__ + ".attributes"],
            "LOGOUT_ALLOW": True,
        },
        {"SERVICE": r"^http://127\.0\.0\.1:9/other-app", "LOGOUT_ALLOW": False},
    ],
)


def attributes(user, service):
    person = next((u for u in USERS if u["username"] == user.get_username()), {})
    return {"employeeNumber": person.get("employeeNumber", ""), "displayName": person.get("displayName", "")}


django.setup()

from django.urls import include, path  # noqa: E402

urlpatterns = [path("cas/", include("mama_cas.urls"))]

if __name__ == "__main__":
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    # The in-memory database lives while one connection holds it open.
    connection.ensure_connection()
    call_command("migrate", verbosity=0, run_syncdb=True)
    for u in USERS:
        User.objects.create_user(u["username"], password=u["password"])
    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application

    print(f"CAS test server on http://127.0.0.1:{PORT}/cas/", flush=True)
    run("127.0.0.1", PORT, get_wsgi_application(), threading=False, server_cls=WSGIServer)
