"""Survey score thresholds: what counts as satisfied, dissatisfied, a promoter or a detractor.

CSAT is 1-5, NPS 0-10. Follow-ups (a low score calls for a supervisor), the churn warning
(a detractor), the reports and the console's customer figures all read these, in Python or as
SQL conditions on `SurveyResponse`.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from ticketing.models import SurveyResponse

LOW_CSAT = 2  # 1-2 of 5 is dissatisfied
SATISFIED_CSAT = 4  # 4-5 of 5 is satisfied
DETRACTOR_NPS = 6  # 0-6 of 10 is a detractor
PROMOTER_NPS = 9  # 9-10 of 10 is a promoter

# The same rules as SQL conditions; NULL (the question was not answered) matches none of them.
SATISFIED: ColumnElement[bool] = SurveyResponse.csat >= SATISFIED_CSAT
PROMOTER: ColumnElement[bool] = SurveyResponse.nps >= PROMOTER_NPS
DETRACTOR: ColumnElement[bool] = SurveyResponse.nps <= DETRACTOR_NPS


def is_low_score(csat: int | None, nps: int | None) -> bool:
    """A dissatisfied CSAT or a detractor NPS: the answer a supervisor should hear about."""
    return (csat is not None and csat <= LOW_CSAT) or (nps is not None and nps <= DETRACTOR_NPS)
