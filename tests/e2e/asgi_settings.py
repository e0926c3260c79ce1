"""Settings of the daphne process the WebSocket browser tests start: the test settings, with
static files served from the source folders (nothing is collected in tests)."""

from tests.settings import *  # noqa: F403

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
