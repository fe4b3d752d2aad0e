"""The stylesheet and the API docs assets are served by the app itself, also with DEBUG off."""

from django.core.management import call_command


def test_collected_static_files_are_served_with_debug_off(client, settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", "--noinput", verbosity=0)
    from whitenoise.middleware import WhiteNoiseMiddleware

    # WhiteNoise indexes STATIC_ROOT when the middleware starts: start one on the collected files.
    middleware = WhiteNoiseMiddleware(get_response=lambda request: None)

    assert middleware.files.get("/static/css/tracker.css") is not None
    assert any(url.startswith("/static/drf_spectacular_sidecar/") for url in middleware.files)
