"""The web pages: server-rendered HTML (Jinja2) over the same use cases as the JSON API.

One more driving adapter inside the same Litestar app: `web_router` gathers the page controllers
behind the browser session cookie, CSRF protection and the security headers; `TEMPLATES` is the
app's template configuration. Handlers take the same dependency keys as the API's (the use cases
of `adapters/http/services.py`), so no rule is written twice.
"""
