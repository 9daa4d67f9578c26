import sys

from moodplayer.provision.steps import main

sys.exit(main())
