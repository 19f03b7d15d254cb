"""The customer's side of a whole complaint conversation in each language, as the benchmarks
send it, turn by turn.

Through Rasa's REST channel the customer is a client the gateway never saw, so the bot asks for
a phone number and the third message answers it; a web chat customer is known to the gateway,
so there the bot asks for no phone number and the third message arrives at the summary.
"""

from __future__ import annotations

COMPLAINT_ZH = (
    "你好",
    "我要投诉，订单A2024-1181的鞋底穿了两周就开胶了",
    "13812345678",
    "是的，没错",
    "谢谢",
    "再见",
)
COMPLAINT_EN = (
    "hello",
    "I want to complain: the sole of order A2024-1182 came off after two weeks",
    "+44 7700 900123",
    "yes, that's right",
    "thanks",
    "bye",
)
