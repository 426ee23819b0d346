"""The probe's district: a small demo store with two street offices, a community, the centre
and API keys of one street, another and the whole district; logins on. The security tests
and the map-scope tests sign in to it as each of them."""

from __future__ import annotations

from pathlib import Path

from gridmap.feed.store import open_store
from gridmap.settings import Settings

from .conftest import demo_store

PASSWORD = "probe-secret-1"


def probe_app(data: Path):
    """The dashboard over a demo store in ``data``, with ``url``, ``mine`` (street1's street),
    ``other`` (street2's), ``community`` (comm1's, in ``mine``), ``keys`` and ``theirs`` (an
    open located incident of ``other``) set on it."""
    url = demo_store(data, incidents=3000, seed=21)
    with open_store(url) as store:
        counts = store.get_incidents(open_only=True)["street_code"].value_counts()
        mine, other = counts.index[0], counts.index[1]
        communities = store.get_areas("community")
        community = communities.loc[communities["code"].str.startswith(mine), "code"].iloc[0]
        store.add_user("street1", "street", mine, PASSWORD)
        store.add_user("street2", "street", other, PASSWORD)
        store.add_user("comm1", "community", community, PASSWORD)
        store.add_user("centre1", "centre", None, PASSWORD)
        keys = {
            "mine": store.add_api_key("街道一APP", area_code=mine),
            "other": store.add_api_key("街道二APP", area_code=other),
            "district": store.add_api_key("12345热线"),
        }
        theirs = store.get_incidents(open_only=True, area_code=other).dropna(subset=["lon"])
    from gridmap.dashboard.shell.app import create_app

    dash_app = create_app(Settings(store_url=url, data_dir=data, auth=True))
    dash_app.url, dash_app.mine, dash_app.other, dash_app.community = url, mine, other, community
    dash_app.keys = keys
    dash_app.theirs = theirs.iloc[0].to_dict()
    return dash_app


def login(app, user: str, password: str = PASSWORD):
    """A test client signed in as ``user``."""
    client = app.server.test_client()
    answer = client.post("/login", data={"username": user, "password": password})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:200]
    return client
