"""Demo data for the catalog: 58 majors and the programs (level × mode) offering them, the
course catalogue, and teaching plans of every program for five admission years."""

import random
import zlib
from dataclasses import dataclass
from decimal import Decimal

from cems.catalog.models import (
    Assessment,
    Course,
    GradingScale,
    Level,
    Major,
    PlanCourse,
    Program,
    StudyMode,
    TeachingPlan,
    default_standard_length,
)
from cems.core.bulk import bulk_insert, db_value

# national code, name, English name, discipline, levels offered (z = 高起专, s = 专升本, b = 高起本)
MAJORS = [
    ("080901", "计算机科学与技术", "Computer Science and Technology", "engineering", "zsb"),
    ("080902", "软件工程", "Software Engineering", "engineering", "s"),
    ("080903", "网络工程", "Network Engineering", "engineering", "zs"),
    ("080703", "通信工程", "Communication Engineering", "engineering", "s"),
    ("080701", "电子信息工程", "Electronic Information Engineering", "engineering", "zs"),
    ("080601", "电气工程及其自动化", "Electrical Engineering and Automation", "engineering", "zsb"),
    ("080801", "自动化", "Automation", "engineering", "s"),
    ("080202", "机械设计制造及其自动化", "Mechanical Design, Manufacturing and Automation", "engineering", "zsb"),
    ("080207", "车辆工程", "Vehicle Engineering", "engineering", "s"),
    ("080204", "机械电子工程", "Mechatronic Engineering", "engineering", "zs"),
    ("081501", "采矿工程", "Mining Engineering", "engineering", "zsb"),
    ("081502", "石油工程", "Petroleum Engineering", "engineering", "s"),
    ("081503", "矿物加工工程", "Mineral Processing Engineering", "engineering", "zs"),
    ("082901", "安全工程", "Safety Engineering", "engineering", "zsb"),
    ("081401", "地质工程", "Geological Engineering", "engineering", "s"),
    ("081001", "土木工程", "Civil Engineering", "engineering", "zsb"),
    ("081002", "建筑环境与能源应用工程", "Building Environment and Energy Engineering", "engineering", "s"),
    ("081003", "给排水科学与工程", "Water Supply and Drainage Engineering", "engineering", "s"),
    ("081201", "测绘工程", "Surveying and Mapping Engineering", "engineering", "zs"),
    ("082502", "环境工程", "Environmental Engineering", "engineering", "s"),
    ("081301", "化学工程与工艺", "Chemical Engineering and Technology", "engineering", "zs"),
    ("080401", "材料科学与工程", "Materials Science and Engineering", "engineering", "s"),
    ("080501", "能源与动力工程", "Energy and Power Engineering", "engineering", "s"),
    ("120103", "工程管理", "Construction Management", "management", "zsb"),
    ("120105", "工程造价", "Construction Cost Management", "management", "zs"),
    ("120201", "工商管理", "Business Administration", "management", "zsb"),
    ("120202", "市场营销", "Marketing", "management", "zs"),
    ("120203", "会计学", "Accounting", "management", "zsb"),
    ("120204", "财务管理", "Financial Management", "management", "zs"),
    ("120206", "人力资源管理", "Human Resource Management", "management", "zsb"),
    ("120402", "行政管理", "Public Administration", "management", "zsb"),
    ("120601", "物流管理", "Logistics Management", "management", "zs"),
    ("120801", "电子商务", "E-commerce", "management", "zs"),
    ("120901", "旅游管理", "Tourism Management", "management", "zs"),
    ("120102", "信息管理与信息系统", "Information Management and Information Systems", "management", "s"),
    ("020301", "金融学", "Finance", "economics", "zs"),
    ("020101", "经济学", "Economics", "economics", "s"),
    ("020401", "国际经济与贸易", "International Economics and Trade", "economics", "zs"),
    ("030101", "法学", "Law", "law", "zsb"),
    ("030302", "社会工作", "Social Work", "law", "zs"),
    ("040101", "教育学", "Education", "education", "s"),
    ("040106", "学前教育", "Preschool Education", "education", "zsb"),
    ("040107", "小学教育", "Primary Education", "education", "zsb"),
    ("040201", "体育教育", "Physical Education", "education", "zs"),
    ("040104", "教育技术学", "Educational Technology", "education", "s"),
    ("050101", "汉语言文学", "Chinese Language and Literature", "literature", "zsb"),
    ("050201", "英语", "English", "literature", "zsb"),
    ("050301", "新闻学", "Journalism", "literature", "s"),
    ("060101", "历史学", "History", "history", "s"),
    ("070101", "数学与应用数学", "Mathematics and Applied Mathematics", "science", "zsb"),
    ("070201", "物理学", "Physics", "science", "s"),
    ("070301", "化学", "Chemistry", "science", "s"),
    ("071201", "统计学", "Statistics", "science", "s"),
    ("071102", "应用心理学", "Applied Psychology", "science", "s"),
    ("101101", "护理学", "Nursing", "medicine", "zs"),
    ("100701", "药学", "Pharmacy", "medicine", "s"),
    ("130502", "视觉传达设计", "Visual Communication Design", "arts", "zs"),
    ("130503", "环境设计", "Environmental Design", "arts", "zs"),
]  # fmt: skip

