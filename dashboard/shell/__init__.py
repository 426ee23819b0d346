"""The shell around the screens: the app factory (:mod:`.app`), the server (:mod:`.server`),
the command line (:mod:`.cli`, :mod:`.cli_admin`) and what every answer gets (timing,
security headers)."""
