"""The complaint flow: `complaint_form` gathers the complaint, the customer confirms a summary,
and `action_submit_complaint` (actions/complaint_filing.py) opens the ticket through the service
layer.

Whatever a message already says is taken, whichever slot the form asked for: the first message
("订单A2024-1181的鞋底开胶了") fills the description and the order number at once, and a new order
number or phone number anywhere later corrects the old one. Category and severity come from
triage when the description is taken; the customer picks the category only when triage is
unsure, and gives a phone number only when the channel does not tell us who they are.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Final

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from sqlalchemy.orm import Session

from actions import humanize
from actions.base import (
    Caller,
    Domain,
    Events,
    KefuAction,
    language_of,
    latest_entity_values,
    latest_intent,
    latest_text,
    looks_like_chat_sender,
)
from actions.forms import (
    NOT_A_VALUE,
    NOT_AN_ANSWER,
    CallerLookup,
    DynamicSlotsForm,
    checked,
    end_form,
    typed_answer,
)
from actions.language import is_payload
from ticketing import services, triage
from ticketing.models import Category, Severity, Tier

log = logging.getLogger(__name__)

FORM: Final = "complaint_form"
DESCRIPTION: Final = "complaint_description"
ORDER_NUMBER: Final = "order_number"
CONTACT_PHONE: Final = "contact_phone"
CATEGORY: Final = "complaint_category"
SEVERITY: Final = "severity"
CONFIRMATION: Final = "complaint_confirmation"
# "asked" after a "no" at the summary: the form asks what to change instead of showing it again.
CHANGE: Final = "complaint_change"
ASKED: Final = "asked"
COMPLAINT_SLOTS: Final = (
    DESCRIPTION,
    ORDER_NUMBER,
    CONTACT_PHONE,
    CATEGORY,
    SEVERITY,
    CONFIRMATION,
    CHANGE,
)
# Summary buttons send /inform{"complaint_field": "<slot>"} to change one answer.
CORRECTABLE: Final = frozenset({DESCRIPTION, ORDER_NUMBER, CONTACT_PHONE, CATEGORY})
FIELD_ENTITY: Final = "complaint_field"
CONFIRMED: Final = "yes"
# What the confirmation extractor passes to its validator (only required slots pass through
# rasa-sdk's validation, so `complaint_change` is set there): a bare "no", or a changed answer.
SAID_NO: Final = "no"
CHANGED: Final = "changed"
NO_ORDER_NUMBER: Final = ""  # the customer has none: a filled slot that is not an order number
# A question about returns or delivery while the bot asks what happened is answered, not filed;
# "your returns policy is a rip-off" (also faq to the NLU) is a complaint.
_QUESTION: Final = re.compile(
    r"[?？]\s*$|吗|嗎|怎么|怎麼|如何|多久|多少|能不能|可不可以|是否|哪里|哪裡|什么时候|什麼時候|"
    r"^\s*(?:how|what|when|where|which|can|could|do|does|is|are|will|why)\b",
    re.IGNORECASE,
)
NO_ORDER_WORDS: Final = re.compile(
    r"没有|沒有|无订单|無訂單|不知道|忘了|\bno\b|\bnone\b|\bdon'?t (?:have|know)\b|\bn/?a\b",
    re.IGNORECASE,
)
# What a message at the summary says the type is ("no, it's about the price", "是物流的问题"):
# anywhere in the message, unlike the category entity, which must be the whole answer.
_NAMED_CATEGORY: Final = tuple(
    (category, re.compile(words, re.IGNORECASE))
    for category, words in (
        (Category.PRICE, r"价格|價格|价钱|價錢|差价|差價|\bpric(?:e|es|ing)\b"),
        (Category.DELIVERY, r"物流|快递|快遞|配送|\b(?:delivery|shipping|courier|logistics)\b"),
        (Category.PRODUCT_QUALITY, r"质量|質量|品质|品質|\b(?:quality|defect|defective)\b"),
        (Category.SERVICE, r"服务|服務|态度|態度|\b(?:service|staff)\b"),
        (Category.CONTRACT, r"合同|订单条款|訂單條款|\b(?:contract|order terms)\b"),
        (Category.POLICY, r"政策|\b(?:policy|returns? policy)\b"),
        (Category.OTHER, r"其他|其它|\bsomething else\b"),
    )
)
SNIPPET_CHARS: Final = 100

# What the first message must say beyond "I want to complain" to count as the description:
# those words, order and phone numbers and particles are removed, and what is left must have
# four Han characters or two words of three letters.
_REQUEST_WORDS: Final = re.compile(
    r"我们|我|你们|你們|您好|你好|客服|请问|請問|想要|想|要|需要|一下|投诉|投訴|申诉|申訴|反映|反馈|"
    r"反饋|问题|問題|订单号|訂單號|订单|訂單|的|了|吗|嗎|呢|啊|吧|个|個|"
    r"\b(?:i|i'd|i'm|we|want|would|like|need|to|file|make|lodge|submit|raise|a|an|the|about|"
    r"complaint|complain|complaining|please|hi|hello|hey|have|my|order|number|there|with|"
    r"your|you|is|am|are|for|this|it|of)\b",
    re.IGNORECASE,
)
_HAN: Final = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD: Final = re.compile(r"[A-Za-z]{3,}")


def has_words(text: str) -> bool:
    """Some letters or Han characters, not just emoji, digits or punctuation."""
    return any(unicodedata.category(char).startswith("L") for char in text)


def says_what_happened(text: str) -> bool:
    """Whether a first message describes the problem, beyond asking to complain."""
    rest = text
    for number in (*triage.extract_order_numbers(text), *triage.extract_phone_numbers(text)):
        rest = rest.replace(number, " ")
    rest = re.sub(r"[A-Za-z]\d{4}-?\d{3,6}|\+?\d[\d\s-]{6,}\d", " ", triage.normalize(rest))
    rest = _REQUEST_WORDS.sub(" ", rest)
    return len(_HAN.findall(rest)) >= 4 or len(_WORD.findall(rest)) >= 2


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def mask_phone(phone: str) -> str:
    """+8613800138000 as +86 138****8000: the customer recognises it, a screen reader does not
    show it whole."""
    if phone.startswith("+86") and len(phone) == 14:
        return f"+86 {phone[3:6]}****{phone[-4:]}"
    return f"{phone[:4]}****{phone[-4:]}" if len(phone) > 8 else phone


def category_from_words(text: str) -> Category | None:
    """A category named in a message ("物流配送", "delivery", "product_quality")."""
    folded = triage.normalize(text).strip().lower()
    if not folded:
        return None
    if folded in {category.value for category in Category}:
        return Category(folded)
    for category in Category:
        names = (category.value, *humanize.CATEGORY_LABELS[category].values())
        if any(name.lower() in folded for name in names):
            return category
    return None


def category_value(text: str) -> str | None:
    """The slot value of the category a message names."""
    named = category_from_words(text)
    return named.value if named is not None else None


# A message may name several numbers: the first is the one meant.
def first_order_number(text: str) -> str | None:
    numbers = triage.extract_order_numbers(text)
    return numbers[0] if numbers else None


def first_phone_number(text: str) -> str | None:
    phones = triage.extract_phone_numbers(text)
    return phones[0] if phones else None


def named_category(text: str) -> str | None:
    """The type a message at the summary names, when it names exactly one."""
    named = {category.value for category, words in _NAMED_CATEGORY if words.search(text)}
    return named.pop() if len(named) == 1 else None


def _gives_new_value(field: str, text: str) -> bool:
    """Whether a correction names the new order or phone number, or the type, itself."""
    if field == ORDER_NUMBER:
        return bool(triage.extract_order_numbers(text))
    if field == CONTACT_PHONE:
        return bool(triage.extract_phone_numbers(text))
    if field == CATEGORY:
        return named_category(text) is not None
    return False


def _names_a_fix(text: str) -> bool:
    """Whether a message at the summary carries a new order number, phone number or type."""
    return any(_gives_new_value(field, text) for field in (ORDER_NUMBER, CONTACT_PHONE, CATEGORY))


# --- the form -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallerFacts:
    """Whether the channel identifies the customer, and their tier."""

    identified: bool
    tier: Tier | None

    @classmethod
    def of(cls, session: Session, caller: Caller) -> CallerFacts:
        return cls(caller.identified, caller.tier)

    @classmethod
    def store_down(cls, tracker: Tracker) -> CallerFacts:
        """A chat conversation (web:..., telegram:...) is taken as identified: its customer is
        in the store."""
        return cls(looks_like_chat_sender(tracker.sender_id), None)


caller_facts: Final = CallerLookup("caller", CallerFacts.of, CallerFacts.store_down)


class ValidateComplaintForm(DynamicSlotsForm):
    """Extracts and checks the complaint form's slots; runs triage on the description."""

    lookups = (caller_facts,)

    def name(self) -> str:
        return "validate_complaint_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Domain,
    ) -> list[str]:
        facts = await caller_facts(tracker)
        return [slot for slot in domain_slots if slot != CONTACT_PHONE or not facts.identified]

    # --- extraction: what the latest message says, whichever slot was asked for

    def extract_complaint_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        text = latest_text(tracker).strip()
        intent = latest_intent(tracker)
        if not text or is_payload(text) or intent in NOT_AN_ANSWER:
            return {}
        if intent == "faq" and _QUESTION.search(text):
            return {}
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested == DESCRIPTION:
            return {DESCRIPTION: text}
        first_message = requested is None and tracker.get_slot(DESCRIPTION) is None
        if first_message and says_what_happened(text):
            return {DESCRIPTION: text}
        return {}

    def extract_order_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        text = latest_text(tracker)
        if is_payload(text):
            return {}
        number = first_order_number(text)
        if number is not None:
            return {ORDER_NUMBER: number}
        if tracker.get_slot(REQUESTED_SLOT) != ORDER_NUMBER or latest_entity_values(
            tracker, ORDER_NUMBER
        ):
            return {}
        intent = latest_intent(tracker)
        if intent == "deny" or (
            NO_ORDER_WORDS.search(text) and not any(char.isdigit() for char in text)
        ):
            return {ORDER_NUMBER: NO_ORDER_NUMBER}
        if text.strip() and intent not in NOT_A_VALUE:
            return {ORDER_NUMBER: text.strip()}  # validation says what an order number looks like
        return {}

    def extract_contact_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        text = latest_text(tracker)
        # A phone number anywhere in a message, or what is typed when asked (validation judges).
        phone = first_phone_number(text) if not is_payload(text) else None
        answer = phone or typed_answer(tracker, CONTACT_PHONE, "phone_number")
        return {CONTACT_PHONE: answer} if answer is not None else {}

    def extract_complaint_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        text = typed_answer(tracker, CATEGORY, "category")
        if text is None:
            return {}
        return {CATEGORY: category_value(text) or text}

    def extract_complaint_confirmation(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        """Yes files; a change button, or a message naming the change, changes one answer; a
        bare "no" asks what to change. Only an explicit cancel cancels (the rules do)."""
        if tracker.get_slot(REQUESTED_SLOT) != CONFIRMATION:
            return {}
        intent = latest_intent(tracker)
        if intent == "affirm":
            return {CONFIRMATION: CONFIRMED}
        text = "" if is_payload(latest_text(tracker)) else latest_text(tracker)
        fields = [value for value in latest_entity_values(tracker, FIELD_ENTITY) if value]
        if fields and fields[0] in CORRECTABLE:
            if _gives_new_value(fields[0], text):
                # "电话写错了，应该是13912345678": the new value is taken; confirm again.
                return self._changed(fields[0], text)
            # Empty the answer to change: the form asks for it again, then for confirmation.
            return {fields[0]: None, CONFIRMATION: CHANGED}
        if intent not in NOT_AN_ANSWER - {"deny"} and _names_a_fix(text):
            # "no, it's about the price", "订单号是A2025-0110": applied, then the summary again.
            return self._changed(CATEGORY, text)
        if intent == "deny":
            return {CONFIRMATION: SAID_NO}
        if intent not in NOT_A_VALUE:
            # Neither yes nor a change nor a question (a stray phone number, "嗯", noise): the
            # summary (or the question what to change) is shown again rather than leaving the
            # customer to a fallback.
            return {CONFIRMATION: None}
        return {}

    @staticmethod
    def _changed(field: str, text: str) -> dict[str, Any]:
        """The new type a correction names (its order or phone number is taken by their own
        extractors), and the summary shown again."""
        category = named_category(text) if field == CATEGORY else None
        changed: dict[str, Any] = {CATEGORY: category} if category is not None else {}
        return {**changed, CONFIRMATION: CHANGED}

    # --- validation: normalise, or return {slot: None} to ask again

    async def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        text = str(value).strip() if value is not None else ""
        if not has_words(text):
            if value is not None and tracker.get_slot(REQUESTED_SLOT) == DESCRIPTION:
                dispatcher.utter_message(response="utter_invalid_complaint_description")
            return {DESCRIPTION: None}
        text = text[: services.DESCRIPTION_MAX]
        facts = await caller_facts(tracker)
        try:
            found = triage.triage(text, tier=facts.tier)
            category = None if found.unsure else found.category.value
            severity = found.severity
        except Exception as exc:  # no classifier: the customer picks, the rules still judge
            log.warning("triage failed: %s", type(exc).__name__)
            category = None
            major = triage.severity_reasons(text, tier=facts.tier)
            severity = Severity.MAJOR if major else Severity.GENERAL
        return {DESCRIPTION: text, CATEGORY: category, SEVERITY: severity.value}

    def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        if value is None or value == NO_ORDER_NUMBER:
            return {ORDER_NUMBER: value}
        return checked(ORDER_NUMBER, value, first_order_number, dispatcher, tracker)

    def validate_contact_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        return checked(CONTACT_PHONE, value, first_phone_number, dispatcher, tracker)

    def validate_complaint_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        return checked(CATEGORY, value, category_value, dispatcher, tracker)

    def validate_complaint_confirmation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> dict[str, Any]:
        if value == SAID_NO:
            return {CONFIRMATION: None, CHANGE: ASKED}
        if value == CHANGED and tracker.get_slot(CHANGE) is not None:
            return {CONFIRMATION: None, CHANGE: None}  # told what to change: the summary again
        return {CONFIRMATION: CONFIRMED if value == CONFIRMED else None}


class ActionAskComplaintConfirmation(KefuAction):
    """Shows the complaint as it will be filed, with buttons to submit, change or cancel it."""

    def name(self) -> str:
        return "action_ask_complaint_confirmation"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> Events:
        phone = tracker.get_slot(CONTACT_PHONE)
        if tracker.get_slot(CHANGE) == ASKED:
            # After a "no": which answer to change, with a button for each (and cancel).
            dispatcher.utter_message(
                response="utter_ask_complaint_change_with_phone"
                if phone
                else "utter_ask_complaint_change"
            )
            return []
        language = language_of(tracker)
        if tracker.get_slot(SEVERITY) == Severity.MAJOR.value:
            dispatcher.utter_message(response="utter_complaint_is_major")
        order = tracker.get_slot(ORDER_NUMBER) or ("none" if humanize.english(language) else "无")
        values = {
            "description": snippet(str(tracker.get_slot(DESCRIPTION) or "")),
            "order": order,
            "category": humanize.category_label(tracker.get_slot(CATEGORY), language),
        }
        if phone:
            dispatcher.utter_message(
                response="utter_ask_complaint_confirmation_with_phone",
                phone=mask_phone(str(phone)),
                **values,
            )
        else:
            dispatcher.utter_message(response="utter_ask_complaint_confirmation", **values)
        return []


# --- forgetting the answers: filed (actions/complaint_filing.py) or cancelled -------------------


def forget_complaint(*, keep: tuple[str, ...] = ()) -> Events:
    return [SlotSet(slot, None) for slot in COMPLAINT_SLOTS if slot not in keep]


class ActionCancelComplaint(KefuAction):
    """The customer cancelled (or declined the summary): nothing is filed, the answers go."""

    def name(self) -> str:
        return "action_cancel_complaint"

    def events_on_failure(self, tracker: Tracker) -> Events:
        return [*forget_complaint(), *end_form()]

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> Events:
        dispatcher.utter_message(response="utter_complaint_cancelled")
        return [*forget_complaint(), *end_form()]
