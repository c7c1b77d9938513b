import sys

from carecycle_dash.cli import main

sys.exit(main())
