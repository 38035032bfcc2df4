import sys

from canary_tui.cli.main import main

sys.exit(main())
