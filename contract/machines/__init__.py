"""The hypothesis state machines' shared parts: a machine bound to the run
(`ContractMachine`, `run_machine`), its examples in shards (`machine_shards`), the model
of what the server should hold, the checks every machine uses (access probes,
listing pages, secrets), and the shards of a machine side by side in one process
(`run_shard`).
"""

from contract.machines._base import ContractMachine, Session, machine_session, of_machine, run_machine
from contract.machines._checks import (
    Access,
    check,
    expect_access,
    fail,
    json_array,
    json_object,
    listed_user_ids,
    user_pages_problem,
)
from contract.machines._model import (
    MAX_LIVE_USERS,
    ModelServiceAccount,
    ModelToken,
    ModelUser,
    Owner,
    Population,
    room_for_a_user,
    several_users,
)
from contract.machines._shards import Shard, machine_shards
from contract.machines._side_by_side import run_shard

__all__ = [
    "MAX_LIVE_USERS",
    "Access",
    "ContractMachine",
    "ModelServiceAccount",
    "ModelToken",
    "ModelUser",
    "Owner",
    "Population",
    "Session",
    "Shard",
    "check",
    "expect_access",
    "fail",
    "json_array",
    "json_object",
    "listed_user_ids",
    "machine_session",
    "machine_shards",
    "of_machine",
    "room_for_a_user",
    "run_machine",
    "run_shard",
    "several_users",
    "user_pages_problem",
]
