import json, os, urllib.request, sys
BASE = "http://127.0.0.1:" + os.environ.get("HK_SHOTS_PORT", "18720"); TOK = "a" * 40
SHOTS = os.environ.get("HK_SHOTS_DIR", "/tmp/shots")
def req(method, path, body=None, token=TOK):
    r = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode(),
                               headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(r) as resp:
            t = resp.read(); return resp.status, (json.loads(t) if t else None)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")
H = "hall-demo"
print(req("POST", "/api/v1/admin/halls", {"id": H, "name": "成都市政务服务中心"}))
ts = "2026-11-25T00:00:00.000Z"
def win(i, num, state): return {"id": f"w{i}", "number": num, "name": f"{num}号窗口", "zone": "", "kind": "general", "state": state, "position": i, "createdAt": ts, "updatedAt": ts}
deps = [("d-crj", "出入境", [("passport", "护照", "A"), ("hk", "往来港澳通行证", "A"), ("tw", "往来台湾通行证", "A"), ("hzjz", "护照加注", "A")]),
        ("d-hz", "公安户政", [("idcard", "居民身份证换领", "B"), ("hukou", "户口迁入登记", "B"), ("hjzm", "户籍证明开具", "B")]),
        ("d-sb", "人社社保", [("sbk", "社保卡补办", "C"), ("yl", "养老保险关系转移", "C"), ("sy", "失业登记", "C")]),
        ("d-ss", "税务", [("gs", "个人所得税汇算", "D"), ("fp", "发票申领", "D")]),
        ("d-bdc", "不动产登记", [("bdc", "不动产转移登记", "E"), ("dy", "抵押登记", "E")]),
        ("d-gs", "市场监管", [("yyzz", "营业执照办理", "F")])]
windows = [win(0, "1", "open"), win(1, "2", "open"), win(2, "3", "open"), win(3, "4", "open"), win(4, "5", "open"), win(5, "6", "closed")]
matters, bindings = [], []
wmap = {"d-crj": ["w0", "w1"], "d-hz": ["w2"], "d-sb": ["w3"], "d-ss": ["w4"], "d-bdc": ["w4"], "d-gs": ["w2"]}
for did, dname, ms in deps:
    for mid, mname, p in ms:
        matters.append({"id": mid, "catalogCode": mid.upper(), "name": mname, "departmentId": did, "matterType": "公共服务", "required": True, "timeLimitDays": 0, "ticketPrefix": p, "state": "active"})
        for w in wmap[did]: bindings.append({"windowId": w, "matterId": mid, "priority": "primary"})
cfg = {"windows": windows, "departments": [{"id": d, "code": d.upper(), "name": n} for d, n, _ in deps], "matters": matters, "bindings": bindings,
       "settings": {"maxRecalls": 2, "fallbackPrefix": "Z"}}
print(req("PUT", f"/api/v1/admin/halls/{H}/config", cfg))
s, kiosk = req("POST", f"/api/v1/admin/halls/{H}/devices", {"kind": "kiosk", "name": "1号取号机", "windowId": None})
s, caller = req("POST", f"/api/v1/admin/halls/{H}/devices", {"kind": "caller", "name": "3号窗口叫号器", "windowId": "w2"})
s, caller1 = req("POST", f"/api/v1/admin/halls/{H}/devices", {"kind": "caller", "name": "1号窗口叫号器", "windowId": "w0"})
# A morning's tickets so the top matters and waiting counts mean something.
import random; random.seed(3)
weights = {"passport": 9, "idcard": 8, "sbk": 6, "hk": 5, "gs": 4, "bdc": 3, "hukou": 3, "yyzz": 2, "yl": 1}
for mid, n in weights.items():
    for _ in range(n): req("POST", "/api/v1/kiosk/tickets", {"matterId": mid}, kiosk["token"])
for _ in range(3): req("POST", "/api/v1/caller/next", None, caller1["token"])
# The rating pad of window 1 and a hall display; the desktop's seating plan synced (who sits at
# window 1 today, as the idle pad shows them), and the month's 服务之星 a desktop published
# (`star_month`, ranked by core): the display lists them, the pad shows 张敏's grade from them
# (docs/devices.md); no photo, so the pad draws the initials placeholder.
s, pad = req("POST", f"/api/v1/admin/halls/{H}/devices", {"kind": "rating_pad", "name": "1号窗口评价器", "windowId": "w0"})
s, display = req("POST", f"/api/v1/admin/halls/{H}/devices", {"kind": "display", "name": "大厅显示屏", "windowId": None})
import datetime
# Synced changes carry their author, an active account of the hall.
s, author = req("POST", "/api/v1/admin/accounts", {"login": "shots.admin", "displayName": "截图管理员", "staffId": None,
                                                   "grants": [{"hallId": H, "role": "hall_admin"}], "password": "Shots-Demo-2026!x"})
