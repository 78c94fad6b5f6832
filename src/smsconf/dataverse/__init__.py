"""Dataverse Web API client: one async HTTP client for a real organisation and the emulator.

Generic OData, no knowledge of the SMS tables: those live in `smsconf.platform`.

    async with DataverseClient(url, credential_from_environment()) as dv:
        rows = await dv.get_all("accounts", select=["name"], filter=odata.eq("name", "Contoso"))
        results = await dv.batch([ChangeSet([operations.update("accounts", id, {...}, etag=e)])])
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
