"""Area codes against the national division table."""

from __future__ import annotations

import pandas as pd

from gridmap.geo.divisions import check_codes, reference


def test_reference_holds_todays_codes():
    districts = reference("district")
    assert districts["510108"] == "成华区" and districts["510117"] == "郫都区"
    assert "510124" not in districts  # 郫县, abolished in 2016
    streets = reference("street")
    assert all(len(code) == 9 and code[:6] in districts for code in streets)
    assert not any(name.endswith("居委会") for name in reference("community").values())


def test_old_and_misnamed_codes_are_reported_with_todays_code():
    codes = pd.Series(["510108", "510124", "510104", "510199", "110101"])
    names = pd.Series(["成华区", "郫都区", "青羊区", "无名区", "东城区"])
    issues = {i["code"]: i for i in check_codes(codes, names, "district")}
    assert set(issues) == {"510124", "510104", "510199"}  # other cities are not judged
    assert issues["510124"]["problem"] == "unknown_code"
    assert issues["510124"]["suggested"] == "510117"
    assert "510117" in issues["510124"]["message"]
    assert issues["510104"]["problem"] == "other_name" and "锦江区" in issues["510104"]["message"]
    assert issues["510199"]["suggested"] == ""
    # a county that became a district keeps its name but for 县 → 区
    (county,) = check_codes(pd.Series(["510132"]), pd.Series(["新津县"]), "district")
    assert county["suggested"] == "510118" and "新津区" in county["message"]


def test_community_names_match_with_or_without_their_suffix():
    code = "510104017001"  # 水井坊社区居委会 in the table
    assert check_codes(pd.Series([code]), pd.Series(["水井坊社区"]), "community") == []
    assert check_codes(pd.Series([code]), pd.Series(["水井坊社区居委会"]), "community") == []
    assert check_codes(pd.Series([code]), pd.Series(["x"]), "grid") == []