LEVEL_OF = {
    "z": Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE,
    "s": Level.JUNIOR_COLLEGE_TO_BACHELOR,
    "b": Level.HIGH_SCHOOL_TO_BACHELOR,
}
CREDITS = {"hs_jc": 80, "jc_ba": 80, "hs_ba": 160}
TUITION_BASE = {"hs_jc": 2600, "jc_ba": 3000, "hs_ba": 3200}
EXPENSIVE_DISCIPLINES = {"engineering", "medicine", "arts"}


def seed_catalog(rng: random.Random) -> None:
    majors = Major.objects.bulk_create(
        Major(code=code, short_code=f"{index:03d}", name=name, name_en=name_en, discipline=disc)
        for index, (code, name, name_en, disc, _levels) in enumerate(MAJORS, start=1)
    )
    programs = []
    for major, (*_fields, levels) in zip(majors, MAJORS, strict=True):
        for letter in levels:
            level = LEVEL_OF[letter]
            modes = [StudyMode.CORRESPONDENCE]
            # Spare-time study is offered where students live near a station: about a third.
            if rng.random() < 0.35:
                modes.append(StudyMode.SPARE_TIME)
            for mode in modes:
                extra = 400 if major.discipline in EXPENSIVE_DISCIPLINES else 0
                programs.append(
                    Program(
                        major=major,
                        level=level,
                        mode=mode,
                        standard_length_years=default_standard_length(level),
                        credits_to_graduate=CREDITS[level],
                        tuition_per_year=Decimal(TUITION_BASE[level] + extra),
                        is_offered=True,
                    )
                )
    Program.objects.bulk_create(programs)


# --- Courses and teaching plans ---------------------------------------------------------------

# Common courses of adult higher education: code, name, English name, credits, assessment.
COMMON_COURSES = [
    ("GB001", "马克思主义基本原理", "Basic Principles of Marxism", 3, "exam"),
    ("GB002", "毛泽东思想和中国特色社会主义理论体系概论", "Introduction to Mao Zedong Thought and the Theoretical System of Socialism with Chinese Characteristics", 4, "exam"),
    ("GB003", "思想道德与法治", "Ethics and the Rule of Law", 3, "exam"),
    ("GB004", "中国近现代史纲要", "Outline of Modern and Contemporary Chinese History", 2, "exam"),
    ("GB005", "形势与政策", "Current Affairs and Policy", 2, "coursework"),
    ("GB011", "大学英语(一)", "College English I", 4, "exam"),
    ("GB012", "大学英语(二)", "College English II", 4, "exam"),
    ("GB013", "大学英语(三)", "College English III", 3, "exam"),
    ("GB014", "大学英语(四)", "College English IV", 3, "exam"),
    ("GB021", "高等数学(一)", "Advanced Mathematics I", 4, "exam"),
    ("GB022", "高等数学(二)", "Advanced Mathematics II", 4, "exam"),
    ("GB023", "大学语文", "College Chinese", 3, "exam"),
    ("GB031", "计算机应用基础", "Fundamentals of Computer Applications", 3, "coursework"),
    ("GB041", "大学生心理健康教育", "Mental Health Education", 2, "coursework"),
    ("GB042", "创新创业基础", "Foundations of Innovation and Entrepreneurship", 2, "coursework"),
    ("GB091", "专业实习", "Professional Internship", 4, "coursework"),
    ("GB092", "毕业论文", "Graduation Thesis", 6, "coursework"),
    ("GB093", "毕业设计", "Graduation Project", 6, "coursework"),
]  # fmt: skip

