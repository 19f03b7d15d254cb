"""The two-stage fallback: the first time the bot does not understand it asks the customer to
rephrase; the second time in a row it offers a person (buttons: talk to an agent, keep trying)."""

from __future__ import annotations

from typing import Final

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Domain, Events, KefuAction, previous_bot_actions

REPHRASE: Final = "utter_ask_rephrase"
REPHRASE_FALLBACK: Final = "utter_default"  # until the NLU data brings utter_ask_rephrase
OFFER_HUMAN: Final = "utter_offer_human"


class ActionFallback(KefuAction):
    """Asks to rephrase, or offers a human when the bot did not understand last time either."""

    def name(self) -> str:
        return "action_fallback"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Domain
    ) -> Events:
        if self.name() in previous_bot_actions(tracker):
            dispatcher.utter_message(response=OFFER_HUMAN)
        elif REPHRASE in (domain.get("responses") or {}):
            dispatcher.utter_message(response=REPHRASE)
        else:
            dispatcher.utter_message(response=REPHRASE_FALLBACK)
        return []
