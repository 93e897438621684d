"""People sort by 拼音: 安 < 白 < 陈 < 张 (by bytes 张 < 安 < 白 < 陈 would not hold)."""
import pathlib
import re

from portal.sorting import name_key, sort_by_name
from tests.factories import make_problem, make_user

NAMES = ["张伟", "陈静", "安娜", "白云"]
ROOT = pathlib.Path(__file__).resolve().parents[2]
ORDER = ["安娜", "白云", "陈静", "张伟"]


def test_name_key():
    assert sort_by_name(NAMES) == ORDER
    assert sorted(NAMES) != ORDER  # the bytes order differs


def test_ledger_person_column_and_selfcheck_people_sort_by_pinyin(ctx, client, auth, bureau):
    b = bureau
    people = [make_user(f"p{i}", b.fin, real_name=n) for i, n in enumerate(NAMES)]
    for p in people:
        make_problem(person=p, actor=b.office, description=f"{p.real_name}的问题")
    auth.login(b.office)
    page = client.get("/ledger/?sort=person&dept=%d" % b.fin.id).get_data(as_text=True)
    shown = [n for n in re.findall(r"(安娜|白云|陈静|张伟)的问题", page)]
    assert shown == ORDER, shown
    page = client.get("/ledger/?sort=person&dir=desc&dept=%d" % b.fin.id).get_data(as_text=True)
    assert re.findall(r"(安娜|白云|陈静|张伟)的问题", page) == ORDER[::-1]
    page = client.get(f"/selfcheck/department?dept={b.fin.id}").get_data(as_text=True)
    listed = [n for n in re.findall(r"<td>(安娜|白云|陈静|张伟)</td>", page)]
    assert listed == ORDER, listed
    assert name_key("安娜") < name_key("张伟")


def test_sort_name_is_kept_on_create_and_rename_and_orders_the_user_list(ctx, client, auth, bureau):
    from portal.models import User
    b = bureau
    dept = b.asset
    people = [make_user(f"q{i}", dept, real_name=n) for i, n in enumerate(NAMES)]
    assert User.get_by_id(people[0].id).sort_name.startswith("zhang")
    # a rename through a plain UPDATE keeps the key too
    User.update(real_name="艾伟").where(User.id == people[0].id).execute()
    assert User.get_by_id(people[0].id).sort_name.startswith("ai")
    User.update({User.real_name: "张伟"}).where(User.id == people[0].id).execute()
    assert User.get_by_id(people[0].id).sort_name.startswith("zhang")
    auth.login(b.sysadmin)
    page = client.get(f"/admin/?department={dept.id}").get_data(as_text=True)
    listed = [n for n in re.findall(r"(安娜|白云|陈静|张伟)", page) if n in NAMES]
    assert listed and [n for i, n in enumerate(listed) if n not in listed[:i]] == ORDER, listed


def test_sort_name_follows_a_rename_by_save_and_is_not_recomputed_otherwise(ctx, bureau):
    """A loaded user renamed and saved gets the new key; a save that leaves the name alone (a login's
    last_login_at) keeps the stored key as it is, without computing it (pypinyin stays unloaded)."""
    from portal.models import User
    u = make_user("r0", bureau.asset, real_name="张伟")
    User.update(sort_name="stored-key").where(User.id == u.id).execute()  # bypasses the model on purpose
    loaded = User.get_by_id(u.id)
    loaded.failed_logins = 1
    loaded.save()
    assert User.get_by_id(u.id).sort_name == "stored-key"
    loaded = User.get_by_id(u.id)
    loaded.real_name = "艾伟"
    loaded.save()
    assert User.get_by_id(u.id).sort_name.startswith("ai")


def test_a_login_does_not_load_pypinyin(tmp_path):
    """pypinyin's dictionaries weigh ~55 MB: a web worker that only serves logins and pages never loads them."""
    import subprocess
    import sys
    code = (
        "import sys\n"
        "from portal import create_app\n"
        "from portal.extensions import db\n"
        f"app = create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/x.db', 'INSTANCE_PATH': '{tmp_path}/i',\n"
        "    'SECRET_KEY': 'k', 'RATELIMIT_ENABLED': False, 'TOTP_ENFORCED': False, 'WTF_CSRF_ENABLED': False,\n"
        "    'ARGON2_TIME_COST': 1, 'ARGON2_MEMORY_COST': 8192, 'ARGON2_PARALLELISM': 1})\n"
        "from portal import db as pdb\n"
        "with app.app_context():\n"
        "    pdb.upgrade()\n"
        "    from portal.models import Department, User\n"
        "    from portal.passwords import hash_password\n"
        "    d = Department.create(name='办公室', code='BGS')\n"
        "    User.insert(username='u1', real_name='张伟', sort_name='zhang1 wei3', department=d,\n"
        "                password_hash=hash_password('Pass@word2026'), must_change_password=False).execute()\n"
        "sys.modules.pop('pypinyin', None)\n"
        "r = app.test_client().post('/login', data={'username': 'u1', 'password': 'Pass@word2026'})\n"
        "assert r.status_code == 302, r.status_code\n"
        "print('LOADED' if 'pypinyin' in sys.modules else 'NOT-LOADED')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT))
    assert "NOT-LOADED" in out.stdout, out.stderr[-2000:]