# Public electives (公共选修课), two credits each.
ELECTIVES = [
    ("GX001", "应用文写作", "Practical Writing"),
    ("GX002", "演讲与口才", "Public Speaking"),
    ("GX003", "中国传统文化概论", "Introduction to Traditional Chinese Culture"),
    ("GX004", "职业生涯规划", "Career Planning"),
    ("GX005", "社交礼仪", "Social Etiquette"),
    ("GX006", "法律基础", "Basics of Law"),
    ("GX007", "文献检索与论文写作", "Literature Search and Thesis Writing"),
    ("GX008", "公共关系学", "Public Relations"),
    ("GX009", "美学与艺术欣赏", "Aesthetics and Art Appreciation"),
    ("GX010", "健康教育", "Health Education"),
    ("GX011", "普通话与教师口语", "Mandarin and Oral Expression"),
    ("GX012", "办公自动化", "Office Automation"),
]  # fmt: skip

# Foundation courses shared by related majors (codes JC…, in order of first appearance).
GROUPS = {
    "eng": "线性代数 概率论与数理统计 大学物理",
    "draw": "工程制图",
    "ee": "电路原理 模拟电子技术 数字电子技术",
    "cs": "C语言程序设计 数据结构 计算机组成原理 操作系统 计算机网络 数据库原理及应用",
    "mech": "理论力学 材料力学 机械原理 机械设计 工程材料",
    "civil": "理论力学 材料力学 结构力学 土力学 工程测量",
    "mine": "工程地质 岩石力学 流体力学",
    "chem": "无机化学 有机化学 物理化学 分析化学",
    "mgmt": "管理学原理 微观经济学 宏观经济学 会计学原理 统计学原理 经济法 市场营销学",
    "econ": "微观经济学 宏观经济学 统计学原理 会计学原理 计量经济学 经济法 货币银行学",
    "law": "法理学 宪法学 中国法制史",
    "edu": "教育学原理 教育心理学 现代教育技术 教育研究方法 中外教育史",
    "lit": "写作 文学概论 中国文化概论",
    "sci": "线性代数 概率论与数理统计 大学物理 程序设计基础",
    "med": "人体解剖学 生理学 生物化学 病理学 药理学",
    "art": "设计素描 设计色彩 平面构成 色彩构成 中外设计史",
}

