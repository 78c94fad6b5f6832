"""Dataverse Web API client: one async HTTP client for a real organisation and the emulator.

Generic OData, no knowledge of the SMS tables (those live in `smsconf.platform`). A reconciler
reads each table in one paged query and writes in `$batch` change sets:

    async with DataverseClient(url, credential_from_environment(), deadline=600) as dv:
        live = await dv.get_all(
            "msdyn_ocphonenumbers",
            select=["msdyn_name", "msdyn_type"],
            filter=odata.eq("statecode", 0),
        )                                             # every page; each row keeps @odata.etag
        results = await dv.batch([
            ChangeSet([
                operations.create("msdyn_ocphonenumbers", {...}, id=new_id),   # If-None-Match: *
                operations.update("msdyn_ocphonenumbers", row_id, {...}, etag=row["@odata.etag"]),
                operations.delete("msdyn_ocphonenumbers", old_id, etag=old["@odata.etag"]),
            ]),
        ])                                            # one OperationResult per operation
        failed = [r for r in results if not r.ok]     # r.error: PreconditionFailed, RolledBack, ...
"""

from smsconf.dataverse import odata, operations
from smsconf.dataverse.auth import (
    AccessToken,
    ClientSecretCredential,
    Credential,
    CredentialError,
    StaticToken,
    WorkloadIdentityCredential,
    credential_from_environment,
)
from smsconf.dataverse.batch import MAX_OPERATIONS, BatchItem, ChangeSet
from smsconf.dataverse.client import DataverseClient, Row
from smsconf.dataverse.errors import (
    BadRequest,
    DataverseError,
    DeadlineExceeded,
    DuplicateRecord,
    Forbidden,
    NotExecuted,
    NotFound,
    PreconditionFailed,
    ProtocolError,
    RolledBack,
    ServerError,
    Throttled,
    TransportFailure,
    Unauthorized,
)
from smsconf.dataverse.odata import Filter
from smsconf.dataverse.operations import Operation, OperationResult
from smsconf.dataverse.retry import RetryPolicy
from smsconf.dataverse.stats import RequestStats

__all__ = [
    "MAX_OPERATIONS",
    "AccessToken",
    "BadRequest",
    "BatchItem",
    "ChangeSet",
    "ClientSecretCredential",
    "Credential",
    "CredentialError",
    "DataverseClient",
    "DataverseError",
    "DeadlineExceeded",
    "DuplicateRecord",
    "Filter",
    "Forbidden",
    "NotExecuted",
    "NotFound",
    "Operation",
    "OperationResult",
    "PreconditionFailed",
    "ProtocolError",
    "RequestStats",
    "RetryPolicy",
    "RolledBack",
    "Row",
    "ServerError",
    "StaticToken",
    "Throttled",
    "TransportFailure",
    "Unauthorized",
    "WorkloadIdentityCredential",
    "credential_from_environment",
    "odata",
    "operations",
]
