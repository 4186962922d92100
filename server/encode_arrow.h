/* SPDX-License-Identifier: MIT */
/* encode_arrow: Arrow IPC Schema and RecordBatch messages for catalogue tables,
 * laid out the way Deephaven's server writes them (BarrageUtil schema and field
 * metadata; BaseChunkWriter, FixedWidthChunkWriter, VarBinaryChunkWriter,
 * BooleanChunkWriter and ListChunkWriter buffers; MessageHelper.wrapInMessage). */
#ifndef DEMO_ENCODE_ARROW_H
#define DEMO_ENCODE_ARROW_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"

/* Arrow MetadataVersion V5 (Message.fbs). */
#define DEMO_ARROW_V5 4

/* The raw Message(Schema) flatbuffer of table t (a FlightData data_header), malloc'd.
 * 0, or -1 with err. Any thread. */
int demo_arrow_schema_message(const struct demo_object *t, uint8_t **out, size_t *len, char *err);

/* One RecordBatch FlightData for the n rows at the positions rows[0..n) (each below the
 * table size), in that order. Columns whose bit is clear in the column bitset
 * cols[0..cols_len) are sent empty (a 0-length node); cols NULL means all columns.
 * use_dh_nulls: sentinel types send null_count 0 and no validity (docs/PROTOCOL.md, Column types).
 * Fills msg->header and msg->body (app_metadata left NULL). 0, or -1 with err. Any thread. */
int demo_arrow_record_batch(const struct demo_object *t, const int64_t *rows, size_t n,
                            const uint8_t *cols, size_t cols_len, int use_dh_nulls,
                            struct demo_flight_msg *msg, char *err);

/* A DictionaryBatch (isDelta false) with the values of dictionary-encoded column
 * col (DEMO_COL_DICT_STRING: demo_dict_strings), to send before a record batch
 * holding the column (BarrageMessageWriterImpl.buildDictionaryBatchStream: no
 * app_metadata). Fills msg->header and msg->body. 0, or -1 with err. Any thread. */
int demo_arrow_dictionary_batch(const struct demo_object *t, size_t col,
                                struct demo_flight_msg *msg, char *err);

/* As demo_arrow_record_batch with every list cell cut to its first list_limit
 * elements (its last -list_limit when negative; 0: whole), as upstream's
 * ListChunkWriter honours previewListLengthLimit (only lists are cut: strings
 * and binary go whole). Any thread. */
int demo_arrow_record_batch_cut(const struct demo_object *t, const int64_t *rows, size_t n,
                                const uint8_t *cols, size_t cols_len, int use_dh_nulls,
                                int64_t list_limit, struct demo_flight_msg *msg, char *err);

/* Whether bit col is set in the bitset cols[0..len) (BitSet.toByteArray order);
 * cols NULL means every column. Any thread. */
int demo_colset_has(const uint8_t *cols, size_t len, size_t col);

/* Copy msg into err (char[DEMO_ERR_MAX], may be NULL) and return -1. Any thread. */
int demo_fail(char *err, const char *msg);

#endif
