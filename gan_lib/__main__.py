import sys

from gan_lib.cli import main

sys.exit(main())
