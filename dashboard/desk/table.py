"""The incidents table of a drill-down page: AG Grid (dash-ag-grid, served by this server),
sorted, filtered, searched and paged in the browser over every row of the page's view, with the
total shown, a click on a row opening the incident, and "export what is shown" (CSV with a
byte-order mark, so Excel and WPS read the Chinese right).

The rows are chosen on the server (the caller's area, the page's area, the view and the
filters); descriptions are masked as the caller's role says."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import pandas as pd

from gridmap.dashboard.desk import ids
from gridmap.dashboard.shared.i18n import name_of, t
from gridmap.dashboard.shared.numbers import is_missing
from gridmap.domain.access import Scope
from gridmap.domain.categories import CATEGORY_BY_CODE, SUBCATEGORY_NAMES
from gridmap.domain.workflow import STATES

#: Columns: (field, text key, width in px; ``None``: takes the rest).
COLUMNS = (
    ("incident_id", "col_id", 235),
    ("category", "col_category", 190),
    ("place", "col_place", 170),
    ("status", "col_status", 110),
    ("due", "col_due", 95),
    ("reported", "col_reported", 165),
    ("deadline", "col_deadline", 165),
    ("department", "department", 170),
    ("description", "col_description", None),
)
#: Rows per page of the table.
PAGE_SIZE = 50
#: AG Grid's own words in Chinese (its defaults are English).
ZH_GRID_WORDS = {
    "page": "页",
    "of": "/",
    "to": "至",
    "more": "更多",
    "next": "下一页",
    "last": "末页",
    "first": "首页",
    "previous": "上一页",
    "pageSizeSelectorLabel": "每页",
    "noRowsToShow": "没有符合条件的事件",
    "loadingOoo": "加载中…",
    "filterOoo": "筛选…",
    "searchOoo": "搜索…",
    "contains": "包含",
    "notContains": "不包含",
    "equals": "等于",
    "notEqual": "不等于",
    "startsWith": "开头是",
    "endsWith": "结尾是",
    "blank": "为空",
    "notBlank": "不为空",
    "andCondition": "且",
    "orCondition": "或",
    "applyFilter": "应用",
    "resetFilter": "重置",
    "clearFilter": "清除",
    "ariaRowSelect": "选择",
}


def incident_grid(lang: str) -> dag.AgGrid:
    """The empty table (its rows come from the page's callback)."""
    columns = []
    for field, key, width in COLUMNS:
        column: dict[str, Any] = {"field": field, "headerName": t(key, lang), "filter": True}
        if width is None:
            column.update(flex=1, minWidth=200)
        else:
            column["width"] = width
        if field == "incident_id":
            column["cellClass"] = "cell-link"
        columns.append(column)
    options: dict[str, Any] = {
        "pagination": True,
        "paginationPageSize": PAGE_SIZE,
        "paginationPageSizeSelector": [20, 50, 100, 500],
        "animateRows": False,
        "suppressCellFocus": True,
        "enableCellTextSelection": True,
    }
    if lang == "zh":
        options["localeText"] = ZH_GRID_WORDS
    return dag.AgGrid(
        id=ids.DESK_GRID,
        columnDefs=columns,
        rowData=[],
        defaultColDef={"sortable": True, "resizable": True},
        dashGridOptions=options,
        csvExportParams={"fileName": "incidents.csv"},
        getRowId="params.data.incident_id",
        className="ag-theme-alpine desk-grid",
        style={"height": "100%", "width": "100%"},
    )


def table_rows(
    incidents: pd.DataFrame,
    due: list[str],
    names: dict[str, str],
    scope: Scope,
    lang: str = "zh",
) -> list[dict[str, Any]]:
    """The table's rows: category names, the community and grid, state and due mark in
    ``lang``, local times, descriptions as the caller may read them."""
    rows = []
    en = 1 if lang == "en" else 0
    for r, d in zip(incidents.to_dict("records"), due, strict=False):
        category = CATEGORY_BY_CODE.get(r["category"])
        sub = SUBCATEGORY_NAMES.get(r["subcategory"], ("", ""))[en]
        # a report outside every grid (a hotline call by address alone) has no codes: NaN
        place = names.get(_text(r.get("community_code"))) or names.get(_text(r.get("street_code")))
        rows.append(
            {
                "incident_id": r["incident_id"],
                "category": f"{name_of(category, lang) if category else ''} · {sub}",
                "place": " · ".join(p for p in (place, _text(r.get("grid_code"))[-3:]) if p),
                "status": name_of(STATES[r["status"]], lang),
                "due": t(d, lang) if d in ("overdue", "near_due") else "",
                "reported": _local(r["reported_at"]),
                "deadline": _local(r.get("deadline")),
                "department": _text(r.get("department")),
                "description": scope.text(_text(r.get("description")) or None) or "",
            }
        )
    return rows


def _text(value) -> str:
    """A text field of a row, ``""`` where the store has none (``None`` or pandas' NaN)."""
    return "" if is_missing(value) else str(value)


def _local(value) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{pd.Timestamp(value).tz_convert('Asia/Shanghai'):%Y-%m-%d %H:%M}"
