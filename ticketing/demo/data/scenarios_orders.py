"""Demo stories: parcels, prices and company contracts."""

from __future__ import annotations

from ticketing.demo.data.company import AFTER_SALES, KEY_ACCOUNTS, LOGISTICS
from ticketing.demo.data.scenario import Lines, Scenario
from ticketing.models import Category

ORDER_STORIES: tuple[Scenario, ...] = (
    Scenario(
        "late_dispatch",
        Category.DELIVERY,
        LOGISTICS,
        7,
        days=(1, 2),
        zh=Lines(
            subject="下单{days}天了，物流信息一直不动",
            description=(
                "{order} 这个订单，付款时页面写的是 48 小时内发货，现在都{days}天了，物流信息还停在"
                "「已揽收」。我是买给我爸的生日礼物，周末就过生日了，到底什么时候能到？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。非常抱歉让您久等。我查了一下，您的包裹在{courier}的"
                "中转站滞留了，单号 {tracking}。已经联系快递加急处理，"
                "今天下班前给您确切的到达时间。"
            ),
            note=(
                "{courier}中转站爆仓，包裹滞留 3 天。已提交加急催派；周五前送不到就用顺丰次日达"
                "补发一双。"
            ),
            update=(
                "快递回复了：包裹今天已经从中转站发出，预计明天送到。保险起见，如果明天晚上还没到，"
                "我们直接用顺丰给您补发一双，保证周末前到。"
            ),
            resolution=(
                "包裹已经签收，赶上了生日。为表歉意，已给您账户补了 20 元无门槛券。祝叔叔生日快乐！"
            ),
        ),
        en=Lines(
            subject="Ordered {days} days ago and tracking hasn't moved",
            description=(
                "Order {order}: the site said dispatch within 48 hours, but it's been {days} days "
                "and tracking is still stuck at 'picked up'. It's a birthday present for my dad "
                "and his birthday is this weekend. When will it actually arrive?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. Really sorry for the wait. I've checked and "
                "your parcel is held up at a {courier} sorting hub, tracking {tracking}. I've "
                "asked the courier to expedite it and I'll give you a firm delivery date before "
                "the end of today."
            ),
            note=(
                "{courier} hub overloaded, parcel stuck for 3 days. Expedite requested; if it "
                "can't arrive by Friday, reship next-day with SF."
            ),
            update=(
                "The courier says the parcel left the hub today and should arrive tomorrow. Just "
                "in case, if it hasn't arrived by tomorrow evening we'll send a second pair by "
                "next-day express so it's there before the weekend."
            ),
            resolution=(
                "The parcel has been delivered in time for the birthday. As an apology we've "
                "added a ¥20 voucher to your account. Happy birthday to your dad!"
            ),
        ),
    ),
    Scenario(
        "lost_parcel",
        Category.DELIVERY,
        LOGISTICS,
        4,
        days=(2, 4),
        zh=Lines(
            subject="物流显示已签收，但我根本没收到",
            description=(
                "订单 {order}，{courier}单号 {tracking}，物流昨天下午就显示「已签收」，签收人写的"
                "「门卫」，可我们小区门卫说没收到我的件，快递柜里也没有。打快递员电话一直不接。"
                "{price} 块钱的鞋就这么没了？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。理解您着急，这件事交给我们，您不用再自己去找快递。"
                "我已向{courier}提交了丢件核查，快递公司需要 24-48 小时调取派送记录。麻烦您确认一下"
                "收货地址和联系电话是否正确？"
            ),
            answer="地址和电话都没错，就是订单上填的那个。",
            note="已向{courier}发起丢件理赔；派送员承认未实际送达、虚假签收。理赔期间先给客户补发。",
            update=(
                "快递公司核实了：派送员没有送到就点了签收，是他们的责任。我们不等理赔结果，今天先给"
                "您补发一双，新单号 {tracking2}。"
            ),
            resolution=(
                "补发的鞋已经签收了。快递公司那边的理赔由我们处理，您不用再操心。给您添麻烦了，"
                "已补偿 30 元券到您的账户。"
            ),
        ),
        en=Lines(
            subject="Tracking says delivered but I never got it",
            description=(
                "Order {order}, {courier} tracking {tracking}. Since yesterday afternoon tracking "
                "has said 'delivered, signed by: reception', but our reception never got it and "
                "it's not in the parcel lockers either. The driver won't answer his phone. So "
                "¥{price} worth of shoes has just vanished?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I understand how frustrating this is. Leave it "
                "with us; you don't need to chase the courier yourself. I've opened a "
                "lost-parcel investigation with {courier}, which takes 24-48 hours. Could you "
                "confirm your delivery address and phone number are correct?"
            ),
            answer="Yes, the address and phone number on the order are right.",
            note=(
                "Lost-parcel claim opened with {courier}; the driver admits marking it delivered "
                "without delivering. Reship now, claim in the background."
            ),
            update=(
                "{courier} has confirmed the driver marked it delivered without actually "
                "delivering it, so it's on them. We won't wait for their claim: a replacement "
                "pair ships today, tracking {tracking2}."
            ),
            resolution=(
                "The replacement has been delivered. We'll deal with the courier's claim "
                "ourselves. Sorry for the trouble; we've added a ¥30 voucher to your account."
            ),
        ),
    ),
    Scenario(
        "wrong_item",
        Category.DELIVERY,
        LOGISTICS,
        4,
        days=(1.5, 3),
        zh=Lines(
            subject="发错货了，颜色和尺码都不对",
            description=(
                "我买的是黑色{size}码的{product}，今天收到的是白色{size2}码，鞋盒上的标签也是白色"
                "{size2}码。订单 {order}。麻烦尽快给我换，下周要穿。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。非常抱歉发错了货，是我们仓库的失误。您不用先寄回，"
                "我马上给您发正确的黑色{size}码，错发的那双快递员送新鞋时一并取走。"
            ),
            note="仓库拣货错误（相邻货位），已反馈仓库主管。先发后退，送新取旧。",
            update="黑色{size}码已经发出，{courier}单号 {tracking}，快递员送到时会把白色那双收回。",
            resolution="新鞋已签收，错发的那双也已取回。再次为仓库的失误道歉，已给您补偿 20 元券。",
        ),
        en=Lines(
            subject="Wrong shoes delivered: wrong colour and size",
            description=(
                "I ordered the {product} in black, size {size}, and today I received white in "
                "size {size2}. The label on the box says white {size2}. Order {order}. Please "
                "swap them quickly, I need them next week."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I'm sorry, that's a picking mistake in our "
                "warehouse. No need to send anything back first: I'm shipping the black {size} "
                "right away, and the courier will take the white pair when he delivers."
            ),
            note=(
                "Warehouse picking error (adjacent bin), reported to the warehouse lead. Ship "
                "first, collect the wrong pair on delivery."
            ),
            update=(
                "The black {size} is on its way with {courier}, tracking {tracking}; the driver "
                "will collect the white pair at the door."
            ),
            resolution=(
                "Your new pair has been delivered and the wrong one collected. Sorry again for "
                "our mistake; we've added a ¥20 voucher to your account."
            ),
        ),
    ),
    Scenario(
        "price_protection",
        Category.PRICE,
        AFTER_SALES,
        5,
        days=(0.05, 0.5),
        zh=Lines(
            subject="刚买一周就降价 {diff} 元，申请价保退差价",
            description=(
                "我{days}天前 {price} 元买的{product}，今天看到活动价只要 {price2}，差了 {diff} "
                "块。"
                "你们页面写着 15 天价保，申请价保的按钮却是灰的，点不了。订单 {order}。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。您在 15 天价保期内，差价应该退给您。按钮点不了是"
                "因为这次活动价叠加了店铺券，系统没有自动识别，我这边人工为您申请。"
            ),
            note=(
                "活动价叠加店铺券导致价保按钮失效（本周第 5 例），人工退差价 {diff} 元，"
                "已反馈产品改规则。"
            ),
            resolution=(
                "差价 {diff} 元已经原路退回，1-3 个工作日到账。价保按钮的问题我们已经反馈技术部门"
                "修复。"
            ),
        ),
        en=Lines(
            subject="Price dropped by ¥{diff} a week after I bought: price protection",
            description=(
                "I paid ¥{price} for the {product} {days} days ago and today they're on sale for "
                "¥{price2}, a difference of ¥{diff}. Your page promises 15-day price protection, "
                "but the price-protection button is greyed out. Order {order}."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. You're within the 15-day window, so the "
                "difference is yours. The button is greyed out because this sale stacks with a "
                "store coupon and the system doesn't recognise that; I'll process it by hand."
            ),
            note=(
                "Sale price plus store coupon breaks the automatic price-protection button (5th "
                "case this week). Refunded ¥{diff} by hand; reported to product."
            ),
            resolution=(
                "The ¥{diff} difference has been refunded to your original payment method (1-3 "
                "working days). We've reported the button problem so it gets fixed."
            ),
        ),
    ),
    Scenario(
        "coupon",
        Category.PRICE,
        AFTER_SALES,
        3,
        days=(0.05, 0.5),
        zh=Lines(
            subject="满减券下单时没有抵扣",
            description=(
                "领了满 500 减 {coupon} 的券，下单时显示可用，付款后发现实际没有减，多付了 "
                "{coupon} "
                "块。订单 {order}，截图我都保存了。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。麻烦您把领券页面和支付页面的截图发给我，我核实后为您"
                "补退。"
            ),
            answer="两张截图发你了。",
            note="支付页券已锁定但未核销（支付超时重试导致），已人工退 {coupon} 元，券已返还账户。",
            resolution=(
                "核实了，是支付重试时券没有核销成功。{coupon} 元已经退回您的支付账户，"
                "那张券也已返还，"
                "下次还可以用。"
            ),
        ),
        en=Lines(
            subject="Coupon wasn't applied at checkout",
            description=(
                "I claimed a ¥{coupon}-off-¥500 coupon and it showed as applied at checkout, but "
                "after paying I can see I was charged the full price: ¥{coupon} too much. Order "
                "{order}. I've kept screenshots."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. Could you send me the screenshots of the coupon "
                "and the payment page? Once I've checked, I'll refund the difference."
            ),
            answer="Both screenshots attached.",
            note=(
                "Coupon locked but not redeemed (payment retried after a timeout). Refunded "
                "¥{coupon} by hand and returned the coupon to the account."
            ),
            resolution=(
                "Confirmed: the coupon wasn't redeemed when the payment was retried. ¥{coupon} "
                "has gone back to your payment account and the coupon is back in your wallet for "
                "next time."
            ),
        ),
    ),
    Scenario(
        "bulk_delay",
        Category.CONTRACT,
        KEY_ACCOUNTS,
        3,
        days=(2, 4),
        key_account=True,
        zh=Lines(
            subject="合同 {contract} 集采订单交期延误",
            description=(
                "{contact}。按合同 {contract}，{qty} 双{ka_product}应在本月 15 日前送达，现在只到了"
                "不到一半，剩下的没有任何通知。下周一要统一发放，大家都在等着换装。请今天给我一个"
                "准确的到货时间，延误的违约责任也请按合同条款说明。"
            ),
            reply=(
                "{hello}，我是{you}的专属客户经理{agent}。非常抱歉交期延误，也没有及时通知您，这是"
                "我们的失职。剩余的货我马上和工厂、仓库确认，一小时内给您准确的到货时间和分批方案。"
            ),
            note=(
                "工厂排产延误：鞋面皮料晚到 5 天。剩余 {rest} 双已安排加班，分两批送达；按合同"
                "第 7 条违约金每天 0.5%，已报财务核算。"
            ),
            update=(
                "和工厂确认了：剩余 {rest} 双中 {first_batch} 双周五送到，其余下周二前送达，保证"
                "周一发放够用。延期违约金按合同第 7 条在对账单中直接抵扣。"
            ),
            resolution=(
                "剩余 {rest} 双已全部送达并经{you}验收，延期违约金已在本月对账单中抵扣。我们调整了"
                "排产，后续批次提前两周备料。感谢您的理解。"
            ),
        ),
        en=Lines(
            subject="Contract {contract}: bulk delivery is late",
            description=(
                "{contact}. Under contract {contract}, {qty} pairs of {ka_product} were due by "
                "the 15th. Fewer than half have arrived, and nobody has told us anything about "
                "the rest. The new uniforms go live next Monday. I need a firm delivery date "
                "today, and please confirm how the late-delivery clause will be applied."
            ),
            reply=(
                "{hello} I'm {agent}, your account manager. I apologise for the delay, and for "
                "not warning you: that's our failure. I'm checking with the factory and the "
                "warehouse now and will come back within the hour with a firm date and a "
                "split-delivery plan."
            ),
            note=(
                "Factory delay: the upper leather arrived 5 days late. Remaining {rest} pairs on "
                "overtime, two shipments. Late-delivery clause (0.5% a day) sent to finance."
            ),
            update=(
                "Confirmed with the factory: {first_batch} of the remaining {rest} pairs arrive "
                "on Friday and the rest by Tuesday, so you'll have enough for Monday. We'll "
                "deduct the late-delivery penalty from this month's statement as the contract "
                "provides."
            ),
            resolution=(
                "All remaining {rest} pairs have been delivered and signed off, and the "
                "late-delivery penalty is deducted on this month's statement. We've moved "
                "material ordering two weeks earlier for your future batches. Thank you for "
                "your patience."
            ),
        ),
    ),
    Scenario(
        "vat_invoice",
        Category.CONTRACT,
        KEY_ACCOUNTS,
        3,
        days=(0.5, 2),
        key_account=True,
        zh=Lines(
            subject="增值税专用发票抬头和税号有误，需要红冲重开",
            description=(
                "{contact}。上月合同 {contract} 项下开给我们的增值税专用发票（发票号 {invoice}），"
                "购方名称少了「有限公司」四个字，税号也错了一位，财务没法认证抵扣。请尽快红冲重开，"
                "本月申报截止前必须拿到。"
            ),
            reply=(
                "{hello}，我是您的客户经理{agent}。抱歉给{you}财务添了麻烦。麻烦您把开票信息（全称、"
                "税号、地址电话、开户行及账号）再发我一份，我今天提交红字信息表，重开后寄出专票。"
            ),
            answer="开票信息已经发你邮箱了，附件是我们财务盖章的开票资料。",
            note="录入开票资料时漏字、税号输错。已提交红字信息表，重开专票顺丰寄出，客户档案开票信息已更新。",
            resolution=(
                "红字发票已开具，新的增值税专用发票已用顺丰寄出，单号 {tracking}，明天送到{you}"
                "财务。开票信息已在系统里更正，以后不会再出错。"
            ),
        ),
        en=Lines(
            subject="VAT invoice has the wrong company name and tax ID",
            description=(
                "{contact}. The VAT special invoice for last month under contract {contract} "
                "(invoice no. {invoice}) has our company name truncated and one digit of the tax "
                "ID wrong, so our finance team can't claim the input VAT. Please void and "
                "reissue it before this month's filing deadline."
            ),
            reply=(
                "{hello} I'm {agent}, your account manager. Sorry for the trouble this causes "
                "your finance team. Could you send me your invoicing details again (full name, "
                "tax ID, registered address and phone, bank and account)? I'll submit the "
                "red-letter form today and send the new invoice as soon as it's issued."
            ),
            answer=(
                "Our finance team's stamped invoicing details are attached to the e-mail I just "
                "sent."
            ),
            note=(
                "Name truncated and tax ID mistyped at data entry. Red-letter form submitted, "
                "reissued VAT invoice sent by SF. Customer record updated."
            ),
            resolution=(
                "The credit note has been issued and the new VAT invoice is on its way by SF "
                "Express, tracking {tracking}, arriving at your finance office tomorrow. Your "
                "invoicing details are corrected in our system for the future."
            ),
        ),
    ),
    Scenario(
        "size_mix",
        Category.CONTRACT,
        KEY_ACCOUNTS,
        2,
        days=(1.5, 3),
        key_account=True,
        zh=Lines(
            subject="批量订单 {po} 尺码配比与合同不符",
            description=(
                "{contact}。订单 {po} 收货清点，合同附件约定 35-40 码为主，实际到货 41 码以上多了 "
                "{extra} 双，36、37 码各少了几十双，很多员工穿不上。请核对并尽快补发缺的尺码。"
            ),
            reply=(
                "{hello}，我是您的客户经理{agent}。抱歉给您添麻烦了。麻烦把{you}的清点明细表发我，"
                "我和仓库的出库记录逐码核对，今天给您答复。"
            ),
            answer="清点表已经发到你邮箱，各部门分码数量都在里面。",
            note=(
                "出库时按旧版尺码配比拣货（合同附件 V2 未同步到仓库系统）。补发缺码，"
                "多出的大码上门取回。"
            ),
            update=(
                "核对完了，是仓库按旧版配比出的库，责任在我们。缺的 36、37 码明天发出，多出的 "
                "{extra} 双大码我们上门取回，不产生任何费用。"
            ),
            resolution=(
                "缺码已补齐并签收，多发的大码已全部取回。仓库系统已更新为{you}合同附件的最新尺码"
                "配比。感谢配合。"
            ),
        ),
        en=Lines(
            subject="Order {po}: size breakdown doesn't match the contract",
            description=(
                "{contact}. Counting order {po}: the contract annex specifies mostly sizes 35-40, "
                "but we received {extra} pairs too many in 41 and above, and several dozen too "
                "few in 36 and 37. Many of our staff can't wear what we got. Please check and "
                "ship the missing sizes."
            ),
            reply=(
                "{hello} I'm {agent}, your account manager. Sorry about this. Please send me "
                "your count sheet and I'll reconcile it size by size against our dispatch record "
                "and get back to you today."
            ),
            answer="The count sheet is in your inbox, with the figures for each site by size.",
            note=(
                "Warehouse picked against the old size annex (V2 not synced to the WMS). Ship "
                "the missing sizes, collect the surplus."
            ),
            update=(
                "Reconciled: the warehouse used the previous size breakdown, so this one is on "
                "us. The missing 36s and 37s ship tomorrow and we'll collect the {extra} surplus "
                "larger pairs at no cost to you."
            ),
            resolution=(
                "The missing sizes have been delivered and the surplus collected. Our warehouse "
                "system now has your contract's current size breakdown. Thanks for your help."
            ),
        ),
    ),
    Scenario(
        "statement",
        Category.CONTRACT,
        KEY_ACCOUNTS,
        3,
        days=(0.3, 1),
        key_account=True,
        zh=Lines(
            subject="{month}月对账单金额与我方记录不符",
            description=(
                "{contact}。贵司发来的{month}月对账单应付金额 {amount} 元，比我们的入库记录多出 "
                "{gap} 元。初步看是有一批退货没有冲减，还有一笔运费合同里约定由贵司承担。请核对后"
                "重新出具对账单，对账一致后我们才能走付款流程。"
            ),
            reply=(
                "{hello}，我是您的客户经理{agent}。收到，我这就拉出{month}月的发货、退货和运费明细，"
                "和财务逐笔核对，明天中午前给您回复。"
            ),
            note="财务确认：2 张退货单未冲减，运费误计入客户应付。差额 {gap} 元属实，重出对账单。",
            resolution=(
                "核对完毕，差额 {gap} 元属实：两张退货单没有冲减，运费也误算进了应付。更正后的"
                "{month}月对账单已发到您邮箱，请查收确认。给{you}财务带来不便，非常抱歉。"
            ),
        ),
        en=Lines(
            subject="{month_en} statement doesn't match our records",
            description=(
                "{contact}. Your {month_en} statement shows ¥{amount} payable, which is ¥{gap} "
                "more than our goods-received records. It looks like a batch of returns wasn't "
                "credited, and there's a freight charge that the contract says is yours. Please "
                "check and reissue the statement; we can only pay once the statements agree."
            ),
            reply=(
                "{hello} I'm {agent}, your account manager. Understood. I'm going through "
                "{month_en}'s shipments, returns and freight line by line with our finance team "
                "and will reply by noon tomorrow."
            ),
            note=(
                "Finance confirms: 2 return notes not credited, freight wrongly billed to the "
                "customer. The ¥{gap} difference is valid; statement reissued."
            ),
            resolution=(
                "We've finished reconciling and the ¥{gap} difference is right: two return notes "
                "weren't credited and the freight was billed to you by mistake. The corrected "
                "{month_en} statement is in your inbox for sign-off. Sorry for the extra work "
                "for your finance team."
            ),
        ),
    ),
)
