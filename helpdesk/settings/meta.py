"""Facebook Messenger and Instagram (channels_in/social/meta): one app and page from the environment;
more apps and pages in the admin."""

from .env import env

# The Meta app: its secret signs every webhook (X-Hub-Signature-256); the verify token is what we
# typed into the app's webhook settings, echoed back by Meta when it checks the callback URL.
META_APP_SECRET = env.str("META_APP_SECRET", default="")
META_VERIFY_TOKEN = env.str("META_VERIFY_TOKEN", default="")
# One Facebook page (and the Instagram professional account linked to it) for a single-page setup.
META_PAGE_ID = env.str("META_PAGE_ID", default="")
META_PAGE_TOKEN = env.str("META_PAGE_TOKEN", default="")
META_INSTAGRAM_ID = env.str("META_INSTAGRAM_ID", default="")
# A webhook body larger than this is refused before its signature is computed.
META_WEBHOOK_MAX_BYTES = env.int("META_WEBHOOK_MAX_BYTES", default=1024 * 1024)
META_GRAPH_URL = env.str("META_GRAPH_URL", default="https://graph.facebook.com/v21.0").rstrip("/")
