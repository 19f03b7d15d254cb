"""Demo stories: policies and the service itself."""

from __future__ import annotations

from ticketing.demo.data.company import AFTER_SALES
from ticketing.demo.data.scenario import Lines, Scenario
from ticketing.models import Category

SERVICE_STORIES: tuple[Scenario, ...] = (
    Scenario(
        "return_window",
        Category.POLICY,
        AFTER_SALES,
        4,
        days=(2, 5),
        zh=Lines(
            subject="超过 7 天无理由退货期两天，能不能通融",
            description=(
                "鞋子是 9 天前收到的，一直出差没来得及试，今天试了发现不合脚。吊牌、鞋盒都在，完全"
                "没穿过。系统显示已经超过 7 天无理由退货期，不让退了。只超了两天，能不能通融一下？"
                "订单 {order}。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。理解您出差耽误了。7 天无理由退货是从签收算起的，不过"
                "您的鞋子未穿着、吊牌完好，我可以为您申请一次特殊退货，或者直接换一双合脚的尺码，"
                "您更倾向哪种？"
            ),
            answer="那还是退吧，这款穿着确实不太适合我。",
            note="超期 2 天，商品完好，按会员服务特批一次退货（主管已同意）。退货运费由客户承担。",
            resolution=(
                "特殊退货已经批下来了，鞋子寄回仓库验收后，{price} 元会原路退回。这次退货的运费需要"
                "您承担，感谢理解。"
            ),
        ),
        en=Lines(
            subject="Two days past the 7-day return window: can you make an exception?",
            description=(
                "The shoes arrived 9 days ago but I've been travelling and only tried them on "
                "today: they don't fit. Tags and box intact, never worn. The system says I'm "
                "outside the 7-day no-questions return window. It's only two days over; could "
                "you make an exception? Order {order}."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I understand, travel gets in the way. The "
                "7-day window runs from delivery, but since the shoes are unworn with their tags "
                "on, I can request a one-off return for you, or we can exchange them for a size "
                "that fits. Which would you prefer?"
            ),
            answer="A refund please; this style just doesn't suit me.",
            note=(
                "2 days out of the window, goods intact; one-off return approved by the "
                "supervisor. Return postage at the customer's cost."
            ),
            resolution=(
                "Your one-off return has been approved. Once the warehouse receives and checks "
                "the shoes, ¥{price} will go back to your original payment method. The return "
                "postage is yours this time. Thanks for understanding."
            ),
        ),
    ),
    Scenario(
        "points_expiry",
        Category.POLICY,
        AFTER_SALES,
        3,
        days=(0.05, 0.5),
        zh=Lines(
            subject="积分莫名清零，规则改了也没通知",
            description=(
                "我账户里攒了 {points} 积分，今天想兑换，发现只剩几十分了。在线机器人说年底积分清零"
                "提前到了这个月。我是买了好几年的老会员，规则改了连条短信都没有？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。非常理解您的心情。积分规则调整确实应该提前逐一通知"
                "会员，这是我们做得不好。我查了您的账户，被清零的 {points} 分可以为您申请恢复，"
                "有效期"
                "延长到明年年底。"
            ),
            note=(
                "积分规则调整的通知短信漏发部分会员（已报会员运营）。人工恢复 {points} 积分，"
                "有效期延至明年 12 月 31 日。"
            ),
            resolution=(
                "{points} 积分已经恢复到您的账户，有效期到明年年底，现在就可以兑换。"
                "积分规则说明我也"
                "发到您的邮箱了。感谢您多年的支持。"
            ),
        ),
        en=Lines(
            subject="My points were wiped without any notice",
            description=(
                "I had {points} points saved up and today, when I went to redeem them, there "
                "were only a few dozen left. The chatbot says the year-end expiry was moved to "
                "this month. I've been a member for years; you changed the rules and didn't "
                "even send a text?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I completely understand. Members should have "
                "been told about the change one by one, and we fell short there. I've checked "
                "your account and can restore the {points} expired points, valid until the end "
                "of next year."
            ),
            note=(
                "The notice SMS for the points rule change missed some members (reported to "
                "membership ops). Restored {points} points by hand, valid to 31 December next "
                "year."
            ),
            resolution=(
                "{points} points are back in your account and valid until the end of next year, "
                "so you can redeem them now. I've also e-mailed you the current points rules. "
                "Thank you for being with us all these years."
            ),
        ),
    ),
    Scenario(
        "downgrade",
        Category.POLICY,
        AFTER_SALES,
        2,
        days=(0.05, 0.5),
        regular_only=True,
        zh=Lines(
            subject="会员等级被降级，之前的权益都没了",
            description=(
                "我一直是银卡会员，这个月突然被降成普通会员，包邮和生日券都没有了。我去年消费了"
                "三千多，怎么就降级了？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。我查了一下，会员等级按近 12 个月的消费计算，扣除退货"
                "订单后差了一点没达到银卡门槛。考虑到您是老会员，我可以为您申请保级 3 个月，期间"
                "再有任意消费就能续上银卡。"
            ),
            note="近 12 个月消费扣除退货后差 {short} 元未达银卡门槛。按老会员关怀规则保级 3 个月。",
            resolution="已为您保级银卡 3 个月，包邮和生日券权益都恢复了。感谢您一直以来的支持！",
        ),
        en=Lines(
            subject="Downgraded from Silver and lost my benefits",
            description=(
                "I've been a Silver member for ages and this month I was suddenly dropped to "
                "regular, so no more free shipping or birthday voucher. I spent over ¥3,000 last "
                "year; why was I downgraded?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I've looked into it: tiers go by the last 12 "
                "months' spending, and after your returns were deducted you fell just short of "
                "the Silver threshold. As a long-standing member, though, I can keep you on "
                "Silver for 3 more months; any purchase in that time renews it."
            ),
            note=(
                "12-month spend after returns is ¥{short} short of Silver. Kept at Silver for 3 "
                "months under the loyalty-care rule."
            ),
            resolution=(
                "You're back on Silver for the next 3 months, with free shipping and the "
                "birthday voucher. Thanks for sticking with us!"
            ),
        ),
    ),
    Scenario(
        "rude_staff",
        Category.SERVICE,
        AFTER_SALES,
        2,
        days=(1, 2.5),
        zh=Lines(
            subject="{store}店员态度恶劣",
            description=(
                "今天下午在{store}想试穿{product}，店员一直在玩手机，问了三遍尺码都不理人，后来很"
                "不耐烦地说「买不起就别试」。我当时很难堪，希望你们给个说法。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。听到您在门店有这样的经历，我们非常抱歉，这完全不是"
                "我们应有的服务。我已经把情况转给{store}店长和区域经理，调看当时的监控和排班，两天"
                "内给您答复处理结果。"
            ),
            note="已联系{store}店长调取监控，确认涉事店员。区域经理约谈，扣当月服务考核，全店重新做服务培训。",
            resolution=(
                "店长调看了监控，确认是当班店员的问题。店员已被约谈并扣除当月服务考核，全店重新做了"
                "服务培训。店长也想当面向您道歉，为您准备了一张 100 元礼券，"
                "下次到店直接找店长就行。"
                "再次向您致歉。"
            ),
        ),
        en=Lines(
            subject="Rude staff at the {store}",
            description=(
                "This afternoon at the {store} I wanted to try on the {product}. The assistant "
                "was on her phone the whole time, ignored me the three times I asked for my size, "
                "and then snapped 'if you can't afford it, don't try it on'. I was humiliated, "
                "and I'd like to know what you're going to do about it."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I'm very sorry you were treated like that: "
                "it's not the service we stand for. I've passed this to the manager of the "
                "{store} and the area manager to review the CCTV and the rota, and I'll come "
                "back to you with what we've done within two days."
            ),
            note=(
                "The store manager reviewed the CCTV and identified the assistant on shift. The "
                "area manager held a formal talk, service bonus docked, refresher training for "
                "the whole store."
            ),
            resolution=(
                "The store manager reviewed the CCTV and confirmed what happened. The assistant "
                "has had a formal warning and lost this month's service bonus, and the whole "
                "team has redone its service training. The manager would like to apologise in "
                "person and has a ¥100 gift card waiting for you at the store. Again, we're sorry."
            ),
        ),
    ),
    Scenario(
        "no_reply",
        Category.SERVICE,
        AFTER_SALES,
        3,
        days=(1.5, 3),
        zh=Lines(
            subject="在线客服三天没人回复",
            description=(
                "退货的问题我三天前就在线上留言了，到现在没有一个人回复，机器人只会说「正在为您转接"
                "人工」。打热线要排队四十分钟。你们的客服到底还在不在？订单 {order}。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。非常抱歉让您等了这么久，这是我们的问题。您的退货我"
                "现在接手：退货申请已通过，快递员明天上门取件，仓库签收后 24 小时内原路退款。"
            ),
            note="客户三天前的留言没有生成工单（转人工时会话超时），已反馈系统组排查。本单优先处理。",
            resolution=(
                "仓库已签收退货，{price} 元已原路退回。您之前的留言没有转成工单是系统问题，"
                "已经修复。"
                "再次为让您久等道歉。"
            ),
        ),
        en=Lines(
            subject="Nobody has replied to me in three days",
            description=(
                "I left a message about my return three days ago and nobody has replied; the bot "
                "just keeps saying 'transferring you to an agent'. The hotline queue is forty "
                "minutes. Is anyone actually there? Order {order}."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I'm really sorry you've been left waiting, "
                "that's on us. I've taken over your return: it's approved, a courier will "
                "collect tomorrow, and the refund goes back within 24 hours of the warehouse "
                "receiving it."
            ),
            note=(
                "The customer's message 3 days ago never became a ticket (the conversation timed "
                "out during the hand-over); reported to the platform team. Prioritised."
            ),
            resolution=(
                "The warehouse has received your return and ¥{price} has been refunded. Your "
                "earlier message was lost to a system fault that's now fixed. Sorry again for "
                "the wait."
            ),
        ),
    ),
    Scenario(
        "threat_12315",
        Category.SERVICE,
        AFTER_SALES,
        1.5,
        days=(0.1, 0.4),
        triaged_major=True,
        products=(1, 6, 7, 8),
        zh=Lines(
            subject="拒绝退款，再不处理就打 12315 投诉",
            description=(
                "{product}穿了两次鞋面就裂了，申请退货被你们拒绝，理由是「人为损坏」。我根本没有"
                "不当使用！订单 {order}。今天之内不给我退款，我就打 12315 投诉，还要去市场监管局"
                "举报你们。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。非常抱歉之前的处理让您不满意，您的诉求我已经看到了，"
                "现在由我复核。之前的判定确实不够严谨，麻烦您把鞋面开裂的位置拍几张清晰的照片给我，"
                "我今天之内给您答复。"
            ),
            answer="照片发了，你们自己看是不是人为的。",
            note=(
                "重大投诉：客户明确表示将向 12315 投诉。复核照片为鞋面皮料本身开裂，原「人为损坏」"
                "判定有误，已与质检沟通。同意全额退款并致歉。"
            ),
            resolution=(
                "复核结果出来了，开裂是皮料本身的问题，之前的判定有误，向您郑重道歉。{price} 元已"
                "全额退款，今天到账；鞋子不用寄回。我们也在复盘这次的审核流程。"
            ),
        ),
        en=Lines(
            subject="Refund refused: I will report you to 12315",
            description=(
                "The uppers on my {product} split after two wears. You refused my return, "
                "claiming 'damage caused by misuse'. I did nothing of the sort! Order {order}. "
                "If I don't get a refund today I'm filing a complaint with the 12315 consumer "
                "hotline and reporting you to the market regulator."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I'm sorry the earlier decision left you "
                "feeling this way. I've seen your message and I'm reviewing the case myself; the "
                "earlier assessment wasn't thorough enough. Could you send a few clear photos of "
                "where the upper has split? I'll give you an answer today."
            ),
            answer="Photos attached. See for yourselves whether that's misuse.",
            note=(
                "MAJOR: the customer threatens a 12315 complaint. The photos show the leather "
                "itself split; the 'misuse' decision was wrong (raised with QC). Full refund and "
                "apology approved."
            ),
            resolution=(
                "The review is done: the split is a flaw in the leather and our earlier decision "
                "was wrong. I apologise. ¥{price} has been refunded in full and should arrive "
                "today; no need to send the shoes back. We're also reviewing how claims are "
                "assessed."
            ),
        ),
    ),
    Scenario(
        "media_threat",
        Category.SERVICE,
        AFTER_SALES,
        1,
        days=(0.3, 1.2),
        triaged_major=True,
        supervisor_owns=True,
        zh=Lines(
            subject="质量问题推来推去，我要发小红书和微博曝光",
            description=(
                "{product}已经第三次返修了，每次都说修好了，穿不到一周又坏。前后打了五次电话，每次"
                "都要从头讲一遍。照片和聊天记录我都整理好了，明天再没有人给我一个负责任的答复，我就"
                "发小红书和微博，再联系本地电视台。"
            ),
            reply=(
                "{hello}，我是{team}主管{agent}。让您反复来回、一遍遍重复说明，是我们的失职，非常"
                "抱歉。从现在起这件事由我本人负责到底，您不需要再和其他人沟通。我的建议是直接全额"
                "退款，或者换一双您任选的同价位新款，您看哪种更合适？"
            ),
            answer="退款吧，不想再折腾了。",
            note=(
                "重大投诉：客户拟向媒体和社交平台曝光。三次返修未解决，多次来电未关联同一工单。"
                "主管接手，全额退款并补偿，已报品牌公关知悉。"
            ),
            resolution=(
                "{price} 元已全额退款，另补偿 200 元礼券到您的账户。三次返修没解决问题、让您反复"
                "说明，这些我们都在内部复盘；以后同一位客户的问题会由专人跟进到底。感谢您给我们"
                "改正的机会。"
            ),
        ),
        en=Lines(
            subject="Passed from pillar to post: I'm going to the media",
            description=(
                "This is the third time my {product} have been 'repaired' and each time they "
                "break again within a week. I've called five times and had to explain "
                "everything from scratch every time. I've got the photos and chat logs ready. "
                "If nobody gives me a proper answer by tomorrow, it's going on Instagram and "
                "Xiaohongshu and I'm contacting the local TV station."
            ),
            reply=(
                "{hello} I'm {agent}, supervisor of {team}. Making you explain again and again "
                "was our failure, and I'm sorry. From now on I'm handling this personally; you "
                "won't need to deal with anyone else. I'd suggest a full refund, or a new pair "
                "of your choice at the same price. Which would you prefer?"
            ),
            answer="Refund. I don't want any more hassle.",
            note=(
                "MAJOR: the customer plans to go to the media and social platforms. Three failed "
                "repairs, calls never linked to one case. Supervisor took over: full refund and "
                "goodwill. Brand PR informed."
            ),
            resolution=(
                "¥{price} has been refunded in full, plus a ¥200 gift card in your account. "
                "We're reviewing why three repairs didn't fix it and why you had to keep "
                "explaining; repeat issues will now stay with one named person. Thank you for "
                "giving us the chance to put it right."
            ),
        ),
    ),
    Scenario(
        "missed_callback",
        Category.SERVICE,
        AFTER_SALES,
        2,
        days=(1, 2),
        zh=Lines(
            subject="说好今天回电话，一直没人打",
            description=(
                "昨天客服说换货的事今天上午给我回电话，我等了一上午都没有。换货单 {order} 到现在"
                "状态还是「处理中」。能不能靠谱一点？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。抱歉答应您的回电没有做到。我查了，您的换货已经审核"
                "通过，新鞋今天下午发出，单号出来后我第一时间发给您。"
            ),
            note="昨日承诺的回电没有建回电任务，已在组内强调：承诺回电必须建任务。",
            update="新鞋已经发出了，{courier}单号 {tracking}。",
            resolution=(
                "新鞋已经签收。答应您的事没做到，再次说声抱歉；我们改了内部流程，承诺的回电都会"
                "建提醒任务。"
            ),
        ),
        en=Lines(
            subject="Promised a call back today, nobody called",
            description=(
                "Yesterday your agent said someone would call me this morning about my exchange. "
                "I waited all morning and nothing. Exchange {order} still says 'processing'. Can "
                "you be a bit more reliable?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I'm sorry we didn't call back as promised. "
                "I've checked: your exchange is approved and the new pair ships this afternoon. "
                "I'll send you the tracking number as soon as it's out."
            ),
            note=(
                "Yesterday's promised call-back was never logged as a task; reminded the team "
                "that every promised call needs one."
            ),
            update="Your new pair is on its way with {courier}, tracking {tracking}.",
            resolution=(
                "The new pair has been delivered. Sorry again for the missed call; promised "
                "call-backs now always get a reminder task."
            ),
        ),
    ),
)
