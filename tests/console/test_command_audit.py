"""Audit hash chain: one transaction with the decision, verify names the first broken entry, CLI exit codes."""
import pytest
from sqlalchemy import text

from console.command import audit, decisions
from console.command.decisions import decide
from console.command.users import PermissionDenied, add_user, authenticate
from console.errors import LantianError
from console.store.command_schema import Warning_


def test_chain_links_and_verifies(store, crew):
    for i in range(3):
        with decide(store, crew["operator"], "alarm.ack") as tx:
            tx.record("test.note", f"item {i}", "because", {"i": i, "城市": "南宁市"})
    res = audit.verify(store)
    assert res.ok and res.entries == 3
    df = audit.entries(store)
    assert list(df["seq"]) == [1, 2, 3]
    assert df["payload"].iloc[1] == {"i": 1, "城市": "南宁市"} and df["user"].iloc[0] == "operator1"
    assert df["role"].iloc[0] == "operator"


@pytest.mark.parametrize("tamper,broken", [
    ("UPDATE audit_entry SET reason = 'edited' WHERE seq = 2", 2),
    ("UPDATE audit_entry SET payload = replace(payload, '2', '9') WHERE seq = 3", 3),
    ("DELETE FROM audit_entry WHERE seq = 2", 2),
    ("DELETE FROM audit_entry WHERE seq = 4", 4),
])
def test_verify_names_first_broken_entry(store, crew, tamper, broken):
    for i in range(4):
        with decide(store, crew["operator"], "alarm.ack") as tx:
            tx.record("test.note", str(i), "r", {"i": i})
    with store.engine.begin() as c:
        c.execute(text(tamper))
    res = audit.verify(store)
    assert not res.ok and res.first_broken == broken, str(res)


def test_decision_and_audit_entry_commit_or_roll_back_together(store, crew):
    with pytest.raises(RuntimeError):
        with decide(store, crew["commander"], "warning.approve") as tx:
            tx.session.add(Warning_(city="450100", level="yellow", action="issue", status="active", scheme="s",
                                    scheme_version="v", evidence="{}", reason="r", proposed_by="x",
                                    proposed_at=tx.clock.now()))
            tx.record("warning.issue", "450100", "r")
            raise RuntimeError("crash between the two writes")
    assert audit.verify(store).entries == 0 and decisions.warnings_table(store).empty


def test_roles_and_passwords(store, crew):
    assert authenticate(store, "commander1", "pw").role == "commander"
    with pytest.raises(PermissionDenied, match="wrong password"):
        authenticate(store, "commander1", "nope")
    with pytest.raises(LantianError, match="unknown role"):
        add_user(store, "x", "king", "pw")
    with pytest.raises(PermissionDenied, match="needs role commander"):
        with decide(store, crew["operator"], "warning.approve"):
            pass
    with store.engine.connect() as c:
        h = c.execute(text("SELECT pw_hash FROM app_user WHERE name='operator1'")).scalar()
    assert h.startswith("pbkdf2_sha256$60000$") and len(h.split("$")[-1]) == 64


def test_cli_verify_exit_codes(store, crew, home, capsys):
    from console.cli import main

    with decide(store, crew["operator"], "alarm.ack") as tx:
        tx.record("test.note", "x", "r")
    assert main(["--db", store.url, "audit", "verify"]) == 0
    assert "1 entries, hash chain intact" in capsys.readouterr().out
    with store.engine.begin() as c:
        c.execute(text("UPDATE audit_entry SET user = 'mallory' WHERE seq = 1"))
    assert main(["--db", store.url, "audit", "verify"]) == 3
    assert "BROKEN at entry 1" in capsys.readouterr().out
