"""When the bot does not understand, or the question is not one it was trained on: first the
knowledge base (a published article that answers it, then "Did this answer your question?");
else the two-stage fallback: the first time it asks the customer to rephrase, the second time in a
row it offers a person (buttons: talk to an agent, keep trying). An out-of-scope message with no
article gets the out-of-scope reply. A question no article answered is kept for supervisors."""

from __future__ import annotations

from typing import Final

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import (
    Domain,
    Events,
    KefuAction,
    language_of,
    latest_intent,
    latest_text,
    previous_bot_actions,
)
from actions.knowledge import ASK_HELPFUL, answer_from_articles, record_unanswered

REPHRASE: Final = "utter_ask_rephrase"
REPHRASE_FALLBACK: Final = "utter_default"  # until the NLU data brings utter_ask_rephrase
OFFER_HUMAN: Final = "utter_offer_human"
OUT_OF_SCOPE: Final = "utter_out_of_scope"
# True after the bot answered from an article and asked whether that helped: the rules then
# read the customer's "no" as "that did not help" (offer a person), not "I'll keep trying".
ANSWERED_SLOT: Final = "knowledge_answered"


class ActionFallback(KefuAction):
    """An article's answer, or: asks to rephrase, or offers a human when the bot did not
    understand last time either."""

    def name(self) -> str:
        return "action_fallback"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> Events:
        question, language = latest_text(tracker), language_of(tracker)
        answer = await answer_from_articles(question, language)
        if answer is not None:
            dispatcher.utter_message(text=answer.text)
            dispatcher.utter_message(response=ASK_HELPFUL)
            return [SlotSet(ANSWERED_SLOT, True)]
        await record_unanswered(question, language)
        responses = domain.get("responses") or {}
        if self.name() in previous_bot_actions(tracker):
            dispatcher.utter_message(response=OFFER_HUMAN)
        elif latest_intent(tracker) == "out_of_scope" and OUT_OF_SCOPE in responses:
            dispatcher.utter_message(response=OUT_OF_SCOPE)
        elif REPHRASE in responses:
            dispatcher.utter_message(response=REPHRASE)
        else:
            dispatcher.utter_message(response=REPHRASE_FALLBACK)
        return [SlotSet(ANSWERED_SLOT, False)]
