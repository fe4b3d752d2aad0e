import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules) lives as long as the process. Frozen,
# it is no longer walked by every full garbage collection: at 50,000 trials those paused about
# one API request in fifteen for 50-100 ms, 20 ms once frozen (docs/benchmarks.md#what-changed).
gc.collect()
gc.freeze()
