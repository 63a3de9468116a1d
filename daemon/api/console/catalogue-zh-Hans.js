/*
 * catalogue-zh-Hans.js -- the console's own text in simplified Chinese:
 * English text (the key, as RG.t gets it) -> Chinese.  A string missing
 * here shows in English; scripts/console-strings.sh lists what is
 * missing (docs/console.md "Languages").  Keep every {placeholder}.
 */
"use strict";

RG.addCatalogue("zh-Hans", {
	"railgate officer console": "railgate 海关关员控制台",
	"officer console": "关员控制台",
	"Language": "语言",
	"Log in": "登录",
	"Log out": "退出登录",
	"Logged out.": "已退出登录。",
	"logged in": "已登录",
	"Bearer token": "访问令牌",
	"The token stays in this browser tab only (sessionStorage) and goes with every API call.":
	    "令牌仅保存在本浏览器标签页中（sessionStorage），并随每次 API 调用发送。",
	"The token was refused (401): log in again.": "令牌被拒绝（401）：请重新登录。",
	"{method} {path}: {status}": "{method} {path}：{status}",
	"{error} (retrying)": "{error}（正在重试）",

	"Trains": "列车",
	"Train": "列车",
	"Route": "线路",
	"Dir.": "方向",
	"ETA": "预计到达",
	"Wagons": "车厢",
	"Containers": "集装箱",
	"Items": "货物",
	"State": "状态",
	"Decision": "决定",
	"Clearance clock": "通关时限",
	"No trains.": "没有列车。",
	"updated {time}": "更新于 {time}",
	"update failed": "更新失败",
	"run {run}": "第 {run} 次",
	"green lane": "绿色通道",
	"train {train}": "列车 {train}",

	"not started (target {target})": "未开始（时限 {target}）",
	"done in {time}": "用时 {time} 完成",
	"{time} left": "剩余 {time}",
	"{time} over target": "超时 {time}",

	"RELEASE": "放行",
	"AUDIT": "抽核",
	"DOC_CHECK": "单证审核",
	"INSPECT": "查验",
	"HOLD": "扣留",
	"REFUSE": "拒绝入境",
	"PARTIAL_RELEASE": "部分放行",
	"{decision} (final)": "{decision}（最终）",
	"{decision} (provisional)": "{decision}（临时）",
	"none": "无",

	"import": "进口",
	"export": "出口",
	"transit": "过境",

	"announced": "已预报",
	"received": "已接收",
	"evaluated": "已评估",
	"approaching": "即将到达",
	"arrived": "已到达",
	"released": "已放行",
	"partially released": "部分放行",
	"held": "已扣留",
	"cancelled": "已取消",

	"Print": "打印",
	"Set-out list \u2014 train {train} run {run}": "甩车清单 \u2014 列车 {train} 第 {run} 次",
	"{route} at {station}; decision {decision}; printed {time}":
	    "{route}，口岸 {station}；决定：{decision}；打印时间 {time}",
	"No wagon is set out: the whole train goes.": "没有甩车：整列放行。",
	"Position": "位置",
	"Wagon": "车厢",
	"Action": "处置",
	"Reasons": "原因",
	"officer: {resolution}": "关员处置：{resolution}",
	"Shunting crew: {line}   Officer: {line}": "调车组：{line}   关员：{line}",

	/* train.js, wagon.js, hits.js, trainhits.js: ready for when their
	 * owners wrap these strings in RG.t. */
	"Approve train": "批准放行",
	"Approved": "已批准",
	"Actions": "操作",
	"Direction": "方向",
	"ETA / arrived": "预计到达 / 实际到达",
	"Wagons / containers / items": "车厢 / 集装箱 / 货物",
	"Resolve wagon": "处置车厢",
	"Resolve: ": "处置：",
	"No hits on this wagon.": "该车厢无命中规则。",
	"Click a wagon to see its hits and resolve it.": "点击车厢查看命中规则并进行处置。",
	"rule": "规则",
	"subject": "对象",
	"would pass if": "满足以下条件即可通过",
	"rule text": "规则原文",
	"Train-level hits": "整列命中",
	"not decided yet": "尚未决定",
	"refused": "被拒绝",
	"sending\u2026": "正在发送\u2026",
	"a reason is required": "必须填写理由",
	"reason (optional)": "理由（可选）",
	"reason (the auditor reads it)": "理由（审计人员可见）",
	"locomotive": "机车",
	"Manifest corrected": "舱单已更正",
	"Goods located on wagon": "货物已在车厢上找到",
	"Decision approved: final.": "决定已批准：最终。",
	"None yet: notices go out when the decision is final.": "尚无：决定成为最终后发送通知。",
	"Set-out list for the shunting crew (printable)": "调车组甩车清单（可打印）",
	"all trains": "全部列车"
});