print(s, author.get("id") if isinstance(author, dict) else author)
day = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).strftime("%Y-%m-%d")
def op(seq, entity, key, fields):
    return {"seq": seq, "opId": f"shots-{seq}", "hlc": f"{1_000 + seq:018}-00000-shots", "entity": entity, "key": key,
            "change": {"kind": "upsert", "fields": fields}, "author": author["id"]}
def star(rank, sid, name, no, window, dept, served, ratings, poor, rate, grade):
    return {"rank": rank, "staffId": sid, "staffName": name, "department": dept, "served": served, "ratings": ratings,
            "poor": poor, "goodRate": rate, "employeeNo": no, "windowNumber": window, "grade": grade}
stars = {"month": day[:7], "stars": [star(1, "s-zm", "张敏", "1024", "1", None, 312, 208, 0, 0.986, 5),
                                     star(2, "s-lq", "李强", "1031", "3", "公安局", 287, 176, 1, 0.966, 5),
                                     star(3, "s-wf", "王芳", "1102", None, "人社局", 265, 150, 2, 0.94, 5)]}
ops = [op(0, "window", "w0", {"number": "1", "name": "1号窗口"}), op(1, "staff", "s-zm", {"employeeNo": "1024", "name": "张敏"}),
       op(2, "seat", f"{day}/w0", {"staffId": "s-zm"}), op(3, "star_month", day[:7], {"document": stars})]
print(req("POST", f"/api/v1/admin/halls/{H}/sync/push", {"deviceId": "shots", "schemaVersion": 2, "ops": ops}))
def seed_terminal():
    """窗口叫号: staff 1001 陈晓梅 seated at window 2 today (hall time), her account (window staff,
    password changed), and a caller device at window 2 for the /terminal page to pair as."""
    import datetime
    day = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).date().isoformat()
    s, admin = req("POST", "/api/v1/admin/accounts", {"login": "demo.admin", "displayName": "演示管理员",
                   "grants": [{"hallId": H, "role": "hall_admin"}], "password": "Erste-Kennwort-2026"})
    def op(seq, entity, key, fields):
        return {"seq": seq + 1, "opId": f"demo-{seq}", "hlc": f"{1_900_000_000_001 + seq:018}-00000-demo-pc", "entity": entity,
                "key": key, "change": {"kind": "upsert", "fields": fields}, "author": admin["id"]}
    win1 = {"number": "2", "name": "2号窗口", "zone": "", "kind": "general", "state": "open", "position": 1}
    ops = [op(0, "window", "w1", win1), op(1, "staff", "s-chen", {"employeeNo": "1001", "name": "陈晓梅"}), op(2, "seat", f"{day}/w1", {"staffId": "s-chen"})]
    print(req("POST", f"/api/v1/admin/halls/{H}/sync/push", {"deviceId": "demo-pc", "schemaVersion": 2, "ops": ops}))
    req("POST", "/api/v1/admin/accounts", {"login": "chen.xm", "displayName": "陈晓梅", "staffId": "s-chen",
        "grants": [{"hallId": H, "role": "window_staff"}], "password": "Erste-Kennwort-2026"})
    s, session = req("POST", "/api/v1/session", {"login": "chen.xm", "password": "Erste-Kennwort-2026"}, token="")
    print(req("PUT", "/api/v1/session/password", {"current": "Erste-Kennwort-2026", "new": "Chen-Kennwort-2026"}, token=session["token"]))
    s, term = req("POST", f"/api/v1/admin/halls/{H}/devices", {"kind": "caller", "name": "2号窗口叫号终端", "windowId": "w1"})
    return term["device"]["id"]
json.dump({"hall": H, "kiosk": kiosk["device"]["id"], "caller": caller["token"], "caller1": caller1["token"],
           "pad": pad["device"]["id"], "display": display["device"]["id"], "terminal": seed_terminal()},
          open(f"{SHOTS}/seed.json", "w"))
print("seeded")
