from moodplayer.commands import main

raise SystemExit(main())