# Per major: its foundation groups, then its own courses (a major's core courses first).
MAJOR_COURSES = {
    "080901": ("eng cs", "离散数学 面向对象程序设计 算法设计与分析 编译原理 软件工程 计算机图形学 人工智能导论 Web程序设计 嵌入式系统 信息安全概论 计算机系统结构 数据挖掘 移动应用开发 网络安全"),
    "080902": ("eng cs", "离散数学 面向对象程序设计 软件需求工程 软件设计与体系结构 软件测试 软件项目管理 Java程序设计 Web程序设计 软件质量保证"),
    "080903": ("eng cs", "路由与交换技术 网络安全 网络规划与设计 无线网络技术 网络编程 Linux系统管理 云计算技术 网络工程实践"),
    "080703": ("eng ee", "信号与系统 通信原理 数字信号处理 电磁场与电磁波 移动通信 光纤通信 高频电子线路 通信网络 微机原理与接口技术"),
    "080701": ("eng ee", "信号与系统 数字信号处理 单片机原理及应用 微机原理与接口技术 电子测量技术 传感器与检测技术 嵌入式系统 EDA技术 电子系统设计"),
    "080601": ("eng ee draw", "电机学 电力电子技术 自动控制原理 电力系统分析 继电保护原理 发电厂电气部分 供配电技术 高电压技术 可编程控制器原理及应用 电气控制技术 单片机原理及应用 电力系统自动化 电磁场 电气工程CAD 新能源发电技术 电力市场概论"),
    "080801": ("eng ee", "自动控制原理 现代控制理论 过程控制 传感器与检测技术 可编程控制器原理及应用 电力电子技术 运动控制系统 计算机控制技术 单片机原理及应用"),
    "080202": ("eng draw mech", "机械制造技术基础 互换性与测量技术 液压与气压传动 数控技术 机电传动控制 机械CAD/CAM 现代制造技术 机械工程测试技术 电工电子技术 机械制造装备设计 工业机器人技术 机械创新设计 机械制造工艺学 机械振动"),
    "080207": ("eng draw mech", "汽车构造 汽车理论 汽车设计 发动机原理 汽车电器与电子技术 汽车检测与诊断技术 汽车制造工艺学 新能源汽车技术"),
    "080204": ("eng draw", "机械原理 机械设计 电工电子技术 单片机原理及应用 液压与气压传动 机电传动控制 传感器与检测技术 数控技术 机电一体化系统设计 可编程控制器原理及应用"),
    "081501": ("eng draw mine", "采矿学 矿山压力与岩层控制 井巷工程 矿井通风与安全 理论力学 材料力学 矿山机械 矿井运输与提升 爆破工程 矿山测量 煤矿开采方法 矿山地质学 采矿CAD 矿山环境保护 矿业经济学 充填采矿技术"),
    "081502": ("eng draw", "石油地质学 油层物理 渗流力学 钻井工程 采油工程 油藏工程 流体力学 油气集输 完井工程"),
    "081503": ("eng chem", "矿物加工学 碎矿与磨矿 浮游选矿 重力选矿 磁电选矿 流体力学 选矿厂设计 矿物加工过程检测与控制"),
    "082901": ("eng draw", "安全系统工程 安全管理学 安全人机工程 防火与防爆 通风安全学 矿山安全技术 流体力学 安全评价 职业卫生与防护 安全法规 电气安全 事故调查与分析 安全检测技术 安全经济学 工业通风与除尘 压力容器安全 应急救援 系统可靠性分析 安全心理学"),
    "081401": ("eng draw mine", "普通地质学 结晶学与矿物学 岩石学 构造地质学 水文地质学 地球物理勘探 钻探工程 土力学"),
    "081001": ("eng draw civil", "混凝土结构设计原理 钢结构 建筑材料 房屋建筑学 基础工程 建筑施工技术 工程结构抗震 建设工程项目管理 工程概预算 建设法规 桥梁工程 高层建筑结构设计 土木工程施工组织 道路勘测设计"),
    "081002": ("eng draw", "工程热力学 传热学 流体力学 暖通空调 建筑环境学 供热工程 制冷技术 建筑设备自动化 锅炉及锅炉房设备"),
    "081003": ("eng draw", "水力学 水质工程学 给水排水管网系统 建筑给水排水工程 流体力学 水处理生物学 泵与泵站 水工艺设备基础"),
    "081201": ("eng", "测量学 误差理论与测量平差 大地测量学 摄影测量学 遥感原理与应用 地理信息系统 GNSS原理及应用 工程测量 数字测图"),
    "082502": ("eng chem", "环境学概论 水污染控制工程 大气污染控制工程 环境监测 固体废物处理与处置 环境影响评价 环境工程微生物学 物理性污染控制"),
    "081301": ("eng chem", "化工原理 化工热力学 化学反应工程 分离工程 化工设计 化工仪表及自动化 化工安全"),
    "080401": ("eng chem", "材料科学基础 材料力学性能 材料物理性能 材料分析测试技术 金属材料学 高分子材料 无机非金属材料 材料成型工艺"),
    "080501": ("eng draw", "工程热力学 传热学 流体力学 燃烧学 锅炉原理 汽轮机原理 泵与风机 热工测量与自动控制 新能源技术"),
    "120103": ("mgmt draw", "工程项目管理 工程经济学 工程估价 工程合同管理 建筑材料 房屋建筑学 建设法规 工程招投标 房地产开发与经营 工程施工技术 工程质量管理 BIM技术应用 工程力学 工程测量 建筑结构"),
    "120105": ("mgmt draw", "建筑工程计量与计价 工程经济学 工程造价管理 安装工程计量与计价 建筑材料 房屋建筑学 工程合同管理 工程招投标 工程施工技术"),
    "120201": ("mgmt", "企业战略管理 组织行为学 人力资源管理 财务管理 生产与运作管理 管理信息系统 公司治理 国际企业管理 创业管理 质量管理 物流管理概论 商务谈判 管理沟通 企业文化 运筹学 税法"),
    "120202": ("mgmt", "消费者行为学 市场调查与预测 营销策划 广告学 品牌管理 网络营销 销售管理 国际市场营销 商务谈判"),
    "120203": ("mgmt", "中级财务会计 成本会计 财务管理 审计学 高级财务会计 管理会计 税法 会计信息系统 财务报表分析 税务会计 内部控制 政府与非营利组织会计 金融学 会计职业道德 资产评估 审计实务"),
    "120204": ("mgmt", "财务管理 中级财务会计 公司理财 投资学 财务报表分析 审计学 税法 管理会计 资产评估"),
    "120206": ("mgmt", "人力资源管理 组织行为学 工作分析 招聘与配置 绩效管理 薪酬管理 培训与开发 劳动关系管理 劳动法 人才测评 职业生涯管理 社会保障学 管理沟通 企业文化 人力资源信息系统 社会学概论"),
    "120402": ("mgmt", "行政管理学 政治学原理 公共政策分析 行政法与行政诉讼法 公共经济学 地方政府管理 公共部门人力资源管理 电子政务 行政领导学 社会学概论 公文写作 公共危机管理 中国政府与政治 西方政治制度 市政学 政府经济学"),
    "120601": ("mgmt", "物流管理概论 供应链管理 仓储管理 运输管理 物流系统规划 采购管理 国际物流 物流信息技术"),
    "120801": ("mgmt", "电子商务概论 网络营销 电子支付 电子商务物流 网站设计与开发 电子商务法 数据库原理及应用 客户关系管理"),
    "120901": ("mgmt", "旅游学概论 旅游经济学 酒店管理 导游业务 旅行社经营管理 旅游市场营销 旅游资源开发与规划 旅游政策与法规"),
    "120102": ("mgmt", "管理信息系统 信息系统分析与设计 数据库原理及应用 C语言程序设计 数据结构 计算机网络 信息资源管理 数据分析与决策 ERP原理与应用"),
    "020301": ("econ", "金融学 国际金融 证券投资学 商业银行经营管理 保险学 金融市场学 公司金融 金融风险管理 中央银行学"),
    "020101": ("econ", "政治经济学 财政学 国际经济学 产业经济学 发展经济学 中国经济史 区域经济学 劳动经济学"),
    "020401": ("econ", "国际贸易理论 国际贸易实务 国际金融 国际商法 国际结算 外贸函电 海关实务 国际市场营销"),
    "030101": ("law", "民法 刑法 民事诉讼法 刑事诉讼法 行政法与行政诉讼法 商法 经济法 国际法 知识产权法 劳动法 合同法 婚姻家庭法 环境资源法 国际私法 国际经济法 证据法 司法文书 法律职业道德 公司法 税法"),
    "030302": ("", "社会工作概论 社会学概论 个案工作 小组工作 社区工作 社会政策 社会保障学 社会调查研究方法 社会心理学 人类行为与社会环境 社会福利思想"),
    "040101": ("edu", "课程与教学论 教育管理学 比较教育学 德育原理 教育测量与评价 教育哲学 教育社会学 班主任工作"),
    "040106": ("edu", "学前教育学 学前心理学 学前卫生学 幼儿园课程 幼儿游戏与指导 学前儿童语言教育 学前儿童科学教育 学前儿童艺术教育 幼儿园管理 学前儿童家庭教育 儿童文学 钢琴基础 学前儿童健康教育 学前儿童社会教育 幼儿舞蹈 美术基础 声乐基础 蒙台梭利教育法"),
    "040107": ("edu", "小学教育学 儿童发展心理学 小学语文教学论 小学数学教学论 小学班级管理 小学科学教学 教师口语 书写技能训练 儿童文学 小学教育科研方法 初等数论 小学英语教学法 小学德育 现代汉语 小学综合实践活动 美术基础 声乐基础"),
    "040201": ("edu", "运动解剖学 运动生理学 体育概论 学校体育学 田径 篮球 足球 体操 武术"),
    "040104": ("edu", "教育技术学导论 教学系统设计 多媒体技术 网络教育应用 教育传播学 摄影与摄像 C语言程序设计 远程教育 信息技术教学法"),
    "050101": ("lit", "现代汉语 古代汉语 中国古代文学 中国现当代文学 外国文学 语言学概论 文学批评 美学 比较文学 民间文学 秘书学 中国文学批评史 文字学 语文教学论 唐诗宋词研究 红楼梦研究 鲁迅研究 现代汉语语法研究 中国古代文论选读 应用写作"),
    "050201": ("lit", "综合英语 英语听力 英语口语 英语阅读 英语写作 英语语法 翻译理论与实践 英国文学 美国文学 英语国家概况 语言学导论 高级英语 商务英语 英语泛读 英语语音 口译 英汉对比研究 英语教学法 跨文化交际 第二外语(日语)"),
    "050301": ("lit", "新闻学概论 新闻采访与写作 新闻编辑 新闻评论 传播学概论 广播电视新闻 新媒体概论 新闻法规与职业道德 中国新闻史"),
    "060101": ("lit", "史学概论 中国古代史 中国近代史 中国现代史 世界古代史 世界近现代史 中国历史文选 中国史学史 考古学通论 历史教学论"),
    "070101": ("sci", "数学分析 高等代数 解析几何 常微分方程 复变函数 实变函数 近世代数 数值分析 数学建模 运筹学 数学教学论 拓扑学 微分几何 泛函分析 数学史 初等数学研究 偏微分方程 数学软件 离散数学"),
    "070201": ("sci", "力学 热学 电磁学 光学 原子物理学 理论力学 电动力学 量子力学 数学物理方法"),
    "070301": ("chem sci", "结构化学 仪器分析 高分子化学 化学教学论 化工基础 环境化学 化学实验技术"),
    "071201": ("sci", "数学分析 统计学原理 数理统计 抽样调查 多元统计分析 回归分析 时间序列分析 统计软件应用 国民经济统计"),
    "071102": ("", "普通心理学 发展心理学 社会心理学 心理统计学 心理测量学 实验心理学 人格心理学 咨询心理学 管理心理学 变态心理学 生理心理学"),
    "101101": ("med", "护理学导论 基础护理学 内科护理学 外科护理学 妇产科护理学 儿科护理学 急危重症护理学 社区护理学 护理管理学 健康评估"),
    "100701": ("med chem", "药物化学 药剂学 药物分析 天然药物化学 生药学 药事管理学 临床药物治疗学 药代动力学"),
    "130502": ("art", "字体设计 标志设计 版式设计 包装设计 广告设计 书籍装帧设计 插画设计 品牌形象设计 计算机辅助设计"),
    "130503": ("art", "室内设计原理 景观设计 建筑设计基础 人体工程学 装饰材料与构造 室内陈设设计 环境设施设计 效果图表现技法 计算机辅助设计"),
}  # fmt: skip

