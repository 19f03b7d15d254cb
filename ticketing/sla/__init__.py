"""SLA: business calendars, a ticket's clocks and their deadlines, and the worker's sweep.

The one place that computes a deadline. Its modules, from the inside out:

- `calendar`: business calendars and business time (pure);
- `official`: China's official holidays and make-up working days for a calendar;
- `metrics`: the table of SLA clocks that everything below walks;
- `clock`: targets and deadlines, and how replies, pauses and resolutions move them (pure);
- `checkpoints`: when the worker warns and breaches (pure);
- `policy`: which policy a ticket gets, its targets and calendar;
- `ticket_state`: a ticket's SLA state on its columns, started and re-targeted;
- `overdue`: which clocks are overdue, in Python and in SQL;
- `verdicts`: one verdict per deadline, met or missed, decided once, with the time it took;
- `view`: the clocks as the console shows them;
- `escalations`: the worker's sweep: warnings, breaches, escalations (import it as
  `ticketing.sla.escalations`: it uses the service layer, so this package does not load it).
"""

from ticketing.sla.calendar import (
    WEEKDAYS,
    Calendar,
    CalendarError,
    add_business_time,
    business_time_between,
    subtract_business_time,
)
from ticketing.sla.checkpoints import (
    DEFAULT_WARNING_PERCENT,
    Checkpoint,
    checkpoints,
    next_check_at,
)
from ticketing.sla.clock import (
    SlaState,
    Targets,
    agent_replied,
    customer_wrote,
    is_breached,
    pause,
    reopened,
    resolved,
    resume,
    start,
)
from ticketing.sla.metrics import METRICS, Metric
from ticketing.sla.overdue import breached_condition, sla_breaches
from ticketing.sla.policy import calendar_of, find_policy, targets_of
from ticketing.sla.ticket_state import (
    calendar_of_ticket,
    retarget,
    set_state,
    start_clocks,
    state_of,
    targets_of_ticket,
)
from ticketing.sla.verdicts import Stop, agent_replies, clocks_stopped
from ticketing.sla.view import ClockView, clocks

__all__ = [
    "DEFAULT_WARNING_PERCENT",
    "METRICS",
    "WEEKDAYS",
    "Calendar",
    "CalendarError",
    "Checkpoint",
    "ClockView",
    "Metric",
    "SlaState",
    "Stop",
    "Targets",
    "add_business_time",
    "agent_replied",
    "agent_replies",
    "breached_condition",
    "business_time_between",
    "calendar_of",
    "calendar_of_ticket",
    "checkpoints",
    "clocks",
    "clocks_stopped",
    "customer_wrote",
    "find_policy",
    "is_breached",
    "next_check_at",
    "pause",
    "reopened",
    "resolved",
    "resume",
    "retarget",
    "set_state",
    "sla_breaches",
    "start",
    "start_clocks",
    "state_of",
    "subtract_business_time",
    "targets_of",
    "targets_of_ticket",
]
