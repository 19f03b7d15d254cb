"""What every demo story shares: hand-overs, chasers, follow-ups, surveys, call notes.

Also the questions the bot answers by itself (no ticket).
"""

from __future__ import annotations

from ticketing.demo.data.company import AFTER_SALES, KEY_ACCOUNTS, LOGISTICS
from ticketing.models import CallbackOutcome

GENERIC: dict[str, dict[str, tuple[str, ...]]] = {
    "bot_ack": {
        "zh": (
            "非常抱歉给您带来不好的体验。已为您登记工单 {number}，正在为您转接人工客服，请稍候。",
        ),
        "en": (
            "I'm sorry about this. I've opened case {number} for you and I'm passing you to a "
            "member of our team.",
        ),
    },
    "bot_after_hours": {
        "zh": (
            "人工客服的工作时间是周一至周五 9:00-18:00、周六 10:00-16:00，上班后会第一时间联系您。",
        ),
        "en": (
            "Our team works Monday to Friday 9:00-18:00 and Saturday 10:00-16:00 (China time); "
            "they'll pick this up first thing.",
        ),
    },
    "chase": {
        "zh": (
            "你好，有人吗？我的问题还没人回复。",
            "请问什么时候能处理？已经等了好几个小时了。",
            "怎么还没有人理我？",
        ),
        "en": (
            "Hello? Is anyone looking at this?",
            "Any news? I've been waiting for hours.",
            "Still no reply...",
        ),
    },
    "chase_ka": {
        "zh": ("请尽快回复，我们这边很着急。",),
        "en": ("Please respond urgently; this is holding us up.",),
    },
    "thanks": {
        "zh": ("收到，谢谢您。我这边马上处理，有结果第一时间告诉您。",),
        "en": ("Got it, thank you. I'm on it and will let you know as soon as it's done.",),
    },
    "progress_ask": {
        "zh": ("请问现在进展怎么样了？", "有结果了吗？我这边比较急。"),
        "en": ("Any progress on this?", "Is there an update? It's a bit urgent for me."),
    },
    "progress": {
        "zh": ("{hello}，您的问题我一直在跟进，目前在等{waiting}的回复，今天下班前一定给您进展。",),
        "en": (
            "{hello} I'm still on this: we're waiting to hear back from {waiting}. I'll update "
            "you before the end of today.",
        ),
    },
    "agree": {
        "zh": ("好的，谢谢。", "可以，就按这个处理吧。", "行，麻烦尽快。"),
        "en": ("OK, thanks.", "That works, go ahead.", "Fine, please be quick."),
    },
    "agree_ka": {
        "zh": ("收到，请按这个时间执行。",),
        "en": ("Noted. Please stick to that timeline.",),
    },
    "pending_close": {
        "zh": (
            "{hello}，几天前给您的消息还没有收到回复，这个工单先为您关闭。如需继续处理，再次联系"
            "我们即可。",
        ),
        "en": (
            "{hello} we haven't heard back since my last message a few days ago, so I'm closing "
            "this case for now. Just get in touch if you'd like us to pick it up again.",
        ),
    },
    "reopen": {
        "zh": (
            "不好意思又来打扰，上次说已经处理好了，但我到现在还没收到，麻烦再帮我查一下。",
            "东西收到了，但问题还是一样，这已经是第二次了。",
        ),
        "en": (
            "Sorry to come back to this, but I still haven't received what you said was sorted. "
            "Could you check?",
            "It arrived, but it's the same problem again. That's twice now.",
        ),
    },
    "reopen_ka": {
        "zh": ("我们核对后发现还有出入，这部分并没有解决，请再跟进一下。",),
        "en": (
            "Our check still shows a discrepancy, so this isn't closed on our side. Please "
            "follow up.",
        ),
    },
    "reopen_reply": {
        "zh": (
            "{hello}，非常抱歉让您再跑一趟。我查到是中间环节卡住了，已经加急处理，今天之内给您结果。",
        ),
        "en": (
            "{hello} I'm very sorry you've had to come back to us. Something got stuck on our "
            "side; I've escalated it and you'll have an answer today.",
        ),
    },
    "reopen_resolution": {
        "zh": ("已经重新处理好了，这次我亲自确认过物流和到账状态。再次抱歉给您添麻烦。",),
        "en": (
            "It's sorted now, and this time I've personally checked the delivery and the "
            "payment. Sorry again for the trouble.",
        ),
    },
    "reopen_resolution_ka": {
        "zh": ("已经重新核对并处理完毕，更正后的明细已发到您的邮箱，请查收确认。",),
        "en": (
            "Done: we've re-checked everything and the corrected details are in your inbox for "
            "sign-off.",
        ),
    },
    "low_note": {
        "zh": ("回访低分（CSAT {csat} / NPS {nps}）：「{comment}」。已致电安抚，补发 50 元券。",),
        "en": (
            'Low follow-up score (CSAT {csat} / NPS {nps}): "{comment}". Called the customer; '
            "¥50 voucher sent.",
        ),
    },
    "low_reply": {
        "zh": (
            "{hello}，看到您在回访中给了比较低的评分，真的很抱歉这次没能让您满意。您提到的问题我们"
            "都记下了，会在内部认真改进；为表歉意，已给您的账户发放 50 元无门槛券。",
        ),
        "en": (
            "{hello} I saw your low score in our follow-up, and I'm sorry we let you down this "
            "time. We've noted what you told us and will act on it; as an apology we've added a "
            "¥50 voucher to your account.",
        ),
    },
    "low_resolution": {
        "zh": ("感谢您的反馈。补偿券已到账，这个工单先为您结案；有任何需要直接回复即可。",),
        "en": (
            "Thanks for telling us. The voucher is in your account and I'm closing this case "
            "for now; just reply if there's anything else.",
        ),
    },
    "good": {
        "zh": (
            "处理得很快，客服很耐心，点赞。",
            "问题解决了，谢谢！",
            "比我预想的快，服务不错。",
            "客服态度很好，下次还会买。",
            "",
        ),
        "en": (
            "Quick and friendly, thank you!",
            "Sorted quickly, thanks.",
            "Better than I expected, great service.",
            "Very patient agent, I'll shop again.",
            "",
        ),
    },
    "mixed": {
        "zh": (
            "问题是解决了，就是等得有点久。",
            "还行吧，流程有点繁琐。",
            "结果可以，前面沟通太慢。",
        ),
        "en": (
            "Resolved in the end, but it took a while.",
            "Fine, but too many steps.",
            "Outcome OK, slow to get going.",
        ),
    },
    "bad": {
        "zh": (
            "拖了这么久才处理，很失望。",
            "每次都要重复说一遍情况，太累了。",
            "补偿太敷衍了，不会再买了。",
            "答应的回电一直没打。",
        ),
        "en": (
            "Took far too long. Very disappointed.",
            "Had to explain everything again and again.",
            "The compensation was an insult. Won't buy again.",
            "Nobody called back when promised.",
        ),
    },
}
# Who the desk is waiting on, by team (Chinese, English).
WAITING = {
    AFTER_SALES: ("质检部门", "our quality team"),
    LOGISTICS: ("快递公司", "the courier"),
    KEY_ACCOUNTS: ("工厂和仓库", "the factory and the warehouse"),
}

