"""Chinese labels of every audit event code (the one table; the audit page and exports use it)."""

ACTION_LABELS = {
    # accounts and sign-in
    "login": "登录", "login_failed": "登录失败", "lockout": "账号锁定", "logout": "退出登录",
    "password_change": "修改密码", "password_reset": "重置密码", "session_expired": "会话超时",
    "role_grant": "授予角色", "role_revoke": "撤销角色", "role_refused": "角色操作被拒绝",
    "user_create": "创建用户", "user_update": "修改用户", "user_disable": "停用用户",
    "user_enable": "启用用户", "user_unlock": "解除锁定", "department_change": "调整部门",
    "department_create": "新建部门", "department_update": "修改部门", "department_activate": "启用部门",
    "department_deactivate": "停用部门", "charge_change": "调整分管范围", "roster_import": "导入花名册",
    "roster_export": "导出花名册", "access_denied": "越权访问", "campaign_load": "载入活动清单",
    # the audit trail itself
    "audit_keyed": "审计链启用密钥", "audit_export": "导出审计日志",
    # problems and the ledger
    "problem_create": "登记问题", "problem_status": "问题状态变更", "problem_update": "修改问题",
    "problem_refused": "问题操作被拒绝", "problem_action": "记录处理方式", "problem_evidence": "上传整改佐证",
    "evidence_download": "下载整改佐证", "extension_request": "申请延期", "extension_decide": "审批延期",
    "ledger_bulk": "台账批量操作", "ledger_export": "导出整改台账", "clue_export": "导出问题线索台账",
    "selfcheck_export": "导出自查情况", "inspection_export": "导出明察暗访记录", "login_log_export": "导出登录日志",
    "ldap_account_open": "统一身份认证首次登录开通账号",
    "mechanism_create": "建立长效机制",
    "mechanism_link": "纳入长效机制",
    "problem_review": "整改销号审核", "problem_progress": "填写整改进展", "ledger_import": "导入整改台账",
    # self-check
    "selfcheck_submit": "提交个人自查", "selfcheck_review": "审核个人自查", "selfcheck_reopen": "重新开放个人自查",
    "selfcheck_tamper": "自查请求被拒绝", "selfcheck_report_save": "保存单位自查情况",
    "selfcheck_report_submit": "报送单位自查情况",
    # tip box and clues
    "tip_submit": "网上举报", "tip_followup": "举报人补充材料", "tip_tamper": "举报数据校验失败",
    "tip_key_rotate": "更换举报加密密钥", "clue_record": "登记来信来电来访举报", "clue_view": "查看问题线索",
    "clue_status": "线索状态变更", "clue_reassign": "改派线索", "clue_refused": "线索操作被拒绝",
    "clue_escalated": "线索报上级办理", "clue_subject": "认定被反映人", "clue_forward": "登记线索移送",
    "clue_note": "记录办理情况", "clue_message": "答复举报人", "clue_identity_view": "查看举报人身份",
    "clue_handover_view": "查看移送材料", "clue_file_download": "下载举报附件", "clue_link": "线索关联问题",
    # inspections
    "inspection_plan_create": "新建检查计划", "inspection_draw": "随机抽取", "inspection_redraw": "重新抽取",
    "inspection_assign": "指派检查人员", "inspection_target_add": "增列检查对象",
    "inspection_finding": "登记检查结果",
    # documents
    "document_create": "起草公文", "document_issue": "印发公文", "document_download": "下载公文",
    "document_print_draft": "打印公文草稿", "document_refused": "公文操作被拒绝", "document_delete": "删除公文草稿",
    "document_attachment_upload": "上传公文附件 PDF", "document_attachment_remove": "移除公文附件 PDF",
    "document_correct": "更正公文", "document_integrity": "公文文件校验失败", "seal_upload": "上传印章",
    "print_batch_start": "发起批量打印", "print_batch_done": "批量打印完成", "print_batch_cancel": "取消批量打印",
    "print_batch_download": "下载批量打印文件", "selfcheck_print": "打印个人对照检查材料",
    "department_report_print": "打印单位自查自纠情况报告",
    # reports
    "report_generate": "生成定期报告", "report_download": "下载定期报告", "report_tampered": "报告文件校验失败",
    "reporting_period_create": "设定报送周期",
    "report_create": "起草定期报告", "report_edit": "修改报告草稿", "report_submit": "报告送审核",
    "report_approve": "审核通过报告", "report_return": "退回报告", "report_sign": "签发报告",
    "report_dispatch": "登记报告报送", "campaign_setup_change": "修改活动设置", "campaign_checklist_upload": "上传新版检查清单",
    # sign-in, security, tip retention, identity access, backups, jobs, documents
    "admin_refused": "管理操作被拒绝", "login_throttled": "登录受限（同一地址失败过多）", "force_logout": "强制下线",
    "totp_enable": "启用双因素认证", "totp_disable": "关闭双因素认证", "totp_reset": "重置双因素认证",
    "totp_failed": "动态验证码错误", "recovery_codes_new": "生成恢复码", "recovery_code_used": "使用恢复码",
    "security_settings_change": "修改安全设置", "campaign_settings_change": "修改活动规则", "tip_purge": "按保存期限删除举报内容",
    "tip_retention_change": "调整举报保存期限", "clue_identity_request": "申请查看举报人身份",
    "clue_identity_approve": "同意查看举报人身份", "clue_identity_refuse": "不同意查看举报人身份",
    "clue_identity_view": "查看举报人身份", "backup_create": "创建备份", "backup_restore": "恢复备份",
    "document_docx": "导出 Word 文档", "job_retry": "重试后台作业",
    # 督办 (portal/supervision)
    "problem_urge": "催办整改问题", "selfcheck_urge": "催办个人自查", "problem_escalate": "逾期问题升级督办",
    "instruction_create": "领导批示", "supervision_notice_draft": "生成督办通知单", "supervision_export": "导出督办记录",
    "mechanism_from_pattern": "由普遍性问题建立长效机制",
    # 通知公告, accountability outcomes, typical cases
    "publication_publish": "发布通知公告", "publication_download": "下载通知公告", "publication_ack": "确认已阅",
    "publication_remind": "提醒未读人员", "publication_withdraw": "撤回通知公告",
    "outcome_record": "登记问责处理结果", "outcome_option_add": "新增处理方式",
    "outcome_option_switch": "启用或停用处理方式", "outcome_void": "作废问责处理结果", "typical_mark": "标记典型问题",
    "typical_unmark": "取消典型问题",
}
