"""The palette of the dark wall screen (数据大屏), as CSS hex colours: the navy field, the
cyan/teal accents, amber (near-due, 临期) and red (overdue, 超期) reserved for due status,
the neutral no-data grey, the workflow-state and due-status colours, and the sequential
ramps (dark → bright) the choropleths and the heat layer use.
"""

from __future__ import annotations

#: The wall screen's field (dark navy).
BACKGROUND = "#06101f"
#: Main accent (cyan) and second accent (teal).
ACCENT = "#22d3ee"
TEAL = "#14b8a6"
#: Reserved for near-due (临期) and overdue (超期).
AMBER = "#f59e0b"
RED = "#ef4444"
#: No data / not applicable (NaN in a channel).
NEUTRAL = "#334155"

#: Workflow state code (see :mod:`gridmap.domain.workflow`) → marker colour. Open states run
#: from sky blue through cyan and teal to green as the incident moves along the loop; closed
#: and void are greys. No amber or red: those mean due status, drawn as a ring.
STATE_COLOURS: dict[str, str] = {
    "reported": "#38bdf8",
    "accepted": "#22d3ee",
    "dispatched": "#2dd4bf",
    "in_progress": "#a78bfa",
    "handled": "#4ade80",
    "verified": "#a3e635",
    "closed": "#64748b",
    "void": "#475569",
}
#: Due status (the values of :func:`gridmap.domain.sla.due_status`) → ring colour; ``""`` means
#: the stage has no deadline.
DUE_COLOURS: dict[str, str] = {
    "overdue": RED,
    "near_due": AMBER,
    "on_time": TEAL,
    "": NEUTRAL,
}


#: Sequential ramps, dark → bright, for counts on the dark field.
_RAMP_CYAN = ("#0b3d5c", "#0e5a7a", "#117a96", "#169bb0", "#22c3d0", "#5ee7e9", "#b4fbfb")
_RAMP_RED = ("#2b1a2e", "#4e1d33", "#742236", "#9c2837", "#c42f37", "#ef4444")
#: Low on-time rate is bad (red → amber), high is good (teal → cyan).
_RAMP_RATE = (RED, "#f97316", AMBER, "#84cc16", TEAL, ACCENT)
#: The colours of the open-count classes (:data:`gridmap.layers.spec.scales.OPEN_COUNT_BOUNDS`):
#: on the dark wall, and on a light page (the exported image).
OPEN_CLASS_COLOURS_DARK = ("#0a2038", "#0d3b5a", "#0f5e7a", "#13899a", "#22c3c9")
OPEN_CLASS_COLOURS_LIGHT = ("#f4f7fb", "#d6e8f5", "#9cc8e8", "#4f9bd4", "#1f5fa8")
#: Incident density (heat): stays within cyan so it never reads as overdue.
_RAMP_HEAT = ("#083344", "#0e7490", "#06b6d4", "#67e8f9", "#ecfeff")