# Courses taught by practice rather than examined in a written paper.
PRACTICAL_WORDS = ("实践", "实验", "实训", "技法", "技能", "田径", "篮球", "足球", "体操", "武术",
                   "钢琴", "舞蹈", "声乐", "美术基础", "摄影", "口译", "口语", "CAD", "BIM")  # fmt: skip
# Disciplines whose students take 高等数学; the others take 大学语文 instead.
MATHEMATICAL = {"engineering", "science", "economics", "management"}
PLAN_YEARS = range(2022, 2027)
HOURS_PER_CREDIT = 16
# Practice graded pass or fail (合格制); theses and other coursework-assessed courses take
# five levels (五级制); examined courses 百分制, most with a coursework (平时) share.
PASS_FAIL_WORDS = ("实习", "实训", "综合实践", "工程实践", "形势与政策")
COURSEWORK_WEIGHTS = (30, 30, 30, 30, 30, 40, 40, 40, 0, 0)


def _credits_hours(credits: Decimal) -> int:
    return int(credits * HOURS_PER_CREDIT)


def _grading(code: str, name: str, assessment: str) -> dict[str, object]:
    """A course's grading scale and coursework weight. Drawn from the course code, not from
    the catalogue's generator, so that the plans come out as they did before grading."""
    if any(word in name for word in PASS_FAIL_WORDS):
        return {"grading_scale": GradingScale.PASS_FAIL, "coursework_weight": 0}
    if assessment == Assessment.COURSEWORK:
        return {"grading_scale": GradingScale.FIVE_LEVEL, "coursework_weight": 0}
    weight = COURSEWORK_WEIGHTS[zlib.crc32(code.encode()) % len(COURSEWORK_WEIGHTS)]
    return {"grading_scale": GradingScale.PERCENT, "coursework_weight": weight}


