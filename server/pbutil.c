/* SPDX-License-Identifier: MIT */
/* pbutil: protobuf-c packing helper for the demo server. */
#include "pbutil.h"

#include <stdlib.h>

int demo_pb_pack(const ProtobufCMessage *m, uint8_t **out, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return -1;
    size_t got = protobuf_c_message_pack(m, buf);
    *out = buf;
    *len = got;
    return 0;
}
