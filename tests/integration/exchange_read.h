/* SPDX-License-Identifier: MIT */
/* exchange_read.h: what the Barrage integration tests (itest_subscribe,
 * itest_stock) both need to read a DoExchange stream by hand: one FlightData,
 * the schema message, and a one-range rowset check. Test code; included once
 * per test program. */
#ifndef ITEST_EXCHANGE_READ_H
#define ITEST_EXCHANGE_READ_H

#include <stdint.h>
#include <stdio.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "dh_arrow.h"
#include "dh_rowset.h"
#include "dh_transport.h"

/* Read one FlightData: DH_OK with *fd (free it), or the stream's end / error in *err. */
static int read_fd(struct dh_stream *s, Arrow__Flight__Protocol__FlightData **fd,
                   struct dh_error *err)
{
    struct dh_buf b = {0};
    int rc = dh_stream_read(s, &b, err);
    if (rc != DH_OK)
        return rc;
    *fd = arrow__flight__protocol__flight_data__unpack(NULL, b.len, b.data);
    dh_buf_reset(&b);
    return *fd ? DH_OK : DH_EINVAL;
}

/* Read the Schema message (no metadata): 0, or -1 (said on stderr). */
static int read_schema(struct dh_stream *s, struct dh_schema *schema)
{
    Arrow__Flight__Protocol__FlightData *fd;
    struct dh_error err;
    if (read_fd(s, &fd, &err) != DH_OK) {
        fprintf(stderr, "schema: %s\n", err.msg);
        return -1;
    }
    int rc =
        fd->app_metadata.len == 0 &&
                dh_schema_decode(fd->data_header.data, fd->data_header.len, schema, &err) == DH_OK
            ? 0
            : -1;
    arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    return rc;
}

/* Whether rs is exactly [lo, hi] (empty when hi < lo). */
static int rowset_is(const struct dh_rowset *rs, int64_t lo, int64_t hi)
{
    if (hi < lo)
        return rs->n == 0;
    return rs->n == 1 && rs->ranges[0].lo == lo && rs->ranges[0].hi == hi;
}

#endif