# The bot's survey in a chat, as bot/assistant/domain/survey.yml words it.
SURVEY_CHAT: dict[str, dict[str, str]] = {
    "zh": {
        "intro": "您好！您的工单 {number} 已处理完毕。想占用您半分钟做个回访，一共三个小问题。",
        "csat": "1. 您对这次的处理满意吗？请打分，5 分为非常满意。",
        "nps": "2. 您有多大可能把我们推荐给亲友？0 分为完全不可能，10 分为非常可能。",
        "comment": "3. 还有什么想对我们说的吗？哪里需要改进都可以告诉我。没有的话点“跳过”。",
        "skip": "跳过",
        "thanks": "感谢您的反馈，我们会继续努力！祝您生活愉快。",
        "sorry": "非常抱歉这次没能让您满意。我们已重新打开您的工单，主管会尽快亲自联系您。",
    },
    "en": {
        "intro": (
            "Hello! Your case {number} has been resolved. Could you spare thirty seconds for "
            "three quick questions?"
        ),
        "csat": "1. How satisfied are you with how we handled it? (5 = very satisfied)",
        "nps": (
            "2. How likely are you to recommend us to a friend? (0 = not at all, 10 = extremely "
            "likely)"
        ),
        "comment": (
            "3. Anything else you'd like to tell us, or anything we should do better? Tap “Skip” "
            "if not."
        ),
        "skip": "Skip",
        "thanks": "Thank you for your feedback — it helps us get better. Have a great day!",
        "sorry": (
            "I'm really sorry we let you down. We've reopened your case and a supervisor will "
            "contact you personally."
        ),
    },
}
# What an agent notes after a follow-up call that gave no scores.
CALL_NOTES: dict[CallbackOutcome, dict[str, str]] = {
    CallbackOutcome.NO_ANSWER: {
        "zh": "电话无人接听，已发短信告知。",
        "en": "No answer; sent a text.",
    },
    CallbackOutcome.DECLINED: {
        "zh": "客户表示问题已解决，不需要回访。",
        "en": "The customer says it's sorted and didn't want the survey.",
    },
    CallbackOutcome.REACHED: {
        "zh": "客户表示问题已解决，没有其他意见。",
        "en": "The customer is happy it's sorted; nothing to add.",
    },
    CallbackOutcome.WRONG_NUMBER: {
        "zh": "号码为空号，已在客户资料中标注。",
        "en": "Wrong number; noted on the customer.",
    },
}
NO_PHONE_NOTE = {
    "zh": "客户没有留电话，已改用邮件发送回访问卷。",
    "en": "No phone number on file; sent the survey by e-mail instead.",
}

# Questions the bot answered by itself: conversations of would-be customers with no ticket.
FAQ: dict[str, tuple[tuple[str, str], ...]] = {
    "zh": (
        ("女款小白鞋有 35 码的吗？", "有的，女款小白鞋有 34-40 码，35 码目前有货，可以直接下单。"),
        (
            "积分怎么兑换？",
            "在「我的 - 会员中心 - 积分商城」就能兑换，100 积分抵 1 元，下单时自动抵扣。",
        ),
        ("门店几点关门？", "大部分门店营业到 22:00，各店时间可以在「门店查询」里看。"),
        ("新会员有优惠吗？", "首次注册会员可以领取满 300 减 30 的新人券，在「领券中心」领取即可。"),
    ),
    "en": (
        (
            "Do you ship to Hong Kong?",
            "Yes, we ship to Hong Kong with SF Express; it usually takes 3-5 working days.",
        ),
        (
            "What's your return policy?",
            "Unworn shoes with their tags can be returned within 7 days of delivery, no "
            "questions asked, or exchanged for another size within 15 days.",
        ),
        (
            "Are the hiking boots waterproof?",
            "Yes: the waterproof hiking boots have a waterproof membrane and sealed seams, fine "
            "for rain and shallow streams.",
        ),
        (
            "Do you have wide fits?",
            "Some models come in a wide fit, marked 'W'; filter by 'wide fit' in the shop.",
        ),
    ),
}  # fmt: skip


# --- customers ----------------------------------------------------------------------------------