def _catalogue(rng: random.Random) -> dict[str, Course]:
    """The course catalogue by name: common courses, electives, foundations, majors' own."""
    courses: dict[str, Course] = {}
    for code, name, name_en, credits, assessment in COMMON_COURSES:
        courses[name] = Course(code=code, name=name, name_en=name_en, credits=Decimal(credits),
                               hours=credits * HOURS_PER_CREDIT, assessment=assessment,
                               **_grading(code, name, assessment))  # fmt: skip
    for code, name, name_en in ELECTIVES:
        courses[name] = Course(code=code, name=name, name_en=name_en, credits=Decimal(2),
                               hours=32, assessment=Assessment.COURSEWORK,
                               **_grading(code, name, Assessment.COURSEWORK))  # fmt: skip

    def add(name: str, code: str, core: bool) -> None:
        if name in courses:
            return
        credits = Decimal(rng.choice((3, 3, 3.5, 4) if core else (2, 2.5, 3, 3, 3.5)))
        practical = any(word in name for word in PRACTICAL_WORDS)
        coursework = practical or rng.random() < (0.1 if core else 0.3)
        assessment = Assessment.COURSEWORK if coursework else Assessment.EXAM
        courses[name] = Course(
            code=code, name=name, credits=credits, hours=_credits_hours(credits),
            assessment=assessment, **_grading(code, name, assessment),
        )  # fmt: skip

    for names in GROUPS.values():
        for name in names.split():
            add(name, f"JC{len(courses) + 1:03d}", core=True)
    for major_code, (_groups, own) in MAJOR_COURSES.items():
        for index, name in enumerate(own.split(), start=1):
            add(name, f"{major_code}{index:02d}", core=index <= 6)
    return courses


