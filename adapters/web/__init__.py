"""The web pages: server-rendered HTML (Jinja2) over the same use cases as the JSON API.

One more driving adapter inside the same Litestar app: `router.web_router` gathers the page
controllers behind the browser session cookie, CSRF protection and the security headers;
`router.TEMPLATES` is the app's template configuration. Handlers take the same dependency keys as
the API's (the use cases of `adapters/http/services.py`), so no rule is written twice.

Adding a page:
- a Controller in `adapters/web/<feature>.py`; its handlers take use cases by the API's dependency
  keys (`list_plans: NamedDependency[SkipValidation[ListPlans]]`) and `web_principal:
  NamedDependency[Principal]` for a signed-in page (a stranger gets 303 to /signin) or
  `browser_principal: NamedDependency[Principal | None]` for an open one;
- it answers `pages.page(request, "<feature>.html", title=..., principal=..., **context)`; the
  template extends `base.html` and fills `{% block main %}`; scripts are files under `static/`
  loaded as `<script src="/assets/x.js" defer>` from `{% block scripts %}` (no inline code or style:
  the CSP refuses it);
- a POST form carries `<input type="hidden" name="_csrf_token" value="{{ csrf }}">`; a script's
  fetch sends `X-CSRF-Token` from `<meta name="csrf-token">`; forms decode with `forms.form_of`
  into a Struct; a use case's refusal shows the page again with the reason (`status_of(error)`),
  a success redirects with 303;
- the controller joins `router.PAGES`; the browser tests go in `tests/e2e/web/` (fixtures `web`,
  `page`, `phone`, `shots`; helpers in `tests/support/browser.py`: `sign_in_with_extension`,
  `assert_accessible`, `has_horizontal_scroll`, `screenshots`).
"""
