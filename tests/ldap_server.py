"""A private OpenLDAP server (Debian's slapd) for the directory sign-in tests: a temp config (slapd.conf),
an MDB database loaded with slapadd from a small LDIF of the demo bureau, a free port on 127.0.0.1, stopped
afterwards. `SLAPD` absent: the tests that need it are skipped with the reason."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
MODULES = "/usr/lib/ldap"
SCHEMA = "/etc/ldap/schema"
SUFFIX = "dc=bureau,dc=example"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "Ldap-admin-2026"
SERVICE_DN = f"cn=portal,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "Portal-svc-2026"
PEOPLE = f"ou=people,{SUFFIX}"

# (uid, name, employee number, department, password) — people of the demo bureau (tests/factories.py)
DEMO_PEOPLE = [
    ("staff_a", "李明", "F001", "财务科", "Dir-Pass-a1"),
    ("head_a", "王立新", "F000", "财务科", "Dir-Pass-h1"),
    ("staff_b", "孙丽", "A001", "资产管理科", "Dir-Pass-b1"),
    ("newbie", "赵新来", "A009", "资产管理科", "Dir-Pass-n1"),
    ("nowhere", "钱无门", "X001", "不存在的科室", "Dir-Pass-x1"),
    ("sysadmin", "钱志远", "S001", "办公室", "Dir-Pass-s1"),  # an administrator's name in the directory
]


def available() -> bool:
    return os.path.exists(SLAPD) and os.path.exists(SLAPADD)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ldif() -> str:
    out = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: bureau\no: 示范局\n",
           f"dn: ou=services,{SUFFIX}\nobjectClass: organizationalUnit\nou: services\n",
           f"dn: {SERVICE_DN}\nobjectClass: person\ncn: portal\nsn: portal\nuserPassword: {SERVICE_PASSWORD}\n",
           f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n"]
    for uid, name, number, dept, password in DEMO_PEOPLE:
        out.append(f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\nsn: {name[0]}\n"
                   f"employeeNumber: {number}\ndepartmentNumber: {dept}\nuserPassword: {password}\n")
    return "\n".join(out)


def _conf(root: str) -> str:
    return f"""include {SCHEMA}/core.schema
include {SCHEMA}/cosine.schema
include {SCHEMA}/inetorgperson.schema
modulepath {MODULES}
moduleload back_mdb
pidfile {root}/slapd.pid
argsfile {root}/slapd.args
access to attrs=userPassword by anonymous auth by self read by * none
access to * by dn.exact="{SERVICE_DN}" read by self read by * none
database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {root}/db
"""


class Slapd:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="slapd-")
        self.port = _free_port()
        self.url = f"ldap://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        os.makedirs(f"{self.root}/db")
        conf = f"{self.root}/slapd.conf"
        with open(conf, "w") as f:
            f.write(_conf(self.root))
        with open(f"{self.root}/bureau.ldif", "w") as f:
            f.write(_ldif())
        subprocess.run([SLAPADD, "-f", conf, "-l", f"{self.root}/bureau.ldif"], check=True, capture_output=True)
        # -d 0: stay in the foreground (so we own the process), no debug output
        self.proc = subprocess.Popen([SLAPD, "-f", conf, "-h", self.url + "/", "-d", "0"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("slapd exited: " + self.proc.stderr.read().decode(errors="replace"))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("slapd did not start listening")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def config(self, **over) -> dict:
        """The portal's LDAP settings for this server (instance/config.py keys)."""
        return {"LDAP_URL": self.url, "LDAP_BIND_DN": SERVICE_DN, "LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
                "LDAP_BASE_DN": PEOPLE, "LDAP_USER_FILTER": "(&(objectClass=inetOrgPerson)(uid={username}))",
                "LDAP_MATCH": "username", "LDAP_MATCH_ATTRIBUTE": "uid", "LDAP_NAME_ATTRIBUTE": "cn",
                "LDAP_DEPARTMENT_ATTRIBUTE": "", "LDAP_TIMEOUT_SECONDS": 3} | over
