"""``python -m skmtl`` runs the ``skmtl`` command."""

import sys

from .cli import main

sys.exit(main())
