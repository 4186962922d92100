/* SPDX-License-Identifier: MIT */
/* pbutil: small protobuf-c helpers shared by the demo server's modules. */
#ifndef DEMO_PBUTIL_H
#define DEMO_PBUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

/* Short names for the generated Deephaven and Flight types (protoc-c spells the package). */
#define DHPB(x) Io__Deephaven__Proto__Backplane__Grpc__##x
#define DHPB_INIT(x) IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__##x##__INIT
#define DHPB_DESC(x) io__deephaven__proto__backplane__grpc__##x##__descriptor
#define FLPB(x) Arrow__Flight__Protocol__##x
#define FLPB_INIT(x) ARROW__FLIGHT__PROTOCOL__##x##__INIT
#define FLPB_DESC(x) arrow__flight__protocol__##x##__descriptor

/* Pack a message into a new malloc'd buffer (*out, *len; caller frees). 0 or -1 (out of
 * memory). Any thread. */
int demo_pb_pack(const ProtobufCMessage *m, uint8_t **out, size_t *len);

#endif
