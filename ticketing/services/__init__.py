"""The service layer: every change to the ticket store, each writing its history in one transaction.

Names tell the contract (after Zulip): `access_ticket` loads a ticket and checks the actor may see
it; the other functions validate their input, make one whole change and append the history rows
about it. None of them commits: the caller owns the transaction, so a change and its history land
together or not at all.

One module per topic, as Zulip's `zerver/actions/<topic>.py`: `history` (who acts, history rows),
`validation`, `customers`, `access` (who may see and change what), `tickets` (opening, triage,
priority, assignment), `status`, `messages`, `surveys`, `queries` (filters and paging), and the
chat side: `conversations` (who holds one, hand-off and hand-back), `chat` (a turn in and out)
and `filing` (what a customer reports: onto the conversation's open ticket, or a new one). This
package re-exports their public names, so callers write `services.create_ticket(...)`. The
console's reads have modules of their own, imported by name: `queues` and `customer_panel`.
"""

from ticketing.services.access import (
    access_chat,
    access_ticket,
    can_see,
    chat_conversation,
    get_ticket,
    is_admin,
    is_supervisor,
    may_take_over,
    owning_ticket,
    require_conversation,
    require_supervisor,
    require_take_over,
    require_triage,
    ticket_conversation,
    visible_to,
)
from ticketing.services.chat import InboundRecord, record_bot_reply, record_inbound_message
from ticketing.services.conversations import (
    CUSTOMER_VISIBLE,
    EXTERNAL_ID_MAX,
    HISTORY_MAX,
    complete_hand_back,
    conversation_id_for,
    conversation_messages,
    enqueue_outbound,
    get_or_create_conversation,
    hand_back_conversation,
    hand_off_conversation,
    hand_off_ticket,
    join_conversation,
    open_ticket_of,
    send_to_conversation,
)
from ticketing.services.customers import create_customer, find_customer, get_or_create_customer
from ticketing.services.filing import Filing, Report, add_to_ticket, file_on_conversation
from ticketing.services.history import Actor, log_event
from ticketing.services.messages import (
    add_bot_message,
    add_customer_message,
    add_note,
    reply_to_customer,
)
from ticketing.services.queries import (
    SORTS,
    TicketFilters,
    TicketPage,
    decode_cursor,
    due_tickets,
    encode_cursor,
    list_tickets,
    ticket_conditions,
)
from ticketing.services.status import (
    ALLOWED_TRANSITIONS,
    change_status,
    close_ticket,
    reopen_ticket,
    resolve_ticket,
    set_status,
)
from ticketing.services.surveys import record_survey
from ticketing.services.tickets import (
    assign_ticket,
    claim_ticket,
    create_ticket,
    raise_priority,
    routed_team,
    triage_ticket,
)
from ticketing.services.validation import (
    BODY_MAX,
    CONTROL_CHARACTERS_MESSAGE,
    DESCRIPTION_MAX,
    SUBJECT_MAX,
    at_or_now,
    check_text,
    has_control_characters,
    text_field,
    without_control_characters,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "BODY_MAX",
    "CONTROL_CHARACTERS_MESSAGE",
    "CUSTOMER_VISIBLE",
    "DESCRIPTION_MAX",
    "EXTERNAL_ID_MAX",
    "HISTORY_MAX",
    "SORTS",
    "SUBJECT_MAX",
    "Actor",
    "Filing",
    "InboundRecord",
    "Report",
    "TicketFilters",
    "TicketPage",
    "access_chat",
    "access_ticket",
    "add_bot_message",
    "add_customer_message",
    "add_note",
    "add_to_ticket",
    "assign_ticket",
    "at_or_now",
    "can_see",
    "change_status",
    "chat_conversation",
    "check_text",
    "claim_ticket",
    "close_ticket",
    "complete_hand_back",
    "conversation_id_for",
    "conversation_messages",
    "create_customer",
    "create_ticket",
    "decode_cursor",
    "due_tickets",
    "encode_cursor",
    "enqueue_outbound",
    "file_on_conversation",
    "find_customer",
    "get_or_create_conversation",
    "get_or_create_customer",
    "get_ticket",
    "hand_back_conversation",
    "hand_off_conversation",
    "hand_off_ticket",
    "has_control_characters",
    "is_admin",
    "is_supervisor",
    "join_conversation",
    "list_tickets",
    "log_event",
    "may_take_over",
    "open_ticket_of",
    "owning_ticket",
    "raise_priority",
    "record_bot_reply",
    "record_inbound_message",
    "record_survey",
    "reopen_ticket",
    "reply_to_customer",
    "require_conversation",
    "require_supervisor",
    "require_take_over",
    "require_triage",
    "resolve_ticket",
    "routed_team",
    "send_to_conversation",
    "set_status",
    "text_field",
    "ticket_conditions",
    "ticket_conversation",
    "triage_ticket",
    "visible_to",
    "without_control_characters",
]
