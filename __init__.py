"""gridmap: the GIS "one map" (地理信息"一幅画") of a district linkage centre.

The repository root is this package. Data flows one way::

    data/  ->  geo/  ->  layers/  ->  dashboard/
                 ^
    feed/  ------+   (incident store, intake API, workflow, simulator)

Nothing here loads data at import time.
"""

__version__ = "0.1.0"
