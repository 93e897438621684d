"""使用说明: what each role does in the campaign, in 5–8 steps. A step may name a screenshot in
static/help/ (taken by tests/browser/test_help_screenshots.py); the page works without it.

Each step: (title, text, endpoint or None, screenshot file name or None)."""

GUIDES = {
    "staff": ("干部职工", [
        ("看首页待办", "登录后首页列出您当前要做的事：个人自查的截止日期、名下整改事项的时限。", "main.home", "staff-home.png"),
        ("填写个人自查", "点击导航“个人自查”，按六个方面、20 项内容逐项对照检查；每项选“无此问题”或登记问题。", "selfcheck.index", "staff-selfcheck.png"),
        ("随时保存", "填写内容会自动保存（页面显示“已自动保存”），换一台电脑也能接着填。", None, None),
        ("提交待审核", "全部作答后在最后一步核对并提交，状态变为“待审核”；被退回（“已退回”）时按意见修改后重新提交。", None, None),
        ("落实整改", "登记的问题进入“整改台账”，按整改时限完成整改；临近和逾期时会收到通知（右上角铃铛）。", "ledger.index", None),
        ("匿名举报", "发现作风问题可通过“举报箱”匿名反映，凭查询码查看办理进展。", "tips.index", None),
    ]),
    "dept_head": ("科室（单位）负责人", [
        ("看本单位进度", "首页“自查审核”面板显示本单位各状态人数：未开始、草稿、待审核、已退回、已通过。", "main.home", "head-home.png"),
        ("审核个人自查", "点击“查看本单位自查情况”，在人员明细中打开“待审核”的材料，审核通过或退回修改；敷衍应付的可认定“退回敷衍”。", "selfcheck.department", "head-department.png"),
        ("督促未完成人员", "截止日前，首页会列出尚未提交的人员，请逐一督促。", None, None),
        ("组织整改", "在“整改台账”中填写整改措施、更新整改状态，按时限完成；确有困难可申请延期。", "ledger.index", None),
        ("报送单位情况", "按期在“单位自查自纠情况报告”中填写情况并报送机关党委（纪委）。", "selfcheck.report", None),
    ]),
    "leader": ("分管局领导", [
        ("看分管部门进度", "首页和“工作看板”显示您分管部门的问题数量、整改率和逾期情况，点数字可打开对应的问题清单。", "dashboard.index", "leader-dashboard.png"),
        ("查看分管部门自查情况", "首页“查看分管部门自查情况”列出各部门的自查状态人数和人员明细。", "selfcheck.department", None),
        ("审核分管部门自查", "对分管部门人员的“待审核”材料进行审核，通过或退回修改。", None, None),
        ("督办逾期问题", "看板中的“逾期未整改”可直接打开逾期问题清单（仅分管部门），督促责任单位整改。", "ledger.index", None),
        ("完成本人自查", "局领导本人的个人自查同样在“个人自查”中填写，由机关党委（纪委）审核。", "selfcheck.index", None),
    ]),
    "chief": ("局党组书记、局长", [
        ("总览全局", "“工作看板”汇总全局各部门的问题、整改、自查和线索情况。", "dashboard.index", None),
        ("查阅定期报送", "“定期报送”中查阅机关党委（纪委）报送的阶段性情况。", "reports.index", None),
        ("查看问题台账", "“整改台账”可按部门、状态、时限筛选全局问题。", "ledger.index", None),
        ("完成本人自查", "本人的个人自查在“个人自查”中填写，由机关党委（纪委）审核。", "selfcheck.index", None),
        ("查看线索办理", "“问题线索”列出线索的办理状态（不含涉及本人的线索）。", "clues.index", None),
    ]),
    "discipline": ("机关党委（纪委）", [
        ("掌握全局", "首页和“工作看板”显示全局数字，点任一数字打开对应清单。", "dashboard.index", "discipline-dashboard.png"),
        ("管理整改台账", "在“整改台账”中筛选、批量操作、审核销号、审批延期；手机上筛选条件收在“筛选”按钮后面。", "ledger.index", "discipline-ledger.png"),
        ("审核局领导自查", "在“自查情况”中打开“局领导个人自查”，审核局领导的材料。", "selfcheck.department", None),
        ("受理举报、办理线索", "“问题线索”中受理举报箱来信，交办、核查、办结。", "clues.index", None),
        ("组织明察暗访", "“明察暗访”中制定计划、抽取人员、登记发现的问题。", "inspections.index", None),
        ("起草公文、定期报送", "在“公文”中起草通报、提醒函，在“定期报送”中生成阶段报告。", "documents.index", None),
    ]),
    "inspector": ("明察暗访人员", [
        ("查看任务", "首页列出分配给您的抽查任务。", "main.home", None),
        ("登记发现", "在“明察暗访”中打开计划，逐项登记发现的问题，可上传照片。", "inspections.index", None),
        ("完成本人自查", "本人的个人自查在“个人自查”中填写。", "selfcheck.index", None),
        ("跟踪整改", "登记的问题进入整改台账，由责任单位整改。", "ledger.index", None),
        ("注意保密", "抽查安排和发现未经允许不得外传。", None, None),
    ]),
    "clerk": ("办公室文书", [
        ("查看待印发公文", "首页列出待印发的公文草稿。", "main.home", None),
        ("起草公文", "在“公文”中选择文种，按 GB/T 9704 格式自动排版。", "documents.index", None),
        ("预览和印发", "预览无误后印发，系统自动编号并存档。", None, None),
        ("完成本人自查", "本人的个人自查在“个人自查”中填写。", "selfcheck.index", None),
        ("整改事项", "名下的整改事项在“整改台账”中查看。", "ledger.index", None),
    ]),
    "custodian": ("身份保管人", [
        ("查看申请", "首页列出查看实名举报人身份的申请。", "main.home", None),
        ("审批", "逐条审核申请理由，批准或拒绝；每次查看都会记入日志。", None, None),
        ("完成本人自查", "本人的个人自查在“个人自查”中填写。", "selfcheck.index", None),
        ("保密", "举报人身份严格保密，不得泄露。", None, None),
        ("整改事项", "名下的整改事项在“整改台账”中查看。", "ledger.index", None),
    ]),
    "sysadmin": ("系统管理员", [
        ("管理部门", "在“系统管理”中维护部门。", None, None),
        ("管理用户", "新增、停用用户，分配业务角色（三员分立：管理员不兼任业务角色）。", None, None),
        ("导入花名册", "可从 Excel 花名册批量导入人员。", None, None),
        ("设置分管关系", "为分管局领导设定分管部门，看板和台账按此计算范围。", None, None),
        ("不查看业务数据", "系统管理员不查看自查、台账、线索等业务内容。", None, None),
    ]),
    "secadmin": ("安全管理员", [
        ("安全设置", "在“安全管理”中设置口令策略、锁定规则和会话时限。", None, None),
        ("解锁账号", "处理被锁定的账号。", None, None),
        ("管理印章", "维护公文电子印章。", None, None),
        ("查看会话", "查看当前登录情况，必要时强制下线。", None, None),
        ("三员分立", "安全管理员不兼任其他管理或业务角色。", None, None),
    ]),
    "auditor": ("审计管理员", [
        ("查看审计日志", "在“审计日志”中按人员、事件、对象和日期筛选操作记录。", None, None),
        ("核验完整性", "审计日志带哈希链，可核验是否被篡改。", None, None),
        ("导出", "可导出一段时间的审计记录。", None, None),
        ("查阅身份查看记录", "查阅实名举报人身份的查看日志。", None, None),
        ("三员分立", "审计管理员不兼任其他管理或业务角色。", None, None),
    ]),
}

# the order a person with several roles reads their guides in
ORDER = ("discipline", "chief", "leader", "dept_head", "inspector", "clerk", "custodian", "staff",
         "sysadmin", "secadmin", "auditor")
