"""The dashboard, one package per screen: :mod:`.wall` (the district centre's wall),
:mod:`.desk` (street offices and community workstations), :mod:`.login` (signing in and
out); what they share in :mod:`.shared`; the app factory, server and command line in
:mod:`.shell`. Screens import :mod:`.shared`, never each other; only :mod:`.shell` puts them
together."""
