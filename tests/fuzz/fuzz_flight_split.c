/* SPDX-License-Identifier: MIT */
/* fuzz_flight_split.c: libFuzzer target for dh_flight_data_split, the
 * zero-copy FlightData splitter `dhtui rows` reads every message with. The
 * parts must lie inside the input, and wherever protobuf-c's generated decoder
 * accepts the bytes, the splitter must too and find the same three parts.
 * Input: one packed FlightData. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/flight/protocol/Flight.pb-c.h"
#include "table_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 if part [p, p + n) lies inside the input (or is empty). */
static int inside(const uint8_t *data, size_t size, const uint8_t *p, size_t n)
{
    if (n == 0)
        return 1;
    return p >= data && n <= size && (size_t)(p - data) <= size - n;
}

/* 1 if a part equals protobuf-c's bytes field. */
static int same(const uint8_t *p, size_t n, const ProtobufCBinaryData *b)
{
    return n == b->len && (n == 0 || memcmp(p, b->data, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dh_flight_parts fp;
    int rc = dh_flight_data_split(data, size, &fp, NULL);
    if (rc == DH_OK &&
        (!inside(data, size, fp.header, fp.hlen) || !inside(data, size, fp.body, fp.blen) ||
         !inside(data, size, fp.md, fp.mdlen)))
        abort();
    Arrow__Flight__Protocol__FlightData *fd =
        arrow__flight__protocol__flight_data__unpack(NULL, size, data);
    if (!fd)
        return 0;
    if (rc != DH_OK || !same(fp.header, fp.hlen, &fd->data_header) ||
        !same(fp.body, fp.blen, &fd->data_body) || !same(fp.md, fp.mdlen, &fd->app_metadata))
        abort();
    arrow__flight__protocol__flight_data__free_unpacked(fd, NULL);
    return 0;
}
