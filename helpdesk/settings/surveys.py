"""Customer satisfaction (CSAT) surveys after a ticket is solved; NPS campaigns need no setting."""

from .env import env

# Ask the customer how we did once their ticket is solved.
CSAT_ENABLED = env.bool("CSAT_ENABLED", default=True)
# "good_bad" (two links, one click) or "one_to_five".
CSAT_SCALE = env.str("CSAT_SCALE", default="good_bad")
# Wait this long after a ticket is solved, so a quick "thanks!" reopening it does not get a survey.
CSAT_DELAY_MINUTES = env.int("CSAT_DELAY_MINUTES", default=0)