@dataclass
class _Entry:
    course: Course
    credits: Decimal
    term: int = 0
    is_required: bool = True
    is_degree_course: bool = False


def _common(level: str, discipline: str) -> tuple[list[str], list[str]]:
    """Names of the level's common courses: those placed early, and the math/English series."""
    mathematical = discipline in MATHEMATICAL
    if level == Level.HIGH_SCHOOL_TO_BACHELOR:
        early = ["马克思主义基本原理", "思想道德与法治", "中国近现代史纲要", "毛泽东思想和中国特色社会主义理论体系概论",
                 "形势与政策", "计算机应用基础", "大学生心理健康教育", "创新创业基础"]  # fmt: skip
        series = ["大学英语(一)", "大学英语(二)", "大学英语(三)", "大学英语(四)"]
        series += ["高等数学(一)", "高等数学(二)"] if mathematical else ["大学语文"]
    elif level == Level.JUNIOR_COLLEGE_TO_BACHELOR:
        early = ["马克思主义基本原理", "毛泽东思想和中国特色社会主义理论体系概论", "计算机应用基础"]
        series = ["大学英语(一)", "大学英语(二)", "高等数学(一)" if mathematical else "大学语文"]
    else:
        early = ["思想道德与法治", "毛泽东思想和中国特色社会主义理论体系概论", "形势与政策",
                 "计算机应用基础", "大学生心理健康教育"]  # fmt: skip
        series = ["大学英语(一)", "大学英语(二)", "高等数学(一)" if mathematical else "大学语文"]
    return early, series


# Credits of the internship and the thesis or project by level (the plan's own, not the course's).
FINAL_CREDITS = {"hs_jc": (4, 4), "jc_ba": (4, 6), "hs_ba": (6, 8)}
ELECTIVE_COUNT = {"hs_jc": 2, "jc_ba": 2, "hs_ba": 5}
MAJOR_ELECTIVES = 2
MAX_CREDITS = Decimal(6)


