/* SPDX-License-Identifier: MIT */
/* test_partitioned: PartitionedTableDescriptor decoding (dh_partitioned_decode). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "deephaven_core/proto/partitionedtable.pb-c.h"
#include "dh_partitioned.h"

/* Pack a descriptor with n key columns (names borrowed). Returns malloc'd bytes. */
static uint8_t *pack(char **keys, size_t n, const char *constituent, int unique, int ticking,
                     size_t *len)
{
    Io__Deephaven__Proto__Backplane__Grpc__PartitionedTableDescriptor d =
        IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__PARTITIONED_TABLE_DESCRIPTOR__INIT;
    d.n_key_column_names = n;
    d.key_column_names = keys;
    d.constituent_column_name = (char *)constituent;
    d.unique_keys = unique;
    d.constituent_changes_permitted = ticking;
    *len = protobuf_c_message_get_packed_size(&d.base);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf)
        protobuf_c_message_pack(&d.base, buf);
    return buf;
}

static void test_decode(void)
{
    char *keys[] = {"Exchange", "Sym"};
    size_t len;
    uint8_t *b = pack(keys, 2, "__CONSTITUENT__", 1, 1, &len);
    CHECK_REQ(b != NULL);
    struct dh_partitioned *p = NULL;
    struct dh_error err;
    CHECK_INT(dh_partitioned_decode(b, len, &p, &err), DH_OK);
    CHECK_REQ(p != NULL);
    CHECK_INT(p->n_keys, 2);
    CHECK_STR(p->key_columns[0], "Exchange");
    CHECK_STR(p->key_columns[1], "Sym");
    CHECK_STR(p->constituent_column, "__CONSTITUENT__");
    CHECK_INT(p->unique_keys, 1);
    CHECK_INT(p->changes_permitted, 1);
    CHECK_INT(p->table.len, 0); /* decoding alone names no table */
    dh_partitioned_free(p);
    free(b);
}

/* No key column, or bytes that are not a descriptor: refused, nothing out. */
static void test_refused(void)
{
    size_t len;
    uint8_t *b = pack(NULL, 0, "__CONSTITUENT__", 1, 0, &len);
    CHECK_REQ(b != NULL);
    struct dh_partitioned *p = (struct dh_partitioned *)1;
    struct dh_error err;
    CHECK_INT(dh_partitioned_decode(b, len, &p, &err), DH_EINVAL);
    CHECK(p == NULL);
    CHECK(strstr(err.msg, "malformed PartitionedTableDescriptor") != NULL);
    free(b);
    static const uint8_t junk[] = {0x0a, 0x7f, 'S'}; /* a string longer than the bytes */
    CHECK_INT(dh_partitioned_decode(junk, sizeof junk, &p, &err), DH_EINVAL);
    CHECK(p == NULL);
    dh_partitioned_free(NULL); /* NULL-safe */
}

int main(void)
{
    CHECK_RUN(T(test_decode), T(test_refused));
}
