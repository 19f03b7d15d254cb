"""`rasa data validate` on our config, domain and training data: no errors, and no warnings but
the ones Rasa 3.6's validator cannot avoid for a bot like ours, each checked to be what it says.

Rasa warns of responses that no story or rule names; ours are also sent by custom actions
(`dispatcher.utter_message(response=...)`) and forms (`utter_ask_<slot>`), which it cannot see.
It warns that an external intent (`EXTERNAL_follow_up`, sent by the follow-up scheduler, never
typed) has no NLU examples, and that the retrieval intent `faq` is listed twice (once by the
domain, once from the NLU data; without the domain's line the rules name an unknown intent).
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.servers import ROOT, run_rasa

pytestmark = pytest.mark.rasa

WARNING = re.compile(r"UserWarning: (.+)")
UNUSED_RESPONSE = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule\.")
EXTERNAL_WITHOUT_EXAMPLES = re.compile(
    r"The intent '(EXTERNAL_\w+)' is listed in the domain file, but is not found in the NLU "
    r"training data\."
)
FAQ_TWICE = "The following duplicated intents have been found across multiple domain files: faq"


def _action_code() -> str:
    return "\n".join(path.read_text("utf-8") for path in (ROOT / "actions").glob("*.py"))


def _form_slots() -> set[str]:
    slots: set[str] = set()
    for path in (ROOT / "bot" / "assistant" / "domain").glob("*.yml"):
        forms = (yaml.safe_load(path.read_text("utf-8")) or {}).get("forms") or {}
        for form in forms.values():
            slots.update(form.get("required_slots") or [])
    return slots


def _used_by_code(response: str, code: str, form_slots: set[str]) -> bool:
    if response.removeprefix("utter_ask_") in form_slots:
        return True  # a form asks for its slot with utter_ask_<slot>
    if f'"{response}"' in code:
        return True
    # Built from a prefix: utter_invalid_{slot} for a slot a validator rejects.
    return response.startswith("utter_invalid_") and response.removeprefix("utter_invalid_") in (
        form_slots | {"ticket_number", "csat_score", "nps_score"}
    )


def test_rasa_data_validate_is_clean() -> None:
    result = run_rasa(
        "data",
        "validate",
        "--domain",
        "bot/assistant/domain",
        "--data",
        "data",
        "--config",
        "config.yml",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]

    code = _action_code()
    form_slots = _form_slots()
    unexplained: list[str] = []
    for warning in WARNING.findall(output):
        message = warning.strip()
        if message == FAQ_TWICE or EXTERNAL_WITHOUT_EXAMPLES.fullmatch(message):
            continue
        unused = UNUSED_RESPONSE.fullmatch(message)
        if unused and _used_by_code(unused.group(1), code, form_slots):
            continue
        unexplained.append(message)
    assert unexplained == []
