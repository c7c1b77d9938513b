import sys

from carecycle_dash.api.logs import configure_logging
from carecycle_dash.cli import main

configure_logging()  # audit lines of scheduled exports go to stderr with a UTC time
sys.exit(main())
