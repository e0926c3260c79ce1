"""Settings, assembled from one module per concern; every value comes from the environment.

`base` holds Django core; the others add Celery, Channels, mail and production hardening.
`.env.example` documents every variable.
"""

from .base import *  # noqa: F403
from .celery import *  # noqa: F403
from .channels import *  # noqa: F403
from .email import *  # noqa: F403
from .meta import *  # noqa: F403
from .security import *  # noqa: F403
from .surveys import *  # noqa: F403
from .telegram import *  # noqa: F403
from .twilio import *  # noqa: F403
from .x import *  # noqa: F403
