"""Chinese display names for legends and tooltips: the due statuses (超期, 临期, 正常, 无时限) and
the fields layers show (area figures, incident and building attributes).
"""

from __future__ import annotations

#: Due status → Chinese name.
DUE_LABELS: dict[str, str] = {
    "overdue": "超期",
    "near_due": "临期",
    "on_time": "正常",
    "": "无时限",
}


#: Field name → Chinese label, for tooltips and legends.
FIELD_LABELS: dict[str, str] = {
    "code": "编码",
    "name": "名称",
    "open": "未结案件",
    "overdue": "超期",
    "near_due": "临期",
    "reported": "上报",
    "closed": "结案",
    "on_time_rate": "按期处置率",
    "closure_rate": "结案率",
    "mean_hours_to_close": "平均结案时长(小时)",
    "count": "事件数",
    "incident_id": "事件编号",
    "category": "大类",
    "subcategory": "小类",
    "status": "状态",
    "due": "时限",
    "reported_at": "上报时间",
    "deadline": "时限截止",
    "description": "描述",
    "floors": "层数",
    "households": "户数",
    "population": "人口",
    "worker": "网格员",
}
