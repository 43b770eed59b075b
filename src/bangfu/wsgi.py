import os

from django.core.wsgi import get_wsgi_application

from bangfu.core.filemodes import restrict_process

# Uploads and anything else the server writes hold personal data (docs/operations.md).
restrict_process()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
application = get_wsgi_application()
