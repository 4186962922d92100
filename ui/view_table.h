/* SPDX-License-Identifier: MIT */
/* view_table.h: the pager's state and the helpers view_table.c (paging,
 * sorts, filters) shares with view_ops.c (search, hidden columns, statistics,
 * frequency, publish). Private to those two files. */
#ifndef DHTUI_VIEW_TABLE_H
#define DHTUI_VIEW_TABLE_H

#include <time.h>

#include "dh_partitioned.h"
#include "dh_tableops.h"
#include "live_hold.h"
#include "live_marks.h"
#include "view.h"

enum { HEADER_LINES = 2 };

struct table_view {
    struct view base;
    char name[128];
    char type[64];
    struct dh_source source;      /* rows are read through this (see dh_epoch.h) */
    struct dh_schema info_schema; /* from the fetch; n_fields == 0 if none */
    int64_t size;                 /* rows; -1 unknown */
    int is_static;                /* 1 static, 0 ticking, -1 unknown */

    struct dh_rows *rows; /* the window we have (owned), or NULL */
    size_t *vis;          /* indices of the fields shown (not hidden) */
    size_t n_vis;
    const struct dh_schema *vis_for; /* schema vis was computed for */
    int *widths;                     /* per shown column, fitted to the window */
    int pos_width;                   /* the row-number column */

    int64_t cur, top; /* selected row and first row on screen */
    int follow;       /* ticking: the cursor stays on the last row as rows come */
    size_t col, left; /* selected shown column and first one on screen */
    int page;         /* data rows on screen */

    uint64_t req;  /* the pending rows request, 0 if none */
    uint64_t live; /* ticking: the live window's request, 0 if none */
    int64_t req_first, req_count, req_ms;
    int req_ahead;         /* ... asked for while the screen was covered (a prefetch) */
    int live_reverse;      /* the live window counts from the end (following new rows) */
    int prefetch;          /* static tables: keep rows ready beyond the screen */
    double rtt_ms;         /* ... sized by this round trip (rises at once, falls slowly) */
    double last_ms;        /* how long the last window took */
    int64_t last_rows_ms;  /* when the last window arrived */
    uint64_t rows_epoch;   /* the session epoch the rows on screen were read in */
    uint64_t reread_epoch; /* the epoch a static window was last re-read for */
    time_t heard;          /* wall clock of the last rows from the server */
    int retrying;          /* the client is retrying our window (back-off) */
    int gone;              /* the source cannot be read any more: rows are stale */
    int failed;            /* the window [failed_first, +failed_count) failed for good */
    int64_t failed_first, failed_count;
    char err[512];
    int local_time; /* instants in the local zone (--tz, key z) rather than UTC */

    /* Live look (ticking tables): the flash of changed cells and new rows,
     * and pausing (P): updates of the window on screen wait in hold. */
    uint64_t rows_req;       /* the request the rows on screen answered */
    struct live_marks marks; /* what the updates changed, by window row */
    int marks_shown;         /* the last draw showed a mark (redraw when it goes) */
    char ago[32];            /* "updated 0.3 s ago" as the title shows it */
    struct live_hold hold;   /* P: the window on screen is not updated */

    /* Sorts and filters (dh_tableops.h): source is an export derived from origin. */
    struct dh_source origin; /* the table itself (durable when it can be) */
    int origin_forget;       /* forget origin at the end */
    int64_t origin_size;
    int origin_static;
    struct dh_view_ops ops;     /* the operations of the rows on screen */
    struct dh_view_ops pending; /* the operations being derived */
    uint64_t derive_req;        /* the derive on its way, 0 if none */
    int derived;                /* source is our derived export (forget it when replaced) */
    char where_text[1024];      /* the last filter typed, for the prompt after an error */
    int rederiving;             /* the derive on its way is the same view (a new session) */
    size_t base_ops;            /* undo stops here (a frequency view's own count-by) */

