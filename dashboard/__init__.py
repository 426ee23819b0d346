"""Dash pages, callbacks, the wall screen, exports UI, auth and the ``gridmap`` CLI."""
