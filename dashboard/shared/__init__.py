"""What the screens share: the caller's scope (:mod:`.auth`), the per-process context of
store and caches (:mod:`.context`), texts in Chinese and English (:mod:`.i18n`), checks of
callback inputs (:mod:`.inputs`), the map's frame and style (:mod:`.mapview`) and the
geometry routes every map loads (:mod:`.georoutes`)."""
