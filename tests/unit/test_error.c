/* SPDX-License-Identifier: MIT */
/* test_error.c: struct dh_error: gRPC status names, the message form, and the
 * predicates callers branch on instead of matching text (not found, not a
 * table, released), with the server messages upstream sends. */
#include <string.h>

#include "check.h"
#include "dh_error.h"

static void test_status_names(void)
{
    CHECK_STR(dh_grpc_status_name(DH_GRPC_OK), "OK");
    CHECK_STR(dh_grpc_status_name(DH_GRPC_NOT_FOUND), "NOT_FOUND");
    CHECK_STR(dh_grpc_status_name(DH_GRPC_FAILED_PRECONDITION), "FAILED_PRECONDITION");
    CHECK_STR(dh_grpc_status_name(DH_GRPC_UNAUTHENTICATED), "UNAUTHENTICATED");
    CHECK_STR(dh_grpc_status_name(17), "UNKNOWN_STATUS");
    CHECK_STR(dh_grpc_status_name(-1), "UNKNOWN_STATUS");
}

static void test_message_form(void)
{
    struct dh_error e;
    dh_error_clear(&e);
    CHECK_INT(
        dh_error_set_grpc(&e, "Fetching shared/0x01", DH_GRPC_UNAVAILABLE, "failed to connect"),
        DH_EGRPC);
    CHECK_STR(e.msg, "Fetching shared/0x01: UNAVAILABLE: failed to connect "
                     "(is the server running and reachable?)");
    dh_error_set_grpc(&e, "Fetching", DH_GRPC_INVALID_ARGUMENT, "Details Logged w/ID 'x'");
    CHECK_STR(
        e.msg,
        "Fetching: INVALID_ARGUMENT: Details Logged w/ID 'x' (the server log has the details)");
    dh_error_set_grpc(&e, NULL, DH_GRPC_INTERNAL, "");
    CHECK_STR(e.msg, "call: INTERNAL: (no message)");
}

/* set_grpc with one server message; returns e. */
static struct dh_error grpc_error(const char *what, int status, const char *details)
{
    struct dh_error e;
    dh_error_clear(&e);
    dh_error_set_grpc(&e, what, status, details);
    return e;
}

static void test_not_a_table(void)
{
    /* TableServiceGrpcImpl, and the Flight/Barrage handlers' wording */
    struct dh_error e = grpc_error("Reading", DH_GRPC_FAILED_PRECONDITION, "Ticket is not a table");
    CHECK(dh_error_is_not_a_table(&e));
    CHECK(!dh_error_is_released(&e));
    CHECK(!dh_error_is_not_found(&e));
    e = grpc_error("Reading", DH_GRPC_FAILED_PRECONDITION,
                   "Ticket (scope/p) is not a subscribable table.");
    CHECK(dh_error_is_not_a_table(&e));
    /* The reason survives a prefix and a copy. */
    dh_error_prefix(&e, "rows");
    struct dh_error copy = e;
    CHECK(dh_error_is_not_a_table(&copy));
    /* Only the server's words count: the operation's own name does not. */
    e = grpc_error("Checking whether it is not a table", DH_GRPC_FAILED_PRECONDITION,
                   "Export in state DEPENDENCY_FAILED");
    CHECK(!dh_error_is_not_a_table(&e));
    CHECK(dh_error_is_released(&e));
    /* Another status with the same words is not this reason. */
    e = grpc_error("Reading", DH_GRPC_INVALID_ARGUMENT, "not a table");
    CHECK(!dh_error_is_not_a_table(&e));
}

static void test_not_found_and_released(void)
{
    struct dh_error e = grpc_error("Fetching", DH_GRPC_NOT_FOUND,
                                   "Could not resolve 'sourceId': ticket '0a' not found");
    CHECK(dh_error_is_not_found(&e));
    CHECK(dh_error_is_status(&e, DH_GRPC_NOT_FOUND));
    CHECK(!dh_error_is_released(&e));
    e = grpc_error("Fetching", DH_GRPC_FAILED_PRECONDITION, "Details Logged w/ID 'abc'");
    CHECK(dh_error_is_released(&e));
    /* Not gRPC errors: none of the predicates holds. */
    dh_error_set(&e, DH_ETIMEOUT, "not a table, not found");
    e.grpc_status = DH_GRPC_NOT_FOUND;
    CHECK(!dh_error_is_not_found(&e));
    CHECK(!dh_error_is_not_a_table(&e));
    CHECK(!dh_error_is_released(&e));
    CHECK(!dh_error_is_not_found(NULL));
    CHECK(!dh_error_is_not_a_table(NULL));
    CHECK(!dh_error_is_released(NULL));
    /* A clear resets the reason. */
    e = grpc_error("x", DH_GRPC_FAILED_PRECONDITION, "Ticket is not a table");
    dh_error_clear(&e);
    CHECK(!dh_error_is_not_a_table(&e));
}

static void test_object_type(void)
{
    char type[32] = "unchanged";
    struct dh_error e = grpc_error("Fetching figure", DH_GRPC_FAILED_PRECONDITION,
                                   "Unexpected ObjectType, expected type 'Figure', actual type "
                                   "'deephaven.ui.Element'");
    CHECK(dh_error_object_type(&e, type, sizeof type));
    CHECK_STR(type, "deephaven.ui.Element");
    char small[8] = "keep";
    CHECK(!dh_error_object_type(&e, small, sizeof small)); /* does not fit: untouched */
    CHECK_STR(small, "keep");
    e = grpc_error("Fetching figure", DH_GRPC_FAILED_PRECONDITION, "actual type ''");
    CHECK(!dh_error_object_type(&e, type, sizeof type));
    e = grpc_error("Fetching figure", DH_GRPC_FAILED_PRECONDITION, "actual type 'unterminated");
    CHECK(!dh_error_object_type(&e, type, sizeof type));
    CHECK_STR(type, "deephaven.ui.Element");
}

int main(void)
{
    CHECK_RUN(T(test_status_names), T(test_message_form), T(test_not_a_table),
              T(test_not_found_and_released), T(test_object_type));
}
