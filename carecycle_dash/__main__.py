import sys

from carecycle_dash.cli import main
from carecycle_dash.text.logs import configure_logging

configure_logging()  # audit lines of scheduled exports go to stderr with a UTC time
sys.exit(main())
