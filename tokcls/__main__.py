import sys

from tokcls.cli import main

sys.exit(main())
