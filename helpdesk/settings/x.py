"""X (Twitter): one account from the environment; more accounts and keyword searches in the admin.

The channel costs nothing while none of this is set and no account exists in the admin: the poller
then makes no request at all. X bills by API plan, so the poll interval has a floor.
"""

from .env import env

# App-only token: reads mentions and keyword searches.
X_BEARER_TOKEN = env.str("X_BEARER_TOKEN", default="")
# OAuth 1.0a user context of the account: posts replies, reads and sends direct messages.
X_CONSUMER_KEY = env.str("X_CONSUMER_KEY", default="")
X_CONSUMER_SECRET = env.str("X_CONSUMER_SECRET", default="")
X_ACCESS_TOKEN = env.str("X_ACCESS_TOKEN", default="")
X_ACCESS_TOKEN_SECRET = env.str("X_ACCESS_TOKEN_SECRET", default="")
# The numeric id of the account (not the @handle), and its handle for display.
X_USER_ID = env.str("X_USER_ID", default="")
X_HANDLE = env.str("X_HANDLE", default="")
# Seconds between two polls of one account, and the floor no account may go below (the plan's limit).
X_POLL_INTERVAL = env.int("X_POLL_INTERVAL", default=120)
X_MIN_POLL_INTERVAL = env.int("X_MIN_POLL_INTERVAL", default=60)