    /* The operations of view_ops.c that are not a change of view. */
    struct table_view *freq_parent; /* a frequency view: the view Enter filters (below it) */
    char freq_column[128];          /* ... by the value of this column */
    uint64_t seek_req;              /* the search on its way, 0 if none */
    int64_t seek_from;              /* ... from this row */
    struct dh_source seek_source;   /* ... of this source (the view may change meanwhile) */
    int seek_from_prompt;           /* ... typed: an error reopens the prompt with the text */
    char search_text[256];          /* the last search (n, N) */
    char search_column[128];        /* ... in this column */
    int search_backward;            /* ... going up (N) */
    uint64_t whole_req;             /* a cut cell's row read whole, 0 if none */
    enum ui_action whole_act;       /* ... then shown (ACT_OPEN) or copied */
    size_t whole_field;             /* ... that cell's field */
    char whole_what[256];           /* ... "Items, row 3" */
    struct dh_source whole_source;  /* ... of this source */
    uint64_t stats_req;             /* the statistics on their way, 0 if none */
    char stats_column[128];
    struct dh_source stats_source;
    struct view_save *save; /* S: the file being written (view_save.c), or NULL */

    /* A partitioned table's keys (view_partition.c): NULL for other tables. */
    struct dh_partitioned *part;  /* its key columns (owned) */
    struct dh_source part_source; /* the partitioned table */
    int part_forget;              /* forget part_source at the end */
    /* The key table and the merge are exports of their epoch with no durable
     * name: after a renewal they are asked for again from part_source. */
    enum part_reopen reopen;
    struct dh_view_ops part_key; /* PART_REOPEN_KEY: the constituent's key values (owned) */
    int part_unique;             /* ... and whether the keys are unique */
    uint64_t reopen_req;         /* asking for the table again, 0 if none */
    uint64_t reopen_epoch;       /* the epoch the last one was for */
};

/* view_table.c */
/* The name of the selected column, or NULL. */
const char *table_selected_column(const struct table_view *v);
/* The selected column's field, or NULL. */
const struct dh_field *table_selected_field(const struct table_view *v);
/* Keep cur inside the table and top around it. */
void table_clamp_rows(struct table_view *v);
/* pending = the newest chain asked for (the one on its way, else the one on
 * screen); then table_finish_change sends it if rc is DH_OK, else says why. */
int table_begin_change(struct table_view *v, struct dh_error *err);
unsigned table_finish_change(struct table_view *v, struct app *a, int rc,
                             const struct dh_error *err);
/* Why there is no selected cell to take, as a fragment (app_error_message
 * shows it): the table is empty, or its row is still loading. */
const char *table_no_cell_reason(const struct table_view *v);
/* The cell of shown column k in the cursor row as a literal (or *is_null);
 * value->s is malloc'd. */
int table_cell_literal(struct table_view *v, size_t k, struct dh_literal *value, int *is_null,
                       struct dh_error *err);
/* Add "column == value" (or !=; isNull for a null) to v's view and derive it. */
unsigned table_match_value(struct table_view *v, struct app *a, const char *column, int negate,
                           const struct dh_literal *value, int is_null);

/* The text of `column`'s cell at row position pos, if that row is on hand: 0,
 * else -1 (buf untouched). */
int table_row_text(const struct table_view *v, int64_t pos, const char *column, char *buf,
                   size_t n);

/* view_partition.c: Enter and M on a partitioned table's keys (UR_NONE on other
 * tables and for other keys), and the end of such a pager. */
unsigned table_partition_key(struct table_view *v, struct app *a, enum ui_action act);
void table_partition_destroy(struct table_view *v, struct app *a);
/* After a session renewal: ask for the key table or the merge again from the
 * partitioned table (durable), once per epoch. 1 when asked. */
int table_partition_reopen(struct table_view *v, struct app *a);
/* It came (f): 0 when it is what was asked for (the keys' columns are taken
 * from it), else -1. */
int table_partition_reopened(struct table_view *v, struct dh_fetched *f);

/* view_ops.c: the keys it handles (UR_NONE for others), and its events. */
unsigned table_ops_key(struct table_view *v, struct app *a, enum ui_action act);
unsigned table_ops_event(struct table_view *v, struct app *a, struct dh_event *ev);
void table_ops_destroy(struct table_view *v, struct app *a);

#endif
