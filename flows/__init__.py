"""newsclean flows: Prefect orchestration and the command line.

Prefect runs in its embedded mode (a temporary local server per process) and must never reach the
network: analytics are switched off before Prefect is first imported. Users may override these.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
