"""Demo stories: faulty shoes, sizes and invoices."""

from __future__ import annotations

from ticketing.demo.data.catalogue import HEELS
from ticketing.demo.data.company import AFTER_SALES, KEY_ACCOUNTS
from ticketing.demo.data.scenario import Lines, Scenario
from ticketing.models import Category

PRODUCT_STORIES: tuple[Scenario, ...] = (
    Scenario(
        "sole_glue",
        Category.PRODUCT_QUALITY,
        AFTER_SALES,
        6,
        days=(1.5, 3),
        zh=Lines(
            subject="{product}穿了不到一个月鞋底开胶",
            description=(
                "你好，我{days}天前在官网买的{product}（订单号 {order}），{size}码。平时就是上下班"
                "穿，没下过雨也没泡过水，今天发现右脚鞋头的鞋底整个开胶了，走路一直进沙子。这个价位"
                "的鞋质量这样说不过去吧？希望给个处理方案。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}，非常抱歉鞋子出现开胶的情况。为了尽快帮您处理，麻烦您"
                "拍两张照片发给我们：一张开胶部位的特写，一张鞋底整体。收到后我马上为您申请质量问题"
                "换新，来回运费由我们承担。"
            ),
            answer="照片发过来了，两张都在。我比较着急，下周出差要穿。",
            note=(
                "照片确认为鞋头部位胶水脱开，无人为损坏，属质量问题。已按质量问题换新流程提交，"
                "同批次已反馈质检部跟踪。"
            ),
            update=(
                "照片收到了，确认是质量问题。已为您提交换新申请，{courier}明天上午上门取件，旧鞋揽收"
                "后新鞋当天发出，赶得上您出差。"
            ),
            resolution=(
                "新鞋已经发出，{courier}单号 {tracking}，预计 1-2 天送达。另外给您的账户补了 30 元"
                "无门槛券作为补偿。新鞋如有任何问题，直接回复这个工单就可以。"
            ),
        ),
        en=Lines(
            subject="Sole coming unglued on my {product} after three weeks",
            description=(
                "Hi, I bought the {product} (order {order}, size {size}) on your website {days} "
                "days ago. I've only worn them to the office, never in the rain, and today the "
                "sole at the right toe has come away completely. For shoes at this price that's "
                "not acceptable. What can you do?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}, and I'm sorry the sole has come loose. So we "
                "can sort this quickly, could you send two photos: a close-up of where it's "
                "coming apart and one of the whole sole? As soon as I have them I'll raise a "
                "quality exchange for you, with postage both ways on us."
            ),
            answer=(
                "Photos attached. I'm travelling next week and need them, so the sooner the better."
            ),
            note=(
                "Photos show adhesive failure at the toe, no sign of misuse: a manufacturing "
                "defect. Exchange raised under the quality process; batch reported to QC."
            ),
            update=(
                "Thanks for the photos: this is a manufacturing defect. I've raised an exchange; "
                "{courier} will collect the old pair tomorrow morning and the new pair ships the "
                "same day, in time for your trip."
            ),
            resolution=(
                "Your new pair is on its way with {courier}, tracking {tracking}, and should "
                "arrive in 1-2 days. I've also added a ¥30 voucher to your account for the "
                "trouble. If anything's wrong with the new pair, just reply here."
            ),
        ),
    ),
    Scenario(
        "fading",
        Category.PRODUCT_QUALITY,
        AFTER_SALES,
        4,
        days=(1, 2),
        products=(5, 7, 0),
        zh=Lines(
            subject="{product}严重掉色，把袜子和裤脚都染了",
            description=(
                "买的{product}，{size}码，订单 {order}。第一次穿碰上下小雨，回家发现白袜子整个被染"
                "成了蓝色，浅色裤脚也沾上了颜色，洗了两遍都洗不掉。鞋子本身也褪色发花了。请问这"
                "正常吗？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。给您添麻烦了，鞋面遇水掉色确实不正常。麻烦您发一下"
                "鞋子和被染袜子的照片，方便的话把鞋盒里的合格证也拍一下，我们核对一下批次。"
            ),
            answer="照片和合格证都拍了发过来了。裤子是新买的，挺心疼的。",
            note=(
                "合格证批次与近期另两单掉色投诉相同，已提交质检复测色牢度。按质量问题全额退款，"
                "裤子损失酌情补偿。"
            ),
            update=(
                "核对过了，这一批次的色牢度确实有问题，质检正在复测。给您的方案是全额退款，另外"
                "补偿 100 元用于裤子的清洗或损失，您看可以吗？"
            ),
            resolution=(
                "退款 {price} 元和 100 元补偿已经原路退回，1-3 个工作日到账。鞋子不用寄回。非常"
                "抱歉给您带来的损失。"
            ),
        ),
        en=Lines(
            subject="{product} bleeding dye onto my socks and trousers",
            description=(
                "I bought the {product}, size {size}, order {order}. The first time I wore them "
                "it drizzled a bit, and when I got home my white socks were completely blue and "
                "the hem of my light trousers was stained too. Two washes haven't got it out, "
                "and the shoes themselves look patchy now. Surely that's not normal?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. Sorry for the mess: dye coming off in light "
                "rain isn't normal. Could you send photos of the shoes and the stained socks, "
                "and, if you still have it, the quality card from the box so we can check the "
                "batch?"
            ),
            answer=(
                "Photos and the quality card attached. The trousers were new, which is annoying."
            ),
            note=(
                "The batch on the quality card matches two other recent dye complaints; sent to "
                "QC for a colourfastness retest. Full refund under the quality process plus "
                "goodwill for the trousers."
            ),
            update=(
                "Thanks. That batch does have a colourfastness problem and QC is retesting it. "
                "I'd like to offer a full refund plus ¥100 towards cleaning or replacing the "
                "trousers. Does that work for you?"
            ),
            resolution=(
                "The refund of ¥{price} and the ¥100 compensation are on their way to your "
                "original payment method and should arrive within 1-3 working days. No need to "
                "send the shoes back. Sorry again for the damage."
            ),
        ),
    ),
    Scenario(
        "seam",
        Category.PRODUCT_QUALITY,
        AFTER_SALES,
        4,
        days=(1, 3),
        zh=Lines(
            subject="{product}开线了，才穿了十来天",
            description=(
                "你好，{product}左脚后跟那里的线开了一大截，里面的海绵都露出来了。鞋是{days}天前"
                "在{store}买的，小票还在。能修还是能换？"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。很抱歉，这么短时间开线属于质量问题。麻烦您拍一下"
                "开线的位置和购物小票发给我，我帮您安排。"
            ),
            answer="小票和开线的照片都发了。最好能直接换新的，修过的总感觉不放心。",
            note="后跟缝线开线，属工艺问题。客户要求换新，{store}有现货，安排门店直接换。",
            update=(
                "和{store}确认过有您的尺码现货，您带上鞋子和小票去门店就能直接换新，不用再等检测，"
                "我已经跟店长打过招呼了。"
            ),
            resolution=(
                "门店反馈您已经换到新鞋了。开线的问题我们已经反馈给工厂改进缝线工艺。感谢您的"
                "耐心，祝您穿着愉快！"
            ),
        ),
        en=Lines(
            subject="Stitching coming apart on my {product} after ten days",
            description=(
                "Hi, the stitching at the back of the left heel on my {product} has come undone "
                "and the padding is poking out. I bought them at the {store} {days} days ago and "
                "still have the receipt. Can they be repaired or replaced?"
            ),
            reply=(
                "{hello} I'm {agent} from {team}. Sorry about that: stitching shouldn't fail "
                "that quickly, so this is a quality issue. Could you send me a photo of the "
                "seam and of your receipt? Then I'll arrange the rest."
            ),
            answer=(
                "Receipt and photo attached. I'd rather have a new pair than a repair, to be "
                "honest."
            ),
            note=(
                "Heel seam failure, a workmanship defect. Customer prefers a replacement; the "
                "{store} has stock, so arranged an in-store swap."
            ),
            update=(
                "I've checked with the {store}: they have your size in stock. Take the shoes and "
                "the receipt in and they'll swap them on the spot; I've let the store manager "
                "know you're coming."
            ),
            resolution=(
                "The store tells me you've picked up your new pair. We've passed the seam issue "
                "to the factory so it gets fixed at source. Thanks for bearing with us!"
            ),
        ),
    ),
    Scenario(
        "odor",
        Category.PRODUCT_QUALITY,
        AFTER_SALES,
        3,
        days=(2, 4),
        products=(3, 0, 8),
        zh=Lines(
            subject="新鞋有很刺鼻的气味，放了一周都散不掉",
            description=(
                "收到{product}一打开鞋盒就是一股很冲的化学味，熏得头疼。放阳台通风一个星期了还是"
                "很大味道，家里有小孩不敢放屋里。这个味道对身体有没有害？订单号 {order}。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。理解您的担心，尤其家里有小朋友。我们的鞋都有甲醛和"
                "偶氮检测报告，我先把这个批次的报告发给您。如果您还是不放心，可以直接退货，运费由"
                "我们承担。请问您更希望退货还是换一双？"
            ),
            answer="看了报告，还是想退。味道实在太大了。",
            note=(
                "客户反映胶味重。批次检测报告合格，仍按客户意愿免费退货。气味反馈已记录给产品部"
                "（本月第 3 例）。"
            ),
            update="好的，已为您办理免费退货，快递员明天上门取件，您不用支付运费。",
            resolution=(
                "仓库已经收到退回的鞋子，{price} 元退款已原路退回，1-3 个工作日到账。谢谢您的"
                "反馈，我们已转给产品部，包装前会延长通风晾置时间。"
            ),
        ),
        en=Lines(
            subject="New shoes have a strong chemical smell that won't go away",
            description=(
                "As soon as I opened the box of the {product} there was a harsh chemical smell "
                "that gave me a headache. They've been airing on the balcony for a week and it's "
                "still strong. I have a toddler, so I don't want them inside. Is this harmful? "
                "Order {order}."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I understand the worry, especially with a "
                "little one at home. All our shoes are tested for formaldehyde and azo dyes, and "
                "I'll send you the test report for this batch. If you'd still rather not keep "
                "them, you can return them and we'll cover the postage. Would you prefer a "
                "refund or an exchange?"
            ),
            answer=(
                "I read the report but I'd still like to return them. The smell is just too much."
            ),
            note=(
                "Strong adhesive smell reported. The batch test report passes, but a free return "
                "as the customer wishes. Logged with the product team (3rd smell report this "
                "month)."
            ),
            update=(
                "Of course. I've set up a free return and a courier will pick the shoes up "
                "tomorrow; there's nothing to pay."
            ),
            resolution=(
                "The warehouse has received the shoes and your refund of ¥{price} is on its way "
                "to your original payment method (1-3 working days). Thanks for the feedback: "
                "we've asked the product team to air stock for longer before packing."
            ),
        ),
    ),
    Scenario(
        "heel_injury",
        Category.PRODUCT_QUALITY,
        AFTER_SALES,
        1.2,
        days=(4, 8),
        major=True,
        products=(HEELS,),
        zh=Lines(
            subject="鞋跟断裂导致摔伤，要求赔偿",
            description=(
                "我{days}天前在{store}买的{product}，今天下楼梯的时候右脚鞋跟突然断了，整个人摔了"
                "下去，脚踝扭伤。去医院拍了片，医生说是韧带拉伤，要休息两周。医药费八百多，还请了"
                "假。断掉的鞋跟和医院的单据我都留着。你们必须给我一个说法！"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。听到您受伤我们非常难过，请您先好好休息。这件事我们"
                "按重大投诉处理，由我全程负责。麻烦您保留好断跟的鞋子和医院的病历、发票，方便时拍照"
                "发给我；我们会安排同事上门取鞋送第三方检测，医药费和误工损失我们会先行承担。"
            ),
            answer="病历和发票的照片都发了。鞋子你们什么时候来拿？我现在下楼都不方便。",
            note=(
                "重大投诉：人身伤害。已上报质量部和法务；实物送第三方检测；同款同批次暂停销售"
                "待查。客户诉求：医药费 + 误工费。"
            ),
            update=(
                "同事明天上午上门取鞋，您在家等就可以，不用下楼。检测结果出来后我第一时间告诉您，"
                "赔偿方案我已经在报批了。"
            ),
            resolution=(
                "检测结论是鞋跟内部支撑件存在焊接缺陷，责任在我们。赔偿已经确认：全额退还鞋款 "
                "{price} 元、报销医药费 836 元，另付误工及营养补偿 2000 元，今天已一并转到您提供"
                "的账户。同批次产品已全部下架。再次郑重向您道歉，祝您早日康复。"
            ),
        ),
        en=Lines(
            subject="Heel snapped and I was injured: I want compensation",
            description=(
                "I bought the {product} at the {store} {days} days ago. Today the right heel "
                "snapped while I was going down the stairs and I fell. The hospital X-rayed my "
                "ankle: torn ligaments, two weeks' rest. The medical bills are over ¥800 and "
                "I've had to take time off work. I've kept the broken shoe and all the hospital "
                "paperwork. I expect this to be taken seriously."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. I'm so sorry you were hurt; please rest first. "
                "We're treating this as a major complaint and I'll handle it personally from "
                "start to finish. Please keep the shoe and the hospital records and receipts, "
                "and send me photos when you can. We'll collect the shoe for independent "
                "testing, and we will cover your medical costs and lost earnings."
            ),
            answer=(
                "Photos of the medical report and receipts are attached. When will you collect "
                "the shoe? I can't really get downstairs at the moment."
            ),
            note=(
                "MAJOR: personal injury. Reported to quality and legal; the shoe goes to a "
                "third-party lab; same batch suspended from sale pending results. Customer asks "
                "for medical costs and lost earnings."
            ),
            update=(
                "A colleague will collect the shoe from your door tomorrow morning, so no need "
                "to go downstairs. I'll tell you the lab result as soon as we have it; the "
                "compensation is already going through approval."
            ),
            resolution=(
                "The lab found a welding defect in the heel's internal support, so the fault is "
                "ours. We've paid into your account today: a full refund of ¥{price}, your "
                "medical costs of ¥836 and ¥2,000 for lost earnings and recovery. The whole "
                "batch has been withdrawn from sale. Again, I'm truly sorry, and I hope you're "
                "back on your feet soon."
            ),
        ),
    ),
    Scenario(
        "slip_batch",
        Category.PRODUCT_QUALITY,
        KEY_ACCOUNTS,
        1,
        days=(3, 5),
        major=True,
        key_account=True,
        kitchens_only=True,
        zh=Lines(
            subject="{ka_product}防滑不达标，已有员工滑倒受伤",
            description=(
                "{contact}。我们按合同 {contract} 采购的 {qty} 双{ka_product}上周起陆续发到各"
                "部门，这两天已经有两名员工在湿滑地面上滑倒，其中一人手腕骨裂。我们自己做了测试，"
                "鞋底在油水地面上几乎没有抓地力，和合同约定的防滑等级明显不符。剩下的鞋我们已经暂停"
                "发放，请立即给出处理方案。"
            ),
            reply=(
                "{hello}，我是{you}的专属客户经理{agent}。首先向受伤的员工表示慰问，这件事我们按"
                "最高级别处理。质量部今天就派人到{you}抽样，同时加急送第三方检测防滑性能。麻烦提供"
                "一下两位员工的受伤记录和出事地点，可以吗？"
            ),
            answer="受伤记录和地址已经发到你邮箱了。我们需要在下周一之前拿到合格的鞋。",
            note=(
                "重大投诉（大客户、人身伤害）。疑似鞋底配方与封样不一致，质量部今日到场抽样，法务"
                "已知悉。方案：{qty} 双全部召回更换，承担员工医疗费用。"
            ),
            update=(
                "检测结果出来了：这批鞋底用错了配方，防滑系数低于合同标准，责任完全在我们。我们会"
                "召回全部 {qty} 双，换发合格批次，周五前送达；两位员工的医疗费用由我们承担。"
            ),
            resolution=(
                "合格批次的 {qty} 双已全部送达，旧鞋召回完毕，两位员工的医疗费用已按{you}提供的"
                "单据付清。我们也修订了来料检验流程，防滑测试改为每批必检。感谢{you}的理解与配合。"
            ),
        ),
        en=Lines(
            subject="{ka_product_cap} fail slip resistance: staff injured",
            description=(
                "{contact}. The {qty} pairs of {ka_product} under contract {contract} have been "
                "arriving at our sites since last week. In the past two days two employees have "
                "slipped on wet floors, and one has a fractured wrist. Our own test shows the "
                "soles have almost no grip on oily floors, nowhere near the slip rating in the "
                "contract. We've stopped issuing the remaining pairs. Please tell us today what "
                "you intend to do."
            ),
            reply=(
                "{hello} I'm {agent}, your account manager. First, please pass on our sympathies "
                "to your injured colleagues. We're treating this at the highest priority: our "
                "quality team will come to sample the shoes today and we're fast-tracking an "
                "independent slip test. Could you send me the incident reports and where they "
                "happened?"
            ),
            answer=(
                "Incident reports and addresses are in your inbox. We need compliant shoes by "
                "Monday."
            ),
            note=(
                "MAJOR (key account, injury). Suspect the wrong outsole compound against the "
                "approved sample; QC on site today, legal informed. Plan: recall and replace all "
                "{qty} pairs, cover the staff's medical costs."
            ),
            update=(
                "The test results are in: the batch used the wrong outsole compound and falls "
                "below the contract's slip rating, so this is entirely on us. We'll recall all "
                "{qty} pairs and deliver a compliant batch by Friday, and we'll cover both "
                "employees' medical costs."
            ),
            resolution=(
                "All {qty} pairs from the compliant batch have been delivered and the old ones "
                "collected. Both employees' medical costs have been paid against the documents "
                "you sent. Every batch is now slip-tested at our incoming inspection. Thank you "
                "for working with us on this."
            ),
        ),
    ),
    Scenario(
        "size_exchange",
        Category.OTHER,
        AFTER_SALES,
        6,
        days=(2, 4),
        zh=Lines(
            subject="尺码偏小，想换大一码",
            description=(
                "你好，我平时穿{size}码，这双{product}{size}码前掌有点挤，穿久了脚趾疼。只在家里"
                "试过，吊牌都在，想换大一码，怎么操作？订单 {order}。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。没问题，吊牌完好、未下地的鞋子 15 "
                "天内都可以免费换码。"
                "已经为您提交了换货申请，{size2}码有货，已为您预留。快递员明天上门取件，您把鞋子连同"
                "鞋盒一起交给他就行。"
            ),
            note="正常换码，{size2}码已锁库存。该款近期多位客户反馈偏小，建议详情页加尺码提示。",
            update="旧鞋已经揽收，{size2}码的新鞋今天发出，{courier}单号 {tracking}。",
            resolution="新鞋已经签收了。如果这一码还是不合适，随时再联系我们。祝您穿着舒服！",
        ),
        en=Lines(
            subject="Runs small: I'd like one size up",
            description=(
                "Hi, I normally wear a {size} but the {product} in {size} are tight across the "
                "front and my toes hurt after a while. I've only tried them indoors and the tags "
                "are still on. How do I swap them for one size up? Order {order}."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. No problem: unworn shoes with their tags can "
                "be exchanged for free within 15 days. I've raised the exchange and reserved a "
                "pair in {size2} for you. A courier will collect tomorrow; just hand over the "
                "shoes in their box."
            ),
            note=(
                "Routine size exchange, {size2} reserved. Several customers say this model runs "
                "small; suggested a sizing hint on the product page."
            ),
            update=(
                "The courier has collected your pair, and the {size2} ships today with {courier}, "
                "tracking {tracking}."
            ),
            resolution=(
                "Your new pair has been delivered. If the fit still isn't right, just get in "
                "touch. Enjoy them!"
            ),
        ),
    ),
    Scenario(
        "e_invoice",
        Category.OTHER,
        AFTER_SALES,
        3,
        days=(0.2, 1),
        zh=Lines(
            subject="电子发票一直没收到，抬头也开错了",
            description=(
                "下单时选了开电子发票，单位报销要用，但{days}天了邮箱一直没收到。在线机器人说已经"
                "开具，我在账户里看到发票抬头是我个人的名字，可我填的是公司抬头。订单 {order}。"
            ),
            reply=(
                "{hello}，我是{team}的{agent}。抱歉给您报销添麻烦了。请您把公司全称和税号发给我，"
                "我这边作废原发票并重新开具，开好后发到您下单时留的邮箱。"
            ),
            answer="公司全称和税号发你了，麻烦尽快，月底前要交报销。",
            note=(
                "下单时的抬头信息没有同步到开票系统（已知问题，已报 IT）。作废原票，"
                "按公司抬头重开。"
            ),
            resolution=(
                "新的电子发票已经开好并发到您的邮箱，抬头和税号我都核对过了，原来那张已作废。如果"
                "没收到，请看一下垃圾邮件箱。"
            ),
        ),
        en=Lines(
            subject="E-invoice never arrived and has the wrong name on it",
            description=(
                "I asked for an e-invoice when I ordered because I need it for expenses, but "
                "{days} days later nothing has arrived. The chatbot says it was issued, and in my "
                "account I can see it's made out to me personally, although I entered my "
                "company's name. Order {order}."
            ),
            reply=(
                "{hello} I'm {agent} from {team}. Sorry for the hassle with your expenses. Please "
                "send me your company's full name and tax ID; I'll void the old invoice and "
                "issue a new one to the e-mail address on your order."
            ),
            answer=(
                "Company name and tax ID sent. Please hurry, expenses are due at the end of the "
                "month."
            ),
            note=(
                "Company details from checkout didn't reach the invoicing system (known issue, "
                "reported to IT). Voided and reissued with the company details."
            ),
            resolution=(
                "Your new e-invoice has gone to your e-mail; I've double-checked the company "
                "name and tax ID, and the old one is void. If you can't see it, please check "
                "your spam folder."
            ),
        ),
    ),
)