def _plan_entries(program: Program, courses: dict[str, Course], rng: random.Random) -> list[_Entry]:
    """One plan: common courses, the major's foundation and own courses, some electives, an
    internship and a thesis, placed in terms; the credits add up to the program's total."""
    level, discipline = program.level, program.major.discipline
    terms = program.terms
    target = Decimal(program.credits_to_graduate)
    early, series = _common(level, discipline)
    internship_credits, thesis_credits = FINAL_CREDITS[level]
    thesis = courses["毕业设计" if discipline == "engineering" else "毕业论文"]
    # The internship takes the last term with the thesis, or the one before in a long program.
    internship_term = terms - 1 if terms >= 10 else terms
    final = [
        _Entry(courses["专业实习"], Decimal(internship_credits), term=internship_term),
        _Entry(thesis, Decimal(thesis_credits), term=terms),
    ]
    fixed = [_Entry(courses[name], courses[name].credits) for name in early]
    numbered = [_Entry(courses[name], courses[name].credits) for name in series]
    # A series runs one part a term; English and mathematics side by side from the first term.
    english = [e for e in numbered if e.course.name.startswith("大学英语")]
    other = [e for e in numbered if not e.course.name.startswith("大学英语")]
    for part in (english, other):
        for term, entry in enumerate(part, start=1):
            entry.term = term

    groups, own = MAJOR_COURSES[program.major.code]
    foundation = [name for group in groups.split() for name in GROUPS[group].split()]
    own_names = own.split()
    # 专升本 students have their foundations from college: their own courses come first. A
    # junior-college program is short: a few foundations, then the major's own courses.
    if level == Level.JUNIOR_COLLEGE_TO_BACHELOR:
        candidates = own_names + foundation
    elif level == Level.HIGH_SCHOOL_TO_JUNIOR_COLLEGE:
        candidates = foundation[:4] + own_names + foundation[4:]
    else:
        candidates = foundation + own_names
    taken = {e.course.name for e in [*fixed, *numbered, *final]}
    candidates = list(dict.fromkeys(name for name in candidates if name not in taken))
    electives = [
        _Entry(courses[name], Decimal(2), is_required=False)
        for _code, name, _en in rng.sample([e for e in ELECTIVES if e[1] not in candidates],
                                   ELECTIVE_COUNT[level])
    ]  # fmt: skip
    remaining = target - sum(e.credits for e in [*fixed, *numbered, *final, *electives])
    major: list[_Entry] = []
    for name in candidates:
        course = courses[name]
        if sum(e.credits for e in major) + course.credits <= remaining:
            major.append(_Entry(course, course.credits))
    _fit(major, remaining, rng)
    # The last of the major's own courses in the plan are electives; degree courses are core ones.
    own_in_plan = [e for e in major if e.course.name in own_names]
    for entry in own_in_plan[-MAJOR_ELECTIVES:]:
        entry.is_required = False
    if level in Level.bachelor_levels():
        core = [e for e in own_in_plan[:6] if e.is_required]
        for entry in rng.sample(core, min(len(core), rng.randint(3, 5))):
            entry.is_degree_course = True
    # Place the rest in order, moving to the next term once the terms so far hold their even
    # share of the credits (a term left light is made up by the next).
    ordered = [*fixed, *major[: len(major) // 2], *electives, *major[len(major) // 2 :]]
    loads = [Decimal(0)] * (terms + 1)
    for entry in [*numbered, *final]:
        loads[entry.term] += entry.credits
    share = target / terms
    term = 1
    for entry in ordered:
        while term < terms and sum(loads[: term + 1]) + entry.credits > share * term + 1:
            term += 1
        entry.term = term
        loads[term] += entry.credits
    return [*numbered, *ordered, *final]


def _fit(entries: list[_Entry], remaining: Decimal, rng: random.Random) -> None:
    """Raise some courses' credits (by one, or a half at the end) until they total `remaining`:
    a plan may weigh a course more than the catalogue does."""
    missing = remaining - sum(e.credits for e in entries)
    while missing > 0:
        step = Decimal(1) if missing >= 1 else missing
        room = [e for e in entries if e.credits + step <= MAX_CREDITS]
        if not room:
            raise ValueError(f"cannot fit {remaining} credits into {len(entries)} courses")
        rng.choice(room).credits += step
        missing -= step


def seed_plans(rng: random.Random) -> None:
    """The course catalogue, and a teaching plan of every program for each admission year from
    2022 to 2026. Run after seed_catalog."""
    courses = _catalogue(rng)
    Course.objects.bulk_create(courses.values())
    programs = list(Program.objects.select_related("major").order_by("pk"))
    plans = TeachingPlan.objects.bulk_create(
        TeachingPlan(program=program, admission_year=year)
        for program in programs
        for year in PLAN_YEARS
    )
    rows = []
    for plan in plans:
        for entry in _plan_entries(plan.program, courses, rng):
            rows.append((
                plan.pk, entry.course.pk, entry.term, db_value(PlanCourse, "credits", entry.credits),
                _credits_hours(entry.credits), entry.course.assessment, entry.is_required,
                entry.is_degree_course,
            ))  # fmt: skip
    bulk_insert(PlanCourse, ("plan", "course", "term", "credits", "hours", "assessment",
                             "is_required", "is_degree_course"), rows)  # fmt: skip
