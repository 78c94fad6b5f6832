"""Dataverse error responses: the status, hex code and message the real service sends.

Every failure inside the emulator is raised as `DataverseError`, so the app has one place that
turns failures into the documented `{"error":{"code","message"}}` body and never leaks a traceback.
Codes come from reference/dataverse.md §4.4–4.8 where it gives them; the others are the codes
real orgs are commonly seen to return and are marked as such.
"""

from __future__ import annotations

OBJECT_DOES_NOT_EXIST = "0x80040217"
DUPLICATE_KEY = "0x80040237"
THROTTLED_REQUESTS = "0x80072322"  # §4.8: number of requests per 300 s
CONCURRENT_REQUESTS = "0x80072326"  # §4.8: concurrent requests
# Seen on real orgs, not stated in the references:
VERSION_MISMATCH = "0x80060882"
QUERY_ERROR = "0x80060888"
PAYLOAD_ERROR = "0x80048d19"
INVALID_ARGUMENT = "0x80040203"
OPTION_OUT_OF_RANGE = "0x8004431a"
UNEXPECTED = "0x80040216"
NOT_VALID_FOR_READ = (
    "0x80041a08"  # a production report of the same message (find_string 66757104367)
)
NOT_AUTHENTICATED = "0x80072560"
# [inferred] the code of a delete a Restrict relationship refuses (no reference states it)
RESTRICTED_DELETE = "0x80040227"


class DataverseError(Exception):
    """A request the service refuses, with the HTTP status and Dataverse error code."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, object]:
        """The JSON error body as the Web API returns it."""
        return {"error": {"code": self.code, "message": self.message}}


def not_found(logical_name: str, key: str) -> DataverseError:
    """404 for a row that does not exist, worded as the service words it."""
    return DataverseError(
        404, OBJECT_DOES_NOT_EXIST, f"{logical_name} With Id = {key} Does Not Exist"
    )


def bad_query(message: str) -> DataverseError:
    """400 for a URL or query option the OData layer cannot parse."""
    return DataverseError(400, QUERY_ERROR, message)


def bad_payload(message: str) -> DataverseError:
    """400 for a request body the OData layer rejects."""
    return DataverseError(400, PAYLOAD_ERROR, message)


def odata_payload_error(entity_set: str, inner: str) -> DataverseError:
    """400 for a body the OData reader rejects, wrapped the way the service wraps it."""
    return bad_payload(
        f"Error identified in Payload provided by the user for Entity :'{entity_set}', For more "
        "information on this error please follow this help link "
        "https://go.microsoft.com/fwlink/?linkid=2195293  ----> InnerException : "
        f"Microsoft.OData.ODataException: {inner}"
    )


def unknown_property(name: str, logical_name: str) -> DataverseError:
    """400 for a property the entity type does not declare."""
    return bad_query(
        f"Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{logical_name}'."
    )


def not_valid_for_read(column: str, logical_name: str) -> DataverseError:
    """400 for a `$select` naming a column whose IsValidForRead is false, in the service's words
    (Rnwood.Dataverse.Data.PowerShell issue #1396; FetchXMLBuilder #128). The status is
    [inferred]: the reports quote the SDK's message and code, not the Web API's status."""
    return DataverseError(
        400,
        NOT_VALID_FOR_READ,
        "Retrieve can only return columns that are valid for read. "
        f"Column : {column}. Entity : {logical_name}",
    )


def duplicate_key() -> DataverseError:
    """412 when a create meets an existing primary or alternate key."""
    return DataverseError(412, DUPLICATE_KEY, "A record with matching key values already exists.")


def version_mismatch() -> DataverseError:
    """412 when `If-Match: W/"n"` names a version the row no longer has."""
    return DataverseError(
        412,
        VERSION_MISMATCH,
        "The version of the existing record doesn't match the RowVersion property provided.",
    )


def restricted(logical_name: str, key: str, relationship: str) -> DataverseError:
    """A delete the relationship's Restrict behaviour refuses: "Restrict: prevent the parent
    row from being deleted while related rows exist" (Learn, table relationship behaviour).
    [inferred: the status, code and wording]"""
    return DataverseError(
        400,
        RESTRICTED_DELETE,
        f"The {logical_name} with Id = {key} cannot be deleted because it is referenced by "
        f"other records through the relationship '{relationship}' (Delete: Restrict).",
    )
