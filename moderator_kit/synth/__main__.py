"""``python -m moderator_kit.synth --out sample_data`` regenerates the bundled sample data."""

import sys

from moderator_kit.synth.sample import main

sys.exit(main())
