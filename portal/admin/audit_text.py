"""The audit log in words, for the page and the export: object types, detail field names and values in
Chinese. Details are redacted again on display (portal/audit.py redact), so records written before the
redaction never show business content either."""
import datetime as dt
import json

from .. import audit

OBJECT_TYPES = {
    "security": "安全设置", "backup": "备份", "identity_request": "身份查看申请", "job_run": "后台作业",
    "user": "用户", "department": "部门", "roster": "花名册", "page": "页面", "problem": "问题",
    "campaign": "活动清单", "tip": "举报", "tip_key": "举报加密密钥", "clue": "问题线索", "clue_file": "举报附件",
    "document": "公文", "seal": "印章", "print_job": "批量打印", "selfcheck": "个人自查",
    "selfcheck_version": "个人自查提交版本", "department_report": "单位自查自纠情况", "inspection": "明察暗访",
    "inspection_plan": "检查计划", "inspection_target": "检查对象", "draw": "随机抽取", "finding": "检查结果",
    "finding_file": "检查附件", "report": "定期报告", "report_draft": "报告草稿", "report_file": "报告文件", "reporting_period": "报送周期",
    "mechanism": "长效机制", "dashboard": "工作看板", "notice": "通知", "audit": "审计日志",
    "urge": "催办", "escalation": "升级督办", "instruction": "领导批示",
    "publication": "通知公告", "outcome": "问责处理结果", "typical_case": "典型问题",
    "outcome_option": "处理方式清单条目",
}

DETAIL_KEYS = {
    "role": "角色", "roles": "角色", "username": "登录名", "rows": "行数", "errors": "问题数", "reason": "原因",
    "source": "来源", "name": "名称", "kind": "类型", "parent": "上级部门", "departments": "分管部门",
    "until": "锁定至", "need": "所需权限", "real_name": "姓名", "employee_no": "工号", "title": "标题",
    "phone": "手机号", "email": "电子邮箱", "department": "部门", "sort_order": "排序号", "action": "操作",
    "description": "问题描述", "measures": "整改措施", "remark": "备注", "deadline": "整改时限",
    "severity": "严重程度", "person": "责任人", "item": "条目", "aspect": "方面", "partner": "关联问题",
    "is_accountability": "领导责任", "withdrawn": "已撤回", "self_reported": "自查发现", "fixed_at_once": "立行立改",
    "status": "状态", "file": "文件", "files": "文件数", "evidence": "佐证", "approved": "批准",
    "mechanism": "长效机制", "op": "操作", "done": "完成数", "failed": "失败数", "ids": "问题编号",
    "filters": "筛选条件", "q": "关键词", "bulk": "批量操作", "channel": "渠道", "counts": "数量",
    "removed": "删除旧密钥数", "subject": "被反映人", "handler": "承办人", "leader": "领导", "problem": "问题",
    "version": "版本", "hash": "内容哈希", "outcome": "结论", "perfunctory": "敷衍应付", "user": "用户",
    "period": "期间", "plan": "检查计划", "purpose": "用途", "seed": "随机种子", "roster_hash": "名单哈希",
    "result": "结果", "inspector": "检查人员", "random": "随机", "target": "检查对象", "targets": "检查对象数",
    "number": "发文字号", "sha256": "文件哈希", "missing_glyphs": "缺字", "correction": "更正文件",
    "code": "代码", "due": "截止日期", "start": "起始日期", "end": "截止日期", "problems": "问题数",
    "report": "报告", "persons": "人数", "pages": "页数", "total": "总数", "legacy_rows": "启用密钥前的记录数",
    "step": "环节", "stage": "审核环节", "event": "记录编号", "created": "新增数", "skipped": "跳过数",
    "to": "新值", "from": "原值", "2fa": "第二步验证", "check": "校验", "created_at": "备份时间",
    "force": "强制恢复", "left": "剩余恢复码", "messages": "留言数", "named": "实名", "purge_on": "删除日期",
    "request": "申请编号", "size": "大小（字节）", "via": "途径", "method": "登录方式", "ldap": "统一身份认证",
}
# the same key means different things in different events
DETAIL_KEYS_BY_ACTION = {
    "department_change": {"from": "原部门", "to": "新部门"},
    "problem_status": {"from": "原状态", "to": "新状态"},
    "problem_refused": {"from": "原状态", "to": "目标状态"},
    "clue_status": {"from": "原状态", "to": "新状态"},
    "clue_refused": {"from": "原状态", "to": "目标状态"},
    "extension_request": {"to": "延期至"},
    "extension_decide": {"to": "延期至"},
    "user_update": {"title": "职务"},
}
# detail values that are codes
DETAIL_VALUES = {"roster": "花名册导入", "integrity": "并发冲突", "approved": "审核通过", "returned": "退回修改",
                 "totp": "动态验证码", "recovery": "恢复码", "cli": "命令行", "2fa": "动态验证码错误",
                 "unknown user": "登录名不存在", "file missing": "文件缺失", "hash mismatch": "文件哈希不符",
                 "issue of issued": "重复印发", "edit of an issued document": "修改已印发的公文",
                 "batch print outside own department": "批量打印超出本部门范围", "password": "本地密码",
                 "directory": "统一身份认证（LDAP）", "directory_down": "统一身份认证服务无法连接",
                 "no_account": "门户中没有对应账号", "admin_local_only": "管理员账号不经统一身份认证登录"}
CHANGE_ACTIONS = {"problem_update", "department_update", "user_update"}  # detail is {field: [old, new]}


def _status_labels(action):
    if action.startswith("problem_"):
        from ..models import STATUSES
        return STATUSES
    if action.startswith("clue_"):
        from ..models.tip import CLUE_STATUSES
        return CLUE_STATUSES
    return {}


def _one(value, labels=None):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "，".join(f"{DETAIL_KEYS.get(k, k)} {_one(v)}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, list):
        return "、".join(_one(v, labels) for v in value)
    if isinstance(value, str):
        return (labels or {}).get(value) or DETAIL_VALUES.get(value, value)
    return str(value)


def _value(action, key, value):
    from ..permissions import ROLES
    if key in ("role", "roles"):
        return _one(value, ROLES)
    if action in CHANGE_ACTIONS and isinstance(value, list) and len(value) == 2:
        return f"{_one(value[0])} → {_one(value[1])}"
    if key in ("from", "to"):
        return _one(value, _status_labels(action))
    return _one(value)


def detail_text(raw: str, action: str = "", object_type: str = "") -> str:
    """The JSON detail in words (角色：干部职工；行数：4), business content hidden."""
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):  # a plain-text detail ("unknown user"): its words when it has them
        return DETAIL_VALUES.get(raw, raw) if raw else ""
    value = audit.redact(value, object_type)
    if not isinstance(value, dict):
        return _one(value)
    names = {**DETAIL_KEYS, **DETAIL_KEYS_BY_ACTION.get(action, {})}
    return "；".join(f"{names.get(k, k)}：{_value(action, k, v)}" for k, v in value.items())


def when(r) -> str:
    """The record's time; the day only for tip-box events (they are stored at midnight)."""
    if audit.is_date_only(r.action) or (r.actor_id is None and r.at.time() == dt.time.min):
        return r.at.strftime("%Y-%m-%d")
    return r.at.strftime("%Y-%m-%d %H:%M:%S")
