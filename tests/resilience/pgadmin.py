"""Superuser actions on the test PostgreSQL server for the outage tests: run as the `postgres` system
user through psql (peer authentication over the local socket), the way an operator would."""
import subprocess

from playhouse.db_url import parse as parse_url


def psql(sql: str, database: str = "postgres") -> str:
    out = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                          "-d", database, "-c", sql], check=True, capture_output=True, text=True, timeout=60)
    return out.stdout


def can_psql() -> bool:
    try:
        psql("SELECT 1")
        return True
    except (OSError, subprocess.SubprocessError):
        return False


def database_of(url: str) -> str:
    return parse_url(url)["database"]


def app_role(url: str, role: str, password: str) -> str:
    """Create (or re-create) a plain login role with rights on every table of the test database;
    returns its DATABASE_URL."""
    dbname = database_of(url)
    exists = psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'").strip()
    if exists:
        drop_role(url, role)
    psql(f"CREATE ROLE \"{role}\" LOGIN NOSUPERUSER PASSWORD '{password}'")
    psql(f'GRANT CONNECT ON DATABASE "{dbname}" TO "{role}"')
    psql(f'GRANT USAGE ON SCHEMA public TO "{role}"; '
         f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"; '
         f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"', database=dbname)
    p = parse_url(url)
    return f"postgresql://{role}:{password}@{p.get('host', '127.0.0.1')}:{p.get('port', 5432)}/{dbname}"


def drop_role(url: str, role: str) -> None:
    terminate(role)
    psql(f'DROP OWNED BY "{role}"', database=database_of(url))
    psql(f'DROP ROLE IF EXISTS "{role}"')


def terminate(role: str) -> int:
    """Cut every connection of `role` (only that role's: other sessions on the server go on)."""
    out = psql(f"SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE usename = '{role}'")
    return int(out.strip() or 0)


def connection_limit(role: str, n: int) -> None:
    psql(f'ALTER ROLE "{role}" CONNECTION LIMIT {n}')
