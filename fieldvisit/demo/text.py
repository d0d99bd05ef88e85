"""Realistic Chinese sample matters for demo data, benchmarks and screenshots.

Demo records must read like what a recorder really types on a leader's visit to a mine district or a
retirees' office: concrete months, amounts, teams and policy words, never the same sentence twice.
Compression and search benchmarks are only honest on text like that, so it is generated here from
sentence templates and slot tables, driven only by the `random.Random` the caller passes in.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

__all__ = ["SITES", "SiteProfile", "make_matter"]

# ---------------------------------------------------------------------------------------------
# Sites
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteProfile:
    name: str
    kind: str
    units: tuple[str, ...]
    leaders: tuple[tuple[str, str], ...]
    recorder: str
    title: str


SITES: tuple[SiteProfile, ...] = (
    SiteProfile(
        "东风煤矿三采区", "mine_district", ("综采一队", "掘进二队", "通风队", "机电队", "运输队"),
        (("王志刚", "矿长"), ("刘海燕", "工会主席"), ("陈建军", "安全副矿长")), "赵敏", "矿领导深入三采区接访",
    ),
    SiteProfile(
        "红岭煤矿北翼采区", "mine_district", ("综采三队", "掘进一队", "开拓队", "防突队", "巷修队"),
        (("孙立新", "党委书记"), ("马春生", "总工程师")), "周晓丽", "红岭煤矿党委书记北翼采区现场办公",
    ),
    SiteProfile(
        "东风煤矿综采二队", "team", ("生产一班", "生产二班", "检修班", "准备班", "运料班"),
        (("陈建军", "安全副矿长"), ("胡志勇", "综采二队党支部书记")), "赵敏", "走进综采二队班前会听民声",
    ),
    SiteProfile(
        "红岭煤矿掘进一队", "team", ("掘进一班", "掘进二班", "掘进三班", "机电班", "运输班"),
        (("马春生", "总工程师"), ("田玉林", "生产副矿长")), "周晓丽", "生产副矿长到掘进一队蹲点接访",
    ),
    SiteProfile(
        "机电修理车间", "workshop", ("电机班", "液压支架维修班", "铆焊班", "车工班", "电器试验班"),
        (("高建华", "机电副矿长"), ("李红梅", "车间党支部书记")), "何静", "分管领导到机电修理车间现场接访",
    ),
    SiteProfile(
        "选煤厂生产车间", "workshop", ("重介班", "浮选班", "装车班", "压滤班", "检修班"),
        (("郑国庆", "选煤厂厂长"), ("吴秀兰", "工会副主席")), "黄婷", "选煤厂领导班子下车间倾听职工诉求",
    ),
    SiteProfile(
        "离退休职工协会活动中心", "retirees",
        ("第一退休党支部", "第二退休党支部", "东风新村退管站", "南山退管站", "遗属联络组"),
        (("张宏伟", "公司党委副书记"), ("林淑芬", "离退休管理办公室主任")), "曹丽", "公司领导走访离退休职工协会",
    ),
    SiteProfile(
        "红岭煤矿离退休管理站", "retirees", ("红岭退管站", "北山社区退休党支部", "老干部党支部", "矿区遗属联络组"),
        (("罗建新", "矿长"), ("梁桂芝", "离退休管理站站长")), "唐芳", "重阳节前矿长到离退休管理站走访",
    ),
    SiteProfile(
        "公司机关综合楼", "office", ("党政办公室", "财务部", "人力资源部", "调度指挥中心", "物资供应部"),
        (("谢永强", "总经理"), ("宋丽华", "纪委书记")), "冯洁", "公司领导机关接访日",
    ),
    SiteProfile(
        "东风新村社区服务站", "other", ("物业服务队", "供暖站", "职工食堂", "供水供电队", "保洁队"),
        (("邓光明", "后勤服务中心主任"), ("彭玉兰", "社区党支部书记")), "蒋琳", "后勤领导到东风新村社区现场办公",
    ),
)

# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_CHARS = {  # (first characters, second characters) of a two-character given name
    "male": ("建志国海振永德春立宏文晓长庆学新明俊家保金世玉广", "军强华明林平刚伟东生峰斌涛勇辉波杰龙亮鹏成武忠福"),
    "female": ("秀丽桂淑玉春晓红美海凤雪金素彩翠丹", "英兰芳梅霞燕娟琴萍红敏玲华珍云荣丽静"),
}
ELDER_GIVEN = (
    "建国", "建军", "国庆", "援朝", "卫东", "志强", "德胜", "长林", "桂兰", "秀英", "淑珍", "玉梅",
    "凤英", "秀兰", "桂芝", "振山", "福海", "宝林", "金锁", "满仓",
)
MALE_SHARE = {"mine_district": 0.92, "team": 0.92, "workshop": 0.75}  # other kinds: 0.55
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157",
    "158", "159", "170", "173", "177", "180", "181", "182", "183", "186", "187", "188", "189", "191", "199",
)

JOBS = {
    "mine_district": ("综采工", "掘进工", "电钳工", "瓦检员", "皮带司机", "支架工", "安全员", "绞车司机", "巷修工"),
    "team": ("采煤机司机", "掘进机司机", "电钳工", "支架工", "运料工", "班组长", "瓦检员", "锚杆工"),
    "workshop": ("车工", "钳工", "电焊工", "维修电工", "行车工", "铆工", "检修工", "试验工"),
    "retirees": ("退休职工", "退休党员", "内退职工", "老职工"),
    "office": ("科员", "统计员", "调度员", "驾驶员", "会计", "档案管理员"),
    "other": ("物业维修工", "供暖工", "炊事员", "保洁员", "水电工"),
}

# ---------------------------------------------------------------------------------------------
# Slot tables: every template placeholder is filled from one of these.
# ---------------------------------------------------------------------------------------------

POOLS: dict[str, tuple[str, ...]] = {
    "old_unit": ("原综采一队", "原机修厂", "原运输区", "原选煤厂", "原供电工区", "原建安公司", "原通风区", "原掘进三队"),
    "allowance": ("井下津贴", "夜班补助", "班中餐补贴", "高温补贴", "岗位津贴", "安全奖", "班长津贴", "入井补贴"),
    "wage_reason": (
        "调岗后岗位系数一直没调", "考勤机漏记了下井次数", "区队二次分配方案改了", "人资系统升级时数据没导全",
        "新旧工资标准衔接时算错了", "工时只按白班算了",
    ),
    "sensor": ("瓦斯监测探头", "一氧化碳传感器", "风速传感器", "温度传感器", "烟雾传感器", "甲烷断电仪"),
    "hazard": ("顶板破碎掉渣", "锚杆托盘松动", "两帮片帮严重", "顶网撕裂下沉", "支架初撑力不够"),
    "machine": ("皮带机", "刮板输送机", "调度绞车", "乳化液泵站", "局部通风机", "转载机"),
    "protect": ("跑偏保护", "急停闭锁", "超温洒水保护", "过卷保护", "堆煤保护", "漏电保护"),
    "route": ("市区", "河西", "南山", "火车站", "新城区", "老矿区"),
    "estate": ("东风新村", "南山小区", "矿区三街坊", "河西家属区", "工人新村", "红岭社区", "北山棚户区"),
    "co": ("东风机械厂", "矿务局建安公司", "东风化工厂", "矿区服务公司", "东风水泥厂", "劳动服务公司"),
    "village": ("王庄村", "李家洼", "后湖村", "东岭村", "张楼村", "北坡村", "石桥村", "前营村"),
    "project": ("新风井场地", "矸石山扩容", "铁路专用线", "选煤厂扩建", "排矸场", "储煤场"),
    "seam": ("二号煤层", "三号煤层", "一五采区", "老北翼", "八号煤层"),
    "injury_cause": ("掉落的矸石", "倒下的单体支柱", "滑落的锚杆", "翻倒的矿车", "甩出的钢丝绳"),
    "body_part": ("左脚", "右腿", "腰部", "左手两根手指", "右肩", "小腿"),
    "family": (
        "爱人常年卧病在床", "孩子还在上大学", "上有两位八十多岁的老人", "爱人下岗多年没有收入",
        "孩子患有先天性心脏病", "爱人做了两次手术", "母亲瘫痪在床需要人照顾",
    ),
    "excuse": (
        "对方说要研究研究，到现在没有下文", "说是历史原因，谁也解决不了", "答复是等上级文件",
        "都说不归自己管，来回推", "让回去等通知，一等就是好几个月", "只说会向上反映，之后就没人管了",
        "说今年没有预算，明年再说", "当面答应得好好的，过后就不提了",
    ),
    "contact": ("区队长", "班长", "车间主任", "工会小组长", "支部书记", "科室负责人", "劳资员"),
    "dept_other": ("区队办公室", "工会", "人力资源部", "信访办", "车间办公室", "财务部", "社区"),
    "gov": ("市里", "省里", "市信访局", "区政府", "国资委"),
    "age": ("六十", "七十", "八十"),
    "ratio": ("五成", "六成", "七成", "八成"),
    "n": ("两", "三", "四", "五", "六"),
}

RANGES: dict[str, tuple[int, int, int]] = {
    "m1": (1, 11, 1), "day": (1, 28, 1),
    "year": (1998, 2006, 1), "year_recent": (2021, 2025, 1), "ryear": (2003, 2019, 1),
    "build_year": (1988, 2003, 1), "reloc_year": (2012, 2019, 1), "stop_year": (2014, 2019, 1),
    "death_year": (1995, 2012, 1), "inner_year": (2008, 2016, 1), "birth": (1962, 1966, 1),
    "prev_year": (2019, 2024, 1), "gap_year": (2003, 2016, 1),
    "wyears": (8, 32, 1), "age_n": (68, 86, 1), "since": (17, 25, 1), "cnt": (8, 60, 1),
    "cnt_days": (20, 27, 1), "att": (120, 200, 1), "km": (5, 18, 1), "mu": (15, 120, 1),
    "amt": (180, 1800, 10), "amt2": (1200, 9800, 100), "amt3": (12000, 80000, 1000), "amt4": (3, 12, 1),
    "amt5": (40, 380, 1), "per_year": (800, 2000, 100), "per_m2": (1200, 3200, 100),
    "pension": (2300, 4200, 10), "perf_hi": (4600, 7200, 10), "meal": (12, 25, 1), "temp": (38, 45, 1),
    "temp_low": (10, 15, 1), "rise": (2, 6, 1), "floor": (3, 6, 1), "dorm_no": (1, 6, 1), "bldg": (1, 30, 1),
    "gap_n": (2, 6, 1),
}

CN_SMALL = ("", "一", "两", "三", "四")

# ---------------------------------------------------------------------------------------------
# Openers and closers of the petitioner's account
# ---------------------------------------------------------------------------------------------

OPENERS = {
    "first": (
        "我是{unit}的{job}，", "我在{unit}当{job}{wyears}年了，", "本人系{unit}{job}，", "我是{unit}{job}，干了{wyears}年，",
    ),
    "third": ("来访人{pname}是{unit}{job}，反映：", "{pname}，{unit}{job}，反映", "{unit}{job}{pname}反映，"),
    "group": ("我们{people_cn}个都是{unit}的{job}，", "{pname}等{people_cn}人反映，", "{unit}{people_cn}名{job}一起来反映，"),
    "collective": ("{unit}{people}名职工集体来访，反映", "我们{unit}{people}个人一起来的，", "{pname}等{people}人代表{unit}职工反映，"),
    "anonymous": ("一名{unit}{job}不愿留名，反映", "来访人要求匿名，自称是{unit}的{job}，", "{unit}一位{job}匿名反映，"),
    "retiree": (
        "我是{ryear}年从{old_unit}退休的老职工，", "我今年{age_n}岁，{ryear}年从{old_unit}退休，", "{pname}是{old_unit}退休职工，反映",
    ),
}

FOLLOW_UPS = (
    "跟{unit}反映过{n}次，{excuse}。",
    "{prev_m}月找过{dept_other}，{excuse}。",
    "{prev_year}年以来前后找了{n}个部门，{excuse}。",
    "当时跟{unit}{contact}说了，{excuse}。",
    "{prev_m}月底问过{contact}，{excuse}。",
)

CLOSERS = {
    "repeat": (
        "这事{prev_year}年就向{dept_other}反映过，一直没有结果。", "{prev_m}月已经向{contact}反映过一次，至今没人答复。",
        "{prev_year}年接访时登记过，{dept_other}说{n}个月内解决，没兑现。",
    ),
    "skip_level": (
        "在{unit}反映{n}次没人管，这次直接找公司领导。", "找{contact}{n}回都没用，只好越级来反映。",
        "{prev_m}月找{dept_other}没结果，听说领导下来接访就赶来了。",
    ),
    "vulnerable": (
        "家里{family}，日子过得很紧。", "本人身体不好，{family}，实在困难。",
        "{family}，每月药费就得{amt}元，是{unit}登记的困难职工。",
    ),
    "latent_risk": (
        "来访人情绪激动，说{prev_m}月底前不解决就去{gov}上访。", "{unit}还有{cnt}个人有同样想法，说准备一起去{gov}。",
        "来访人说{prev_m}月已经写好材料，准备寄到{gov}。",
    ),
}

# ---------------------------------------------------------------------------------------------
# Categories: departments and topics (title / fact / demand / on-site answer / commitment)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Topic:
    titles: tuple[str, ...]
    facts: tuple[str, ...]
    demands: tuple[str, ...]
    answers: tuple[str, ...]
    commitments: tuple[str, ...]


@dataclass(frozen=True)
class _Category:
    departments: tuple[str, ...]
    topics: tuple[_Topic, ...]
    collective: float = 0.12
    hazard: float = 0.02
    legacy: float = 0.03


WAGES = _Category(("劳资科", "人力资源部", "财务部"), (
    _Topic(
        ("{unit}{allowance}连续两月少发", "{unit}{m1}月{allowance}未足额发放"),
        ("{m1}、{m2}两个月的{allowance}每月比往常少了{amt}元，工资条上看不出扣在哪儿，区队核算员说是{wage_reason}。",
         "{m1}月份下井{cnt_days}个班，{allowance}却只按{cnt_days2}个班算，少了{amt}元，问了才知道是{wage_reason}。"),
        ("请求核实并补发{m1}、{m2}月少发的{allowance}，说明扣发依据", "要求把{m1}月少算的{amt}元{allowance}一次性补发到位"),
        ("已责成{dept}{days}日内核对{unit}{m1}、{m2}月考勤台账，确属漏发的随下月工资补发",
         "现场请{dept}调取{m1}月下井记录，属实的{days}日内补发，并向{unit}职工说明原因"),
        ("{days}日内核对完毕，{allowance}随当月工资补发", "{days}日内向本人反馈{m1}月{allowance}核对结果"),
    ),
    _Topic(
        ("{unit}绩效工资核算不公开", "{unit}绩效二次分配职工有意见"),
        ("{unit}绩效工资由班组长打分，分数从不公示，同样出满勤，有人拿{perf_hi}元，有人只拿{perf_lo}元，问{contact}也说不清怎么算的。",
         "{m1}月起{unit}绩效工资改成积分制，细则没跟职工见面，我这个月比上月少了{amt}元，同班组的{n}个人都少了。"),
        ("要求{unit}公开绩效考核细则和每月打分结果，接受职工监督", "请求复核{unit}{m1}月绩效工资，按统一标准重新核算"),
        ("{dept}{days}日内到{unit}核查{m1}月分配台账，考核细则要张榜公示",
         "绩效二次分配必须公开透明，已要求{unit}{days}日内把{m1}月打分明细公示到班组"),
        ("{days}日内完成{unit}绩效分配核查", "{days}日内公示{unit}{m1}月打分明细"),
    ),
    _Topic(
        ("{unit}派遣工同岗不同酬", "{unit}劳务派遣工要求同工同酬"),
        ("我们是{year_recent}年通过劳务公司派到{unit}的，和正式工一样倒三班，每月工资少{amt}元左右，{allowance}也不发。",
         "{unit}有{cnt}名劳务派遣工，干的活和正式工一样，{allowance}却一分没有，{year_recent}年以来每人少拿了{amt2}元。"),
        ("要求落实同工同酬，补发{year_recent}年以来的{allowance}差额", "请求明确{unit}派遣工{allowance}发放标准，同岗同酬"),
        ("派遣工待遇由{dept}牵头约谈劳务公司，{days}日内拿出{allowance}发放意见",
         "同岗同酬是政策要求，{dept}会同劳务公司{days}日内核算{unit}派遣工工资差额"),
        ("{days}日内约谈劳务公司并书面答复", "{days}日内拿出派遣工{allowance}补发方案"),
    ),
    _Topic(
        ("{unit}休息日检修未计加班费", "{unit}节日加班费未按规定发放"),
        ("{m1}月份{unit}连续{n}个休息日安排检修，每次干到后半夜，考勤只记正常班，加班费没给，{unit2}却按天补助了。",
         "{m1}月{day}日节日当天{unit}{cnt}个人全员上岗抢修，按规定应发三倍工资，实际每人只多发了{amt}元。"),
        ("请求按规定补发{m1}月{n}个休息日的加班工资", "要求{unit}{m1}月节日加班按三倍工资足额补发"),
        ("已请{dept}调取{unit}{m1}月检修派工单和考勤记录，核实后{days}日内按规定补发",
         "加班必须按劳动法计酬，{dept}{days}日内核定{unit}{m1}月加班工时，差额补齐"),
        ("{days}日内按派工单核定{m1}月加班费", "{days}日内补发{unit}节日加班工资差额"),
    ),
))

SOCIAL_INSURANCE = _Category(("社保中心", "人力资源部", "劳资科"), (
    _Topic(
        ("{gap_year}年养老保险断缴{gap_n}个月", "{unit}职工社保缴费断档"),
        ("查个人社保记录才发现，{gap_year}年{gm1}月到{gm2}月养老保险是空的，可那几个月我一直在{unit}上班，工资条上也扣了个人部分。",
         "办退休预审时社保局说我{gap_year}年断缴了{gap_n}个月，缴费年限差一点不够，那年单位资金紧张，好多人都没缴上。"),
        ("请求补缴{gap_year}年断缴的{gap_n}个月养老保险，保证缴费年限连续", "要求查清{gap_year}年断缴原因，由单位负责补缴"),
        ("{dept}{days}日内调取{gap_year}年缴费台账，确属单位漏缴的由单位补缴，不影响个人待遇",
         "断缴问题涉及退休待遇，请{dept}{days}日内到社保局查明{gap_year}年缴费明细"),
        ("{days}日内查清{gap_year}年断缴原因并答复", "{days}日内提交{gap_year}年补缴申请"),
    ),
    _Topic(
        ("{unit}退休职工养老金核定偏低", "{unit}老职工养老金核定不准"),
        ("我{birth}年出生，{m1}月刚办完退休，核定的养老金每月{pension}元，比同批退的工友少了{amt}元，说是井下特殊工种{n}年没认定。",
         "{m1}月退休后养老金只核了{pension}元，井下特殊工种{n}年没认定，{year}年以前在{old_unit}的档案找不到了。"),
        ("请求重新核定养老金，把井下特殊工种{n}年算进去", "要求补齐{year}年以前的档案材料，重新核定视同缴费年限"),
        ("特殊工种认定要看原始档案，{dept}{days}日内查阅本人档案，材料齐全的重新报送核定",
         "{dept}{days}日内协调档案室和{old_unit}老同事出具证明，补齐后重新申报核定"),
        ("{days}日内查档并反馈特殊工种认定意见", "{days}日内补齐档案材料重新报送"),
    ),
    _Topic(
        ("{unit}职工工伤认定迟迟未报", "{m1}月井下受伤工伤申报被拖延"),
        ("{m1}月{day}日在{spot}作业时被{injury_cause}砸伤{body_part}，住院{n}周，自己垫付医药费{amt2}元，工伤材料到现在还没报。",
         "{m1}月在{spot}扭伤{body_part}，当时班长让按病假处理，后来才知道超过一个月就不好认定工伤了，{amt2}元医药费没处报。"),
        ("要求尽快报送工伤认定材料，报销垫付的{amt2}元医药费", "请求按工伤处理{m1}月受伤一事，落实停工留薪待遇"),
        ("工伤申报有时限，已责成{dept}{days}日内把材料报到人社局，垫付的{amt2}元先行借支",
         "现场明确{m1}月受伤按工伤程序办理，{dept}{days}日内补齐事故调查材料"),
        ("{days}日内完成工伤认定申报", "{days}日内借支垫付医药费{amt2}元"),
    ),
    _Topic(
        ("{unit}接尘职工职业病体检未安排", "{unit}职业健康体检多年中断"),
        ("{unit}接尘岗位按规定每年要做职业健康体检，{year_recent}年以来一次没安排，我在{spot}干了{wyears}年，自己去拍片花了{amt}元。",
         "同班的{n}个老工友陆续查出尘肺，{unit}的职业病体检却从{year_recent}年起停了，大家心里没底，自费体检一次要{amt}元。"),
        ("要求组织{unit}接尘职工职业病体检，费用由单位承担", "请求{year_recent}年以来未体检的接尘职工补做职业健康检查"),
        ("职业健康体检是硬性规定，{dept}{days}日内联系职防院给{unit}安排体检",
         "{dept}{days}日内排出{unit}体检计划，查出问题的按职业病程序申报"),
        ("{days}日内安排{unit}职业健康体检", "{days}日内报销自费拍片的{amt}元"),
    ),
), legacy=0.06)

WORK_SAFETY = _Category(("安全监察部", "通风科", "机电科", "生产技术科"), (
    _Topic(
        ("{spot}{sensor}长期未校验", "{unit}反映{sensor}报警失灵"),
        ("{spot}的{sensor}已经{n}个多月没校验，读数和便携仪差得多，{m1}月{day}日便携仪报警它却没反应。",
         "{m1}月以来{spot}的{sensor}经常断线，调度室看不到数据，{unit}照常组织生产，班组报了{n}次隐患没人来修。"),
        ("要求立即校验更换{spot}的{sensor}，查清不报警原因", "要求{sensor}修好之前{spot}停止作业，查处带病生产"),
        ("现场责令{dept}当班派人到{spot}校验{sensor}，不合格的立即更换",
         "{spot}监测恢复前停产撤人，{dept}{days}日内对{sensor}逐台校验"),
        ("{days}日内完成{spot}传感器校验并复查", "{days}日内通报{spot}隐患整改结果"),
    ),
    _Topic(
        ("{spot}{hazard}存在冒顶隐患", "{unit}作业地点顶板支护不到位"),
        ("{spot}最近{hazard}，{m1}月{day}日还掉过一次矸石，差点砸到人，班组报了隐患，{unit}为了赶进度让先干着再说。",
         "{spot}一带{hazard}，支护材料却迟迟不到，{unit}的人每天提着心作业，{m1}月已经有{n}个人被碎矸擦伤。"),
        ("要求停产整改{spot}顶板支护，整改前不得安排人员作业", "要求{dept}到{spot}现场排查，补足{unit}支护材料"),
        ("已通知{dept}{days}日内组织专家到{spot}排查，隐患未消除前一律停止作业",
         "顶板管理不能为进度让路，{dept}当班到{spot}复核支护"),
        ("{days}日内完成{spot}支护整改验收", "{days}日内补齐{unit}支护材料"),
    ),
    _Topic(
        ("{spot}巷道积水排水泵不够用", "{unit}反映巷道积水电缆泡水"),
        ("{spot}巷道积水没过脚面已经{n}个多星期，排水泵只有一台能用，另一台{m1}月坏了一直没修，电缆也泡在水里。",
         "{m1}月{day}日以后{spot}涌水明显变大，{unit}只有{n}台小水泵，一到夜班就排不过来，行人只能蹚水通过。"),
        ("要求尽快修复排水泵，清理{spot}积水，电缆重新吊挂", "要求查清{spot}涌水变大的原因，增配排水设备"),
        ("现场请{dept}负责人记录，{days}日内调备用水泵到{spot}，电缆吊挂当班整改",
         "已安排{dept}{days}日内到{spot}做水文观测，排水能力先补足"),
        ("{days}日内在{spot}增设排水泵", "{days}日内报送{spot}水文观测结果"),
    ),
    _Topic(
        ("{machine}{protect}被私自短接", "{unit}{machine}保护失效"),
        ("{unit}的{machine}{protect}好长时间不起作用，为了不影响生产有人直接把保护短接了，{m1}月已经出过一次险情。",
         "{m1}月检查时发现{spot}{machine}的{protect}是摆设，{unit}上报后没人修，反而被说耽误了{n}个小时生产。"),
        ("要求恢复{machine}{protect}，严查私自短接保护的人", "要求{dept}对{unit}所有{machine}保护装置逐台检测"),
        ("保护一律不准短接，{dept}{days}日内逐台检查{unit}{machine}，查实追责",
         "现场责成{dept}当班停用{spot}{machine}，保护试验合格后才能开机"),
        ("{days}日内通报短接保护的处理结果", "{days}日内完成{unit}{machine}保护检测"),
    ),
), collective=0.10, hazard=0.88)

WORKING_CONDITIONS = _Category(("后勤服务中心", "生产技术科", "工会", "行政办公室"), (
    _Topic(
        ("{unit}更衣室澡堂热水不足", "井口澡堂{m1}月以来经常停热水"),
        ("井口澡堂从{m1}月开始热水时有时无，夜班升井后只能冲凉水，更衣室{n}排柜子门坏了也没人修，{unit}排队洗澡要等半小时。",
         "{unit}{cnt}个人挤一个澡堂，{m1}月锅炉检修后水温一直上不去，冬天升井冲凉水，已经有{n}个人感冒发烧。"),
        ("要求维修澡堂锅炉和{unit}更衣柜，保证夜班升井有热水", "要求{m1}月前修好井口澡堂锅炉，增设淋浴喷头"),
        ("已安排{dept}{days}日内检修澡堂热水系统，{unit}损坏的更衣柜统一更换",
         "澡堂是井下职工的基本保障，{dept}{days}日内拿出锅炉维修方案，夜班先用电热水器过渡"),
        ("{days}日内恢复澡堂热水供应", "{days}日内更换{unit}损坏的更衣柜"),
    ),
    _Topic(
        ("{unit}夜班班车取消后上下班困难", "{route}方向班车班次减少"),
        ("{m1}月起{route}方向的夜班班车取消了，{unit}住在{estate}的职工有{cnt}人，凌晨升井后只能骑电动车走{km}公里山路。",
         "{route}班车从每天{n}趟减成一趟，{unit}早班的人赶不上，只能自己打车，一个月光车费就得{amt}元。"),
        ("要求恢复{route}方向夜班班车，至少保留凌晨一班", "请求按{unit}倒班时间调整{route}方向班车发车时刻"),
        ("班车调整考虑不周，{dept}{days}日内重新摸底{unit}乘车人数，恢复{route}夜班车次",
         "请{dept}{days}日内把{route}班车时刻和{unit}倒班时间对一下"),
        ("{days}日内恢复{route}方向夜班班车", "{days}日内公布调整后的{route}班车时刻"),
    ),
    _Topic(
        ("{unit}井下班中餐质量差", "职工食堂{m1}月起涨价分量减少"),
        ("{unit}井下班中餐送到工作面早就凉了，{m1}月以来经常只有馒头咸菜，标准是每餐{meal}元，大家觉得根本不值。",
         "职工食堂{m1}月起一份套餐从{meal}元涨了{rise}元，肉菜反倒少了，{unit}升井晚了食堂也不给留饭。"),
        ("要求改善{unit}班中餐质量，公开伙食账目，保证热饭下井", "要求食堂说明{m1}月涨价依据，给{unit}夜班升井留饭"),
        ("班中餐是职工最关心的事，已责成{dept}{days}日内公开伙食账目，改用保温餐箱送餐",
         "{dept}{days}日内会同工会核查食堂{m1}月涨价依据，夜班留饭当天落实"),
        ("{days}日内配齐{unit}保温送餐箱", "{days}日内公开食堂{m1}月涨价依据"),
    ),
    _Topic(
        ("{unit}夏季高温无降温设施", "{unit}作业场所粉尘噪声超标"),
        ("{unit}顶棚是彩钢瓦，夏天室内能到{temp}度，只有{n}台风扇，{m1}月已经有人中暑，防暑降温品只发过一次绿豆白糖。",
         "{unit}干活的地方粉尘大、噪声大，除尘器{m1}月坏了没修，发的防尘口罩一个月才{n}个，耳塞根本不发。"),
        ("要求{unit}加装降温设备，足额发放防暑降温用品和高温补贴", "要求修复{unit}除尘器，按标准发放防尘口罩和耳塞"),
        ("请{dept}{days}日内到{unit}测温评估，先配发移动空调和防暑降温用品",
         "{dept}{days}日内请职防院到{unit}检测粉尘噪声，除尘器同步维修"),
        ("{days}日内为{unit}配发降温设备", "{days}日内修复{unit}除尘器并补发劳保"),
    ),
), hazard=0.45)

HOUSING = _Category(("房产管理科", "后勤服务中心", "棚改办公室", "物业公司"), (
    _Topic(
        ("{dorm}楼顶漏雨无人维修", "{unit}单身职工宿舍漏雨"),
        ("{dorm}是{build_year}年盖的，楼顶防水层早坏了，{m1}月连下几场雨，{floor}楼好几间宿舍往下滴水，被褥都湿了。",
         "{unit}住在{dorm}的有{cnt}人，{m1}月以来屋顶漏雨、墙皮脱落，报修单交给物业{n}次，只来看过一回。"),
        ("要求尽快维修{dorm}楼顶防水，漏雨期间调剂临时宿舍", "要求物业公开{dorm}报修处理情况，汛期前修好"),
        ("已请{dept}{days}日内对{dorm}屋面做防水维修，漏雨严重的房间今天先调换",
         "{dept}{days}日内到{dorm}逐间查看，维修费用由公司承担"),
        ("{days}日内完成{dorm}屋面防水维修", "{days}日内为{unit}调剂临时宿舍"),
    ),
    _Topic(
        ("{estate}棚改回迁迟迟未落实", "{estate}棚改回迁房交付一再延期"),
        ("{estate}棚户区{reloc_year}年就拆了，说好两年回迁，现在回迁楼还没交房，每月{amt}元过渡费从{m1}月起也停了。",
         "我家是{estate}棚改户，{reloc_year}年签的协议，回迁房{bldg}号楼到现在还是毛坯，一家{n}口在外面租房，每月房租{amt}元。"),
        ("要求明确{estate}回迁房交付时间，补发停发的过渡安置费", "请求{estate}{bldg}号楼按协议尽快交房，延期期间补偿房租"),
        ("{dept}{days}日内向市棚改办了解{estate}回迁进度，过渡费停发原因一并查清",
         "{dept}{days}日内约谈{estate}回迁楼施工单位，拿出交房时间表并张贴公示"),
        ("{days}日内补发停发的过渡安置费", "{days}日内公示{estate}回迁交房时间表"),
    ),
    _Topic(
        ("{estate}集资房多年办不下产权证", "{estate}集资房产权证办理无进展"),
        ("{build_year}年单位组织集资建房，我交了{amt3}元，房子住了二十多年，产权证一直办不下来，说是土地手续不全，{estate}有{cnt}户都这样。",
         "{estate}集资房没有产权证，孩子上学落户、老人想卖房都办不成，{build_year}年交的{amt3}元集资款连收据都快找不到了。"),
        ("要求单位协调补办土地手续，为{estate}集资房办理产权证", "请求把{estate}集资房办证列入{year_recent}年重点督办事项"),
        ("集资房办证是历史遗留问题，{dept}{days}日内梳理{estate}土地手续缺项",
         "{dept}{days}日内与不动产登记中心对接，先为{estate}有完整集资凭证的住户办理"),
        ("{days}日内报送{estate}办证问题清单", "{days}日内答复{estate}产权证办理路径"),
    ),
    _Topic(
        ("{estate}冬季供暖温度不达标", "{estate}暖气不热取暖费却上涨"),
        ("{estate}{bldg}号楼去年冬天室内只有{temp_low}度，老人孩子穿着棉袄过冬，今年取暖费每平米又涨了{rise}元，住户意见很大。",
         "{estate}供暖管网是{build_year}年铺的，漏水严重，{m1}月试供暖时{bldg}号楼有一半暖气片不热，供暖站说修管网得加钱。"),
        ("要求改造{estate}老化供暖管网，室温达标后再收取暖费", "要求供暖站入冬前修好{estate}{bldg}号楼漏水管道"),
        ("供暖关系民生，已安排{dept}{days}日内到{estate}入户测温，管网改造纳入明年计划",
         "{dept}{days}日内组织供暖站排查{estate}{bldg}号楼漏点，室温不达标的按规定退费"),
        ("{days}日内完成{estate}入户测温", "{days}日内修复{estate}{bldg}号楼供暖管道"),
    ),
), collective=0.16, legacy=0.2)

RETIREES = _Category(("离退休管理办公室", "社保中心", "工会", "财务部"), (
    _Topic(
        ("退休人员年度体检{stop_year}年起停办", "{unit}要求恢复退休职工体检"),
        ("以前每年{m1}月单位都组织退休职工体检，{stop_year}年起就停了，{unit}的老人大多{age}多岁，自己去医院查一次要{amt}元。",
         "在职职工每年都体检，退休的从{stop_year}年以后就没人管了，我们{unit}去年查出{n}个癌症晚期，要是早体检就好了。"),
        ("要求恢复{stop_year}年停办的退休人员免费体检", "请求{year_recent}年先给{unit}七十岁以上老人安排体检"),
        ("{dept}{days}日内和职工医院商定体检方案，先安排{unit}七十岁以上的",
         "{dept}{days}日内测算全公司退休人员体检费用，{stop_year}年停办的原因一并说明"),
        ("{days}日内拿出退休人员体检方案", "{days}日内答复{unit}体检安排"),
    ),
    _Topic(
        ("退休职工{year_recent}年度取暖费未发", "{year_recent}年退休人员取暖补贴减半"),
        ("按老规定退休职工每年有{amt}元取暖费，{year_recent}年冬天到现在没发，在职的都发了，问{unit}说是上面没拨钱。",
         "{year_recent}年取暖补贴从每人{amt}元降成了一半，也没个文件，{unit}好几百退休老人都有意见。"),
        ("请求补发{year_recent}年度取暖费，按原标准每人{amt}元", "要求说明{year_recent}年取暖补贴降标依据，恢复原标准"),
        ("已责成{dept}{days}日内查清{year_recent}年取暖费拨付情况，符合条件的尽快补发",
         "{dept}{days}日内在{unit}公示取暖补贴文件，无依据降标的补齐"),
        ("{days}日内补发{year_recent}年度取暖费", "{days}日内公示取暖补贴发放文件"),
    ),
    _Topic(
        ("工亡遗属补助{stop_year}年后未调整", "{unit}遗属生活困难补助停发"),
        ("我老伴{death_year}年在{old_unit}因工去世，每月遗属补助只有{amt}元，{stop_year}年以后就没调过，我今年{age_n}岁，看病全靠这点钱。",
         "{unit}有{cnt}户工亡遗属，{m1}月起补助突然停发，说要重新审核材料，可我们年纪大了，跑{n}趟也没弄明白要交啥。"),
        ("请求把每月{amt}元的遗属补助按现行标准调整", "要求{m1}月停发的遗属补助先恢复发放，审核材料上门收取"),
        ("遗属补助由{dept}{days}日内对照省里最新标准核算，生活困难的纳入工会帮扶",
         "{dept}{days}日内派人到{unit}上门收材料，{m1}月停发的补助审核后一并补发"),
        ("{days}日内核算遗属补助调整标准", "{days}日内上门收取遗属审核材料"),
    ),
    _Topic(
        ("{old_unit}退休职工医药费久报未结", "{unit}退休人员二次报销拖欠"),
        ("我{ryear}年从{old_unit}退休，去年住院{n}次，自付部分单位能二次报销{ratio}，单据{m1}月就交了，{amt2}元到现在没报。",
         "{unit}退休职工的二次报销从{m1}月以后就停了，财务说资金紧张，我手里压着{amt2}元的单据，老伴还等着这钱买药。"),
        ("请求尽快报销{m1}月交上去的{amt2}元医药费", "要求公布{unit}退休人员二次报销进度，按交单顺序兑付"),
        ("{dept}{days}日内把积压单据梳理一遍，按交单顺序拨付，{amt2}元这笔优先办",
         "二次报销是老同志的救命钱，{dept}{days}日内公布{unit}兑付计划"),
        ("{days}日内报销{m1}月积压的医药费", "{days}日内公布二次报销兑付计划"),
    ),
), collective=0.2, legacy=0.1)

LEGACY = _Category(("企业管理部", "人力资源部", "改制办公室", "维稳办公室"), (
    _Topic(
        ("{year}年改制身份置换金未兑现", "{co}改制身份置换补偿有异议"),
        ("{year}年{co}改制时，我们{cnt}名职工签了身份置换协议，说好工龄一年补{per_year}元，实际只拿到一半，说剩下的效益好了再给。",
         "{co}{year}年改制，身份置换金按{per_year}元一年算，可我{wyears}年工龄只认了一半，协议原件当时收走了，现在没处查。"),
        ("要求按{year}年协议补足身份置换金，出具书面说明", "请求调取{co}改制协议原件，重新核定置换工龄"),
        ("改制遗留问题要尊重历史，由{dept}{days}日内调取{year}年改制方案和协议原件核实",
         "{dept}{days}日内从档案馆调出{co}改制档案，核对{cnt}名职工置换金发放记录"),
        ("{days}日内调取{co}改制档案并答复", "{days}日内核对身份置换金发放记录"),
    ),
    _Topic(
        ("{year}年买断工龄人员要求补缴社保", "{co}买断工龄职工临近退休无保障"),
        ("我{year}年被动员买断工龄，{wyears}年工龄一次性给了{amt3}元，之后社保就断了，现在个人补缴要{amt4}万多，拿不出来。",
         "{year}年和我一起买断的有{cnt}个人，当时说社保会接续，结果{stop_year}年才知道一直没缴，现在都快到退休年龄了。"),
        ("要求单位协助解决{year}年买断后的社保补缴问题", "请求查清{year}年买断人员社保接续承诺是否落实"),
        ("买断人员社保接续有政策口径，{dept}{days}日内会同社保中心逐人测算补缴金额",
         "{dept}{days}日内查阅{year}年买断工龄文件，对当时的承诺给大家一个明确说法"),
        ("{days}日内逐人测算社保补缴金额", "{days}日内答复{year}年买断人员政策"),
    ),
    _Topic(
        ("{inner_year}年内退人员生活费未调整", "{unit}内退职工待遇明显偏低"),
        ("我{inner_year}年内退，每月生活费{amt2}元，{stop_year}年以后一直没涨过，内退协议说随企业效益调整，可从没见过调整文件。",
         "{unit}内退的有{cnt}个人，{inner_year}年签协议时说企业年金照缴，{m1}月查账户才发现{stop_year}年起就停缴了。"),
        ("要求按{inner_year}年内退协议调整生活费标准", "请求公开{inner_year}年内退协议执行情况，恢复企业年金缴纳"),
        ("内退人员待遇由{dept}{days}日内对照协议条款测算，调整方案提交职代会讨论",
         "{dept}{days}日内查清{stop_year}年停缴企业年金的原因，违反协议的予以补缴"),
        ("{days}日内拿出内退生活费测算方案", "{days}日内查清企业年金停缴原因"),
    ),
    _Topic(
        ("原{co}大集体职工劳动关系悬空", "{co}大集体职工安置补偿未到位"),
        ("我是原{co}大集体职工，{year}年企业关停后没人管，劳动关系挂了{since}年，社保只缴到{stop_year}年，现在找不到接收单位。",
         "原{co}大集体的{cnt}个人一直跟着{unit}干活，待遇比主业职工差一大截，{year}年说好的安置办法到现在也没落实。"),
        ("要求明确原{co}大集体职工劳动关系，落实社保接续", "请求按厂办大集体改革政策给{co}职工一个说法"),
        ("厂办大集体改革有专门政策，{dept}{days}日内把{co}遗留人员名单核清上报",
         "{dept}{days}日内牵头梳理{co}大集体职工社保缴费情况，研究接续办法"),
        ("{days}日内核清{co}遗留人员名单", "{days}日内上报大集体职工安置方案"),
    ),
), collective=0.25, legacy=0.9)

DISCIPLINE = _Category(("纪委办公室", "企业管理部", "人力资源部", "党委组织部"), (
    _Topic(
        ("{unit}考勤扣罚过重且无依据", "{unit}随意扣罚职工工资"),
        ("{m1}月我因为孩子住院请了{n}天假，手续齐全，{unit}却按旷工处理扣了{amt}元，这类罚款一年几十笔，从不开票。",
         "{unit}{m1}月出台新考勤办法，迟到一分钟扣{meal}元，没经过职代会，我这个月被扣了{amt}元，班组{cnt}个人都被扣过。"),
        ("要求退还{m1}月被扣的{amt}元，公开{unit}罚款收支明细", "要求撤销{unit}未经职代会的考勤扣罚办法"),
        ("罚款必须有制度依据，已请{dept}{days}日内到{unit}核查{m1}月以来的扣罚台账",
         "未经民主程序的考勤办法停止执行，{dept}{days}日内核查已扣款项"),
        ("{days}日内退还不合规扣款", "{days}日内公开{unit}罚款收支明细"),
    ),
    _Topic(
        ("{unit}班长派活不公吃拿卡要", "反映{unit}区队干部作风粗暴"),
        ("{unit}有个班长派活看人下菜碟，好活给关系近的，逢年过节暗示请吃饭，{m1}月有人没去，第二天就被派到{spot}干最苦的活。",
         "{unit}队干部开班前会张口就骂，{m1}月{day}日还推搡了一名老工人，大家敢怒不敢言，{n}个人已经申请调走。"),
        ("要求调查{unit}班组长作风问题，实行派工公开轮换", "要求{unit}队干部公开道歉，严肃处理{m1}月推搡职工一事"),
        ("{dept}{days}日内找{unit}职工个别谈话，查实严肃处理并保护反映人",
         "{dept}{days}日内调查{unit}{m1}月推搡事件，处理结果向职工通报"),
        ("{days}日内在{unit}推行派工公示", "{days}日内通报{unit}推搡事件处理结果"),
    ),
    _Topic(
        ("{unit}评先评优名额内定", "{year_recent}年度先进评选不公开"),
        ("{year_recent}年度{unit}的先进名额一共{n}个，没开会没投票，直接报了几个跟领导关系好的，有人全年出勤不到{att}天。",
         "{unit}{year_recent}年评的劳模去年在{spot}出过{n}次违章，大家要求公示推荐材料被拒绝了，说是上面定的。"),
        ("要求撤销{unit}{year_recent}年度评先结果，重新民主推荐", "要求公示{unit}{year_recent}年劳模推荐材料，接受职工监督"),
        ("{dept}{days}日内调取{unit}推荐材料复核，公示期间受理异议",
         "{dept}{days}日内对{unit}{year_recent}年推荐程序倒查，违规的取消资格"),
        ("{days}日内复核{unit}评先推荐材料", "{days}日内公示{year_recent}年评先复核结果"),
    ),
    _Topic(
        ("反映{unit}花名册有人吃空饷", "{unit}临时工只领钱不上班"),
        ("{unit}花名册上有{n}个临时工，我们干了一年多从没见过这几个人，工资照发，{m1}月问考勤员，他说是上面安排的不让多问。",
         "{m1}月工资表上{unit}多出{n}个人，每人每月{amt2}元，班组里根本没这些人，大家怀疑有人冒名领工资。"),
        ("要求核查{unit}临时工花名册和工资发放，查处吃空饷", "要求{dept}彻查{m1}月{unit}工资表多出人员的来源"),
        ("{dept}{days}日内联合财务部核对{unit}花名册与出勤，对反映人保密",
         "{dept}{days}日内调取{unit}{m1}月工资发放流水，查实的移交纪委处理"),
        ("{days}日内核对{unit}花名册和出勤", "{days}日内通报{unit}空饷核查结果"),
    ),
), collective=0.1)

LAND = _Category(("土地管理办公室", "塌陷区治理办公室", "企业管理部"), (
    _Topic(
        ("{village}采煤塌陷区搬迁补偿未到位", "{village}塌陷区房屋裂缝搬迁迟迟不动"),
        ("{village}在{seam}采空区上方，{m1}月以来墙体裂缝越来越宽，{cnt}户已不敢住人，搬迁补偿{reloc_year}年就定了，钱一分没到账。",
         "{village}塌陷区搬迁补偿每平米{per_m2}元，比相邻村低了一截，{seam}回采后{n}个月房子就开裂了，村民不同意这个标准。"),
        ("要求尽快兑现{village}塌陷区搬迁补偿，先安置危房住户", "要求参照相邻村重新核定{village}搬迁补偿标准"),
        ("塌陷区治理关系安全和民生，{dept}{days}日内会同地测科到{village}逐户鉴定房屋",
         "{dept}{days}日内把{village}补偿标准和周边对比，危房住户先租房过渡，租金由矿上出"),
        ("{days}日内完成{village}房屋鉴定", "{days}日内答复{village}补偿标准复核意见"),
    ),
    _Topic(
        ("{project}征地补偿款拖欠", "{village}征地补偿款发放不公开"),
        ("{reloc_year}年矿上为建{project}征了{village}{mu}亩地，合同写明补偿款{amt5}万元分两次付清，第二笔到现在没付。",
         "{village}{mu}亩地被{project}征用，补偿款打给了村委会，{cnt}户人家到底分多少从没公开，有人已经去镇上上访了。"),
        ("要求按征地合同支付{project}剩余补偿款，公开发放明细", "要求矿上督促村委会公开{village}征地补偿款分配"),
        ("{dept}{days}日内核对{project}征地协议和付款凭证，拿出支付计划",
         "{dept}{days}日内提供{project}付款凭证，会同镇政府督促{village}公开分配明细"),
        ("{days}日内拿出{project}补偿款支付计划", "{days}日内提供{village}征地付款凭证"),
    ),
    _Topic(
        ("{project}矸石自燃影响{village}村民", "{village}运煤车辆扬尘扰民"),
        ("{village}紧挨着{project}，{m1}月以来矸石自燃冒烟，晚上熏得睡不着，附近{cnt}户窗户都不敢开，找{unit}说归环保管。",
         "运煤车从{village}村中穿过，{m1}月以来每天{cnt}多趟，扬尘大、车速快，{prev_m}月份还撞倒过村民的院墙。"),
        ("要求对{project}自燃矸石灭火治理，评估对{village}居民健康影响", "要求运煤车改道绕开{village}，限速并洒水降尘"),
        ("已请{dept}{days}日内制定{project}灭火覆土方案，监测{village}空气质量",
         "{dept}{days}日内与运输公司研究绕行{village}的线路，先落实限速和洒水"),
        ("{days}日内制定{project}灭火方案", "{days}日内落实{village}路段限速洒水"),
    ),
    _Topic(
        ("{village}职工自建房无法确权", "{village}压煤房屋搬迁悬而未决"),
        ("{build_year}年矿上批给职工在{village}自建房，交了{amt2}元土地费，现在确权登记，镇里说地是矿上的，矿上说已划给地方。",
         "{village}有{cnt}户职工自建房压在{seam}保护煤柱上，{reloc_year}年说要统一搬迁，后来没了下文，房子既不能修也不能卖。"),
        ("要求厘清{village}土地权属，协助职工办理不动产登记", "要求明确{village}压煤房屋搬不搬，给住户一个准话"),
        ("土地权属由{dept}{days}日内查找当年划拨批文，主动和自然资源局对接",
         "{dept}{days}日内向地测科调阅{village}压煤资料，搬迁与否拿出书面意见"),
        ("{days}日内查找{village}土地划拨批文", "{days}日内书面答复{village}搬迁意见"),
    ),
), collective=0.25, legacy=0.15)

OTHER = _Category(("工会", "行政办公室", "党政办公室", "后勤服务中心"), (
    _Topic(
        ("{unit}困难职工帮扶申请未获批", "{unit}困难职工救助迟迟未落实"),
        ("{unit}职工家里{family}，{m1}月按程序报了困难帮扶，区队和工会都签了字，等了{n}个月没有结果。",
         "我家{family}，{year_recent}年申请了金秋助学，{unit}报上去后说名额满了，可条件比我家好的都批了。"),
        ("请求复核困难帮扶申请，把{unit}这户纳入{year_recent}年帮扶名单", "要求公开{year_recent}年{unit}帮扶和助学名单"),
        ("困难职工帮扶不能卡名额，{dept}{days}日内上门走访，符合条件的马上纳入",
         "{dept}{days}日内在{unit}公示{year_recent}年帮扶名单，有异议的重新评议"),
        ("{days}日内上门走访核实困难情况", "{days}日内公示{unit}帮扶名单"),
    ),
    _Topic(
        ("{unit}职工活动室被改作库房", "{estate}职工书屋长期锁门"),
        ("{unit}原来有间职工活动室，{m1}月被改成材料库，下了班没个去处，{estate}的篮球场也被私家车占了{n}个多月。",
         "{estate}职工书屋{m1}月起就锁着门，说是没人管理，{unit}的年轻人想借书、下棋都没地方去。"),
        ("要求恢复{unit}职工活动室，清理{estate}篮球场占用车辆", "请求{estate}职工书屋恢复开放，安排专人管理"),
        ("文体场所不能随意挪用，{dept}{days}日内督促{unit}腾退活动室",
         "{dept}{days}日内安排{estate}职工书屋开放时间，由退休志愿者轮流值守"),
        ("{days}日内腾退{unit}职工活动室", "{days}日内恢复{estate}职工书屋开放"),
    ),
    _Topic(
        ("开具{year}年工作经历证明来回跑", "{old_unit}档案查询手续繁琐"),
        ("我要办特殊工种提前退休，需要{year}年在{old_unit}的工作证明，{m1}月以来跑了{n}趟，档案室要区队盖章，区队早撤了。",
         "孩子政审要我出具{year}年以来的工作经历证明，{unit}说要找档案室，档案室说要找{dept_other}，{m1}月到现在没开出来。"),
        ("请求档案部门直接出具{year}年在{old_unit}的工作证明", "要求明确工作证明由哪个部门出具，{m1}月底前办好"),
        ("证明材料由{dept}{days}日内协调档案室查档出具，不再让职工来回跑",
         "{dept}{days}日内明确证明出具流程并在{unit}公示，一次办结"),
        ("{days}日内出具{year}年工作经历证明", "{days}日内公布证明开具流程"),
    ),
    _Topic(
        ("职工医院{m1}月以来常用药短缺", "{estate}老人反映专家门诊班次减少"),
        ("矿区职工医院{m1}月以来降压药、胰岛素经常缺货，只能去{km}公里外的市里买，{estate}的老职工来回一趟就得半天。",
         "职工医院专家门诊从每周{n}次减到一次，{estate}一带{age}多岁的老人排不上号，{m1}月有人半夜发病只能转到市里。"),
        ("要求职工医院保障常用药品供应，{estate}设代购点", "要求恢复专家门诊班次，给{estate}老人开绿色通道"),
        ("{dept}{days}日内和职工医院沟通药品采购计划，先保障{estate}慢性病常用药",
         "{dept}{days}日内协调职工医院调整排班，{estate}老年人就诊预约由社区代办"),
        ("{days}日内答复常用药品供应方案", "{days}日内恢复专家门诊排班"),
    ),
))

CATEGORIES: dict[str, _Category] = {
    "wages": WAGES,
    "social_insurance": SOCIAL_INSURANCE,
    "work_safety": WORK_SAFETY,
    "working_conditions": WORKING_CONDITIONS,
    "housing": HOUSING,
    "retirees_benefits": RETIREES,
    "legacy": LEGACY,
    "discipline": DISCIPLINE,
    "land": LAND,
    "other": OTHER,
}

COMMITMENT_DAYS = (3, 5, 7, 7, 10, 10, 15, 15, 20, 30)
URGENT_DAYS = (3, 5, 7, 10)
FREE_TEXT_RANGE = (110, 170)
FIELD_RANGES = {  # Han characters per free-text field
    "title": (8, 20), "detail": (60, 90), "demand": (15, 35), "onsite_answer": (20, 40), "commitment": (10, 25),
}

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

_HAN = re.compile(r"[\u4e00-\u9fff]")


def han_count(text: str) -> int:
    """Number of Han characters in `text`; digits and punctuation do not count."""
    return len(_HAN.findall(text))


def _person_name(rng: random.Random, kind: str) -> str:
    surname = rng.choice(SURNAMES)
    if kind == "retirees" and rng.random() < 0.5:
        return surname + rng.choice(ELDER_GIVEN)
    firsts, seconds = GIVEN_CHARS["male" if rng.random() < MALE_SHARE.get(kind, 0.55) else "female"]
    second = rng.choice(seconds)
    if rng.random() < 0.22:
        return surname + second
    return surname + rng.choice(firsts.replace(second, "")) + second


def _distinct_names(rng: random.Random, count: int, first: str, kind: str) -> list[str]:
    names = [first] if first else []
    while len(names) < count:
        name = _person_name(rng, kind)
        if name not in names:
            names.append(name)
    return names


def _phone(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + "".join(str(rng.randrange(10)) for _ in range(8))


def _spot(rng: random.Random, kind: str) -> str:
    if kind in ("mine_district", "team"):
        if rng.random() < 0.6:
            face = rng.choice(("工作面", "运输顺槽", "回风顺槽", "切眼"))
            return f"{rng.randint(1, 3)}{rng.randint(1, 2)}0{rng.randint(1, 9)}{face}"
        return f"-{rng.choice((450, 550, 650, 750))}水平{rng.choice(('东翼大巷', '西翼大巷', '井底车场', '中央泵房'))}"
    place = rng.choice(("装配区", "试验台", "焊接区", "备件库", "配电室", "锅炉房", "压风机房"))
    return f"{rng.randint(1, 6)}号厂房{place}"


def _people(rng: random.Random, collective_share: float) -> int:
    roll = rng.random()
    if roll < collective_share:
        return rng.randint(5, 30)
    if roll < collective_share + 0.16:
        return rng.randint(2, 4)
    return 1


def _urgency(rng: random.Random, category: str) -> str:
    critical, urgent = (0.30, 0.35) if category == "work_safety" else (0.055, 0.21)
    roll = rng.random()
    return "critical" if roll < critical else "urgent" if roll < critical + urgent else "normal"


def _flags(rng: random.Random, category: str, spec: _Category, site: SiteProfile) -> dict[str, bool]:
    vulnerable = 0.14 if site.kind == "retirees" or category == "retirees_benefits" else 0.07
    return {
        "safety_hazard": rng.random() < spec.hazard,
        "repeat": rng.random() < 0.12,
        "skip_level": rng.random() < 0.08,
        "vulnerable": rng.random() < vulnerable,
        "legacy": rng.random() < spec.legacy,
        "latent_risk": rng.random() < 0.10,
    }


def _other_unit(rng: random.Random, units: tuple[str, ...], unit: str) -> str:
    others = [u for u in units if u != unit]
    return rng.choice(others) if others else unit


def _slots(
    rng: random.Random, site: SiteProfile, people: int, names: list[str], dept: str, days: int
) -> dict:
    slots: dict = {key: rng.choice(values) for key, values in POOLS.items()}
    slots.update({key: rng.randrange(lo, hi + 1, step) for key, (lo, hi, step) in RANGES.items()})
    unit = rng.choice(site.units)
    slots.update(
        unit=unit, unit2=_other_unit(rng, site.units, unit), site=site.name, spot=_spot(rng, site.kind),
        job=rng.choice(JOBS[site.kind]), dept=dept, days=days, people=people,
        people_cn=CN_SMALL[people] if people < 5 else str(people), pname=names[0] if names else "",
    )
    slots.update(
        m2=slots["m1"] + 1, prev_m=min(12, slots["m1"] + rng.randint(1, 3)), cnt_days2=slots["cnt_days"] - rng.randint(3, 8),
        perf_lo=slots["perf_hi"] - rng.randrange(800, 2400, 10),
        gm1=min(slots["m1"], 13 - slots["gap_n"]), dorm=f"{slots['dorm_no']}号单身宿舍楼",
    )
    slots["gm2"] = slots["gm1"] + slots["gap_n"] - 1
    return slots


def _opener_mode(site: SiteProfile, people: int, anonymous: bool, rng: random.Random) -> str:
    if anonymous:
        return "anonymous"
    if people >= 5:
        return "collective"
    if people > 1:
        return "group"
    if site.kind == "retirees" and rng.random() < 0.6:
        return "retiree"
    return "third" if rng.random() < 0.35 else "first"


def _detail(rng: random.Random, fact: str, slots: dict, mode: str, closers: list[str]) -> str:
    tail = [rng.choice(FOLLOW_UPS)] if rng.random() < 0.85 else []
    if closers:
        closer = rng.choice(CLOSERS[rng.choice(closers)])
        tail = [closer] if rng.random() < 0.5 else tail + [closer]
    return (rng.choice(OPENERS[mode]) + fact + "".join(tail)).format_map(slots)


def _draft(
    rng: random.Random, topic: _Topic, slots: dict, mode: str, closers: list[str], promise: bool
) -> dict:
    """The n-th title, fact, demand, answer and commitment of a topic belong together."""
    n = rng.randrange(len(topic.facts))
    return {
        "title": _nth(topic.titles, n).format_map(slots),
        "detail": _detail(rng, _nth(topic.facts, n), slots, mode, closers),
        "demand": _nth(topic.demands, n).format_map(slots),
        "onsite_answer": _nth(topic.answers, n).format_map(slots),
        "commitment": _nth(topic.commitments, n).format_map(slots) if promise else "",
    }


def _nth(templates: tuple[str, ...], n: int) -> str:
    return templates[n % len(templates)]


def _misfit(texts: dict) -> int:
    """How far a draft is from the wanted lengths; 0 means every field and the total fit."""
    miss = 0
    for field, (lo, hi) in FIELD_RANGES.items():
        size = han_count(texts[field])
        if texts[field] or field != "commitment":
            miss += max(0, lo - size, size - hi)
    total = sum(han_count(text) for text in texts.values())
    return miss + max(0, FREE_TEXT_RANGE[0] - total, total - FREE_TEXT_RANGE[1])


def _texts(
    rng: random.Random, topic: _Topic, slots: dict, mode: str, closers: list[str], promise: bool
) -> dict:
    best, best_miss = {}, None
    for _ in range(24):
        draft = _draft(rng, topic, slots, mode, closers, promise)
        miss = _misfit(draft)
        if best_miss is None or miss < best_miss:
            best, best_miss = draft, miss
        if miss == 0:
            break
    return best


# ---------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------


def make_matter(rng: random.Random, category: str, site: SiteProfile) -> dict:
    """One realistic matter of `category` raised at `site`, drawn only from `rng`."""
    spec = CATEGORIES[category]
    topic = rng.choice(spec.topics)
    people = _people(rng, spec.collective)
    anonymous = people < 5 and rng.random() < 0.115
    lead = "" if anonymous else _person_name(rng, site.kind)
    names = _distinct_names(rng, rng.randint(2, 3) if people >= 5 else int(bool(lead)), lead, site.kind)
    urgency = _urgency(rng, category)
    flags = _flags(rng, category, spec, site)
    promise = rng.random() >= 0.3
    days = rng.choice(URGENT_DAYS if urgency != "normal" else COMMITMENT_DAYS)
    dept = rng.choice(spec.departments)
    slots = _slots(rng, site, people, names, dept, days)
    closers = [flag for flag in CLOSERS if flags[flag]]
    texts = _texts(rng, topic, slots, _opener_mode(site, people, anonymous, rng), closers, promise)
    no_badge = anonymous or (site.kind == "retirees" and rng.random() < 0.5) or rng.random() < 0.05
    return {
        **texts,
        "commitment_days": days if promise else None,
        "department": dept,
        "petitioner_name": lead,
        "anonymous": anonymous,
        "employee_no": "" if no_badge else f"DF{rng.randrange(10**6):06d}",
        "unit": slots["unit"],
        "phone": "" if anonymous or rng.random() < 0.12 else _phone(rng),
        "people": people,
        "representatives": "、".join(names) if people >= 5 else "",
        "urgency": urgency,
        **flags,
    }
