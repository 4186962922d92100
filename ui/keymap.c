/* SPDX-License-Identifier: MIT */
/* keymap: the key tables of every view, their lookup, and key names. */
#include "keymap.h"

#include <stdio.h>

/* Cursor movement shared by the list-like views. */
/* clang-format off */
#define MOVE_BINDINGS                                                         \
    {UI_KEY_UP, ACT_UP, "move up", NULL, 0},                                  \
    {'k', ACT_UP, NULL, NULL, 0},                                             \
    {UI_KEY_DOWN, ACT_DOWN, "move down", NULL, 0},                            \
    {'j', ACT_DOWN, NULL, NULL, 0},                                           \
    {UI_KEY_PPAGE, ACT_PAGE_UP, "page up", NULL, 0},                          \
    {UI_KEY_NPAGE, ACT_PAGE_DOWN, "page down", NULL, 0},                      \
    {' ', ACT_PAGE_DOWN, NULL, NULL, 0},                                      \
    {UI_KEY_HOME, ACT_TOP, "first row", NULL, 0},                             \
    {'g', ACT_TOP, NULL, NULL, 0},                                            \
    {UI_KEY_END, ACT_BOTTOM, "last row", NULL, 0},                            \
    {'G', ACT_BOTTOM, NULL, NULL, 0}
/* clang-format on */

static const struct key_binding global_bindings[] = {
    {'?', ACT_HELP, "help: every key of every screen", "Help", KB_HINT},
    {UI_KEY_F1, ACT_HELP, NULL, NULL, 0},
    {'f', ACT_FETCH, "fetch: paste a ticket and open what it points at", "Fetch", KB_HINT},
    {'t', ACT_TICKETS, "tickets panel: published and fetched tickets, live state", "Tickets",
     KB_HINT},
    {'m', ACT_MESSAGES, "messages: the recent status-line messages in full", NULL, 0},
    {'a', ACT_CREDENTIAL, "enter the credential again after the server refused it (not shown)",
     NULL, 0},
    {'Q', ACT_QUIT_NOW, "quit dhtui from any screen", NULL, 0},
    {UI_KEY_CTRL_L, ACT_REDRAW, "redraw the screen", NULL, 0},
};

static const struct key_binding objects_bindings[] = {
    MOVE_BINDINGS,
    {UI_KEY_ENTER, ACT_OPEN,
     "open the object (table: pager, figure: figure view, rollup or tree: tree view)", "Open",
     KB_HINT},
    {'/', ACT_FILTER, "filter by name (incremental; Esc clears)", "Filter", KB_HINT},
    {'p', ACT_PUBLISH, "publish the object to a new shared ticket", "Publish", KB_HINT},
    {UI_KEY_ESC, ACT_BACK, "clear the filter", NULL, 0},
    {'q', ACT_QUIT, "quit", "Quit", KB_HINT},
};

static const struct key_binding tickets_bindings[] = {
    MOVE_BINDINGS,
    {UI_KEY_ENTER, ACT_OPEN, "open: re-open a fetched ticket, show a published one", "Open",
     KB_HINT},
    {'c', ACT_COPY, "copy the ticket to the clipboard (OSC 52, tmux, wl-copy/xclip)", "Copy",
     KB_HINT},
    {'r', ACT_RELEASE, "release a published ticket (asks first)", "Release", KB_HINT},
    {'p', ACT_PUBLISH, "publish an ended ticket's object again, to a new ticket", "Publish again",
     KB_HINT},
    {'d', ACT_REMOVE,
     "remove a fetched ticket, or a published one that no longer works, from "
     "the list",
     "Remove", KB_HINT},
    {UI_KEY_ESC, ACT_BACK, "back", "Back", KB_HINT},
    {'q', ACT_BACK, NULL, NULL, 0},
};

static const struct key_binding pager_bindings[] = {
    MOVE_BINDINGS,
    {UI_KEY_LEFT, ACT_LEFT, "previous column", NULL, 0},
    {'h', ACT_LEFT, NULL, NULL, 0},
    {UI_KEY_RIGHT, ACT_RIGHT, "next column", NULL, 0},
    {'l', ACT_RIGHT, NULL, NULL, 0},
    {'0', ACT_FIRST_COL, "first column", NULL, 0},
    {'^', ACT_FIRST_COL, NULL, NULL, 0},
    {'$', ACT_LAST_COL, "last column", NULL, 0},
    {':', ACT_GOTO, "go to row number", "Go to", KB_HINT},
    {'/', ACT_SEARCH,
     "search this column on the server (text: contains, any case unless "
     "the pattern has a capital; numbers: equal)",
     "Search", KB_HINT},
    {'n', ACT_SEARCH_NEXT, "next match of the search", NULL, 0},
    {'N', ACT_SEARCH_PREV, "previous match of the search", NULL, 0},
    {UI_KEY_ENTER, ACT_OPEN,
     "show the whole cell (frequency view: filter the table to this "
     "value)",
     "Cell", KB_HINT},
    {'c', ACT_COPY, "copy the cell to the clipboard (control characters as escapes)", "Copy",
     KB_HINT},
    {'C', ACT_COPY_RAW, "copy the cell's exact bytes, control characters included", NULL, 0},
    {'s', ACT_SCHEMA, "schema: column names and types", "Schema", KB_HINT},
    {'z', ACT_ZONE, "times in UTC or in the local zone (--tz ZONE), with offsets", NULL, 0},
    {']', ACT_SORT_DESC, "sort by this column, descending (replaces the sort; on the server)",
     "Sort", KB_HINT},
    {'[', ACT_SORT_ASC, "sort by this column, ascending (replaces the sort)", NULL, 0},
    {'}', ACT_SORT_ADD_DESC, "add this column to the sort, descending", NULL, 0},
    {'{', ACT_SORT_ADD_ASC, "add this column to the sort, ascending", NULL, 0},
    {'w', ACT_WHERE, "filter rows with a Deephaven filter (Price > 180 && Sym in `A`, `B`)",
     "Where", KB_HINT},
    {'=', ACT_MATCH, "keep only rows whose cell in this column equals this one", NULL, 0},
    {'!', ACT_EXCLUDE, "drop the rows whose cell in this column equals this one", NULL, 0},
    {'u', ACT_UNDO, "undo the last sort, filter or hidden column", "Undo", KB_HINT},
    {'-', ACT_HIDE_COLUMN,
     "hide this column (a static table: the server drops it; a ticking one: left out of the live "
     "window)",
     NULL, 0},
    {'_', ACT_SHOW_COLUMNS, "show every hidden column again", NULL, 0},
    {'i', ACT_STATS, "statistics of this column, computed by the server", "Stats", KB_HINT},
    {'F', ACT_FREQUENCY, "frequency: rows per value of this column, most first (live)", "Freq",
     KB_HINT},
    {'p', ACT_PUBLISH, "publish this view (sorted, filtered) to a new shared ticket", NULL, 0},
    {'S', ACT_SAVE, "save this view to a file (.csv .tsv .json .jsonl .arrow; Esc cancels)", NULL,
     0},
    {'R', ACT_REFRESH, "reload the visible rows", NULL, 0},
    {UI_KEY_ESC, ACT_BACK, "back", "Back", KB_HINT},
    {'q', ACT_BACK, NULL, NULL, 0},
    /* last: the first hint to go when the line is short */
    {'P', ACT_PAUSE, "pause a ticking table's updates while reading; P again resumes", "Pause",
     KB_HINT},
};

/* A partitioned table's key table: the pager (keymap_partition's parent) and these. */
static const struct key_binding partition_bindings[] = {
    {UI_KEY_ENTER, ACT_OPEN, "open the table of the key on this row (its constituent)", "Open",
     KB_HINT},
    {'M', ACT_MERGE, "open the merged table: every constituent, one after another", "Merged",
     KB_HINT},
};

static const struct key_binding schema_bindings[] = {
    MOVE_BINDINGS,
    {UI_KEY_ESC, ACT_BACK, "back", "Back", KB_HINT},
    {'q', ACT_BACK, NULL, NULL, 0},
    {'s', ACT_BACK, NULL, NULL, 0},
};

static const struct key_binding figure_bindings[] = {
    MOVE_BINDINGS,
    {UI_KEY_ENTER, ACT_OPEN, "open the selected series' table in the pager", "Open table", KB_HINT},
    {'p', ACT_PUBLISH, "publish this figure to a new shared ticket", "Publish", KB_HINT},
    {UI_KEY_ESC, ACT_BACK, "back", "Back", KB_HINT},
    {'q', ACT_BACK, NULL, NULL, 0},
};

/* A file manager's tree: Space toggles (it pages elsewhere). */
static const struct key_binding tree_bindings[] = {
    {UI_KEY_UP, ACT_UP, "move up", NULL, 0},
    {'k', ACT_UP, NULL, NULL, 0},
    {UI_KEY_DOWN, ACT_DOWN, "move down", NULL, 0},
    {'j', ACT_DOWN, NULL, NULL, 0},
    {UI_KEY_PPAGE, ACT_PAGE_UP, "page up", NULL, 0},
    {UI_KEY_NPAGE, ACT_PAGE_DOWN, "page down", NULL, 0},
    {UI_KEY_HOME, ACT_TOP, "first row", NULL, 0},
    {'g', ACT_TOP, NULL, NULL, 0},
    {UI_KEY_END, ACT_BOTTOM, "last row", NULL, 0},
    {'G', ACT_BOTTOM, NULL, NULL, 0},
    {UI_KEY_ENTER, ACT_OPEN, "expand or collapse the row", "Expand/collapse", KB_HINT},
    {' ', ACT_OPEN, NULL, NULL, 0},
    {UI_KEY_RIGHT, ACT_RIGHT, "expand the row; on an expanded row, go to its first child", "Open",
     0},
    {'l', ACT_RIGHT, NULL, NULL, 0},
    {UI_KEY_LEFT, ACT_LEFT, "collapse the row; on a closed row or a leaf, go to its parent",
     "Close", 0},
    {'h', ACT_LEFT, NULL, NULL, 0},
    {'p', ACT_PUBLISH, "publish this table to a new shared ticket", "Publish", KB_HINT},
    {'P', ACT_PAUSE, "pause a live tree's updates while reading; P again resumes", NULL, 0},
    {UI_KEY_ESC, ACT_BACK, "back", "Back", KB_HINT},
    {'q', ACT_BACK, NULL, NULL, 0},
};

static const struct key_binding help_bindings[] = {
    MOVE_BINDINGS,
    {'/', ACT_SEARCH, "search the help (any case)", "Search", KB_HINT},
    {'n', ACT_SEARCH_NEXT, "next match", NULL, 0},
    {'N', ACT_SEARCH_PREV, "previous match", NULL, 0},
    {UI_KEY_ESC, ACT_BACK, "close help", "Back", KB_HINT},
    {'q', ACT_BACK, NULL, NULL, 0},
    {'?', ACT_BACK, NULL, NULL, 0},
};

static const struct key_binding popup_bindings[] = {
    MOVE_BINDINGS,
    {'c', ACT_COPY, "copy the text to the clipboard (control characters as escapes)", "Copy",
     KB_HINT},
    {'C', ACT_COPY_RAW, "copy the text's exact bytes, control characters included", NULL, 0},
    {UI_KEY_ESC, ACT_BACK, "close", "Close", KB_HINT},
    {'q', ACT_BACK, NULL, NULL, 0},
    {UI_KEY_ENTER, ACT_BACK, NULL, NULL, 0},
};

static const struct key_binding publish_bindings[] = {
    {'c', ACT_COPY, "copy the ticket again (OSC 52, tmux, wl-copy/xclip)", "Copy", KB_HINT},
    {UI_KEY_ENTER, ACT_BACK, "close", "Close", KB_HINT},
    {UI_KEY_ESC, ACT_BACK, NULL, NULL, 0},
    {'q', ACT_BACK, NULL, NULL, 0},
};

static const struct key_binding confirm_bindings[] = {
    {'y', ACT_YES, "yes", "Yes", KB_HINT}, {'Y', ACT_YES, NULL, NULL, 0},
    {'n', ACT_NO, "no", "No", KB_HINT},    {'N', ACT_NO, NULL, NULL, 0},
    {UI_KEY_ESC, ACT_NO, NULL, NULL, 0},   {'q', ACT_NO, NULL, NULL, 0},
};

/* Documentation only: the prompt hands keys to readline (emacs bindings). */
static const struct key_binding prompt_bindings[] = {
    {UI_KEY_ENTER, ACT_OPEN, "accept", "Accept", KB_HINT},
    {UI_KEY_ESC, ACT_BACK, "cancel (the filter prompt: clear the filter)", "Cancel", KB_HINT},
    {UI_KEY_UP, ACT_UP, "previous ticket from the history", NULL, 0},
    {UI_KEY_DOWN, ACT_DOWN, "next ticket from the history", NULL, 0},
};

const struct keymap keymap_global = {"global", "Everywhere", global_bindings,
                                     sizeof global_bindings / sizeof global_bindings[0], NULL};
const struct keymap keymap_objects = {"objects", "Object list", objects_bindings,
                                      sizeof objects_bindings / sizeof objects_bindings[0], NULL};
const struct keymap keymap_tickets = {"tickets", "Tickets panel", tickets_bindings,
                                      sizeof tickets_bindings / sizeof tickets_bindings[0], NULL};
const struct keymap keymap_pager = {"pager", "Table pager", pager_bindings,
                                    sizeof pager_bindings / sizeof pager_bindings[0], NULL};
const struct keymap keymap_partition = {
    "partition", "Partitioned table keys (and every pager key)", partition_bindings,
    sizeof partition_bindings / sizeof partition_bindings[0], &keymap_pager};
const struct keymap keymap_schema = {"schema", "Schema", schema_bindings,
                                     sizeof schema_bindings / sizeof schema_bindings[0], NULL};
const struct keymap keymap_figure = {"figure", "Figure view", figure_bindings,
                                     sizeof figure_bindings / sizeof figure_bindings[0], NULL};
const struct keymap keymap_tree = {"tree", "Tree view (rollups and trees)", tree_bindings,
                                   sizeof tree_bindings / sizeof tree_bindings[0], NULL};
const struct keymap keymap_help = {"help", "Help", help_bindings,
                                   sizeof help_bindings / sizeof help_bindings[0], NULL};
const struct keymap keymap_popup = {"popup", "Cell and info pop-ups", popup_bindings,
                                    sizeof popup_bindings / sizeof popup_bindings[0], NULL};
const struct keymap keymap_publish = {"publish", "Publish dialog", publish_bindings,
                                      sizeof publish_bindings / sizeof publish_bindings[0], NULL};
const struct keymap keymap_confirm = {"confirm", "Questions", confirm_bindings,
                                      sizeof confirm_bindings / sizeof confirm_bindings[0], NULL};
const struct keymap keymap_prompt = {"prompt", "Input line (readline: emacs keys, ^A ^E ^K ^U ^W)",
                                     prompt_bindings,
                                     sizeof prompt_bindings / sizeof prompt_bindings[0], NULL};

const struct keymap *const keymap_all[] = {
    &keymap_global,  &keymap_objects,
    &keymap_pager,   &keymap_partition,
    &keymap_tickets, &keymap_figure,
    &keymap_tree,    &keymap_schema,
    &keymap_popup,   &keymap_publish,
    &keymap_confirm, &keymap_prompt,
    &keymap_help,    NULL,
};

/* First binding of key in km. */
enum ui_action keymap_lookup(const struct keymap *km, int key)
{
    for (; km; km = km->parent) {
        for (size_t i = 0; i < km->n; i++) {
            if (km->bindings[i].key == key)
                return km->bindings[i].action;
        }
    }
    return ACT_NONE;
}

/* Names of the function keys we bind. */
static const char *fn_key_name(int key)
{
    switch (key) {
    case UI_KEY_UP: return "Up";
    case UI_KEY_DOWN: return "Down";
    case UI_KEY_LEFT: return "Left";
    case UI_KEY_RIGHT: return "Right";
    case UI_KEY_PPAGE: return "PgUp";
    case UI_KEY_NPAGE: return "PgDn";
    case UI_KEY_HOME: return "Home";
    case UI_KEY_END: return "End";
    case UI_KEY_BACKSPACE: return "Bksp";
    case UI_KEY_DC: return "Del";
    case UI_KEY_F1: return "F1";
    case UI_KEY_ENTER: return "Enter";
    case UI_KEY_ESC: return "Esc";
    case UI_KEY_TAB: return "Tab";
    case ' ': return "Space";
    default: return NULL;
    }
}

/* Readable key names for help and hints. */
const char *keymap_key_name(int key, char *buf, size_t n)
{
    const char *fixed = fn_key_name(key);
    if (n == 0)
        return buf;
    if (fixed)
        snprintf(buf, n, "%s", fixed);
    else if (key > UI_KEY_F1 && key < UI_KEY_F1 + 12)
        snprintf(buf, n, "F%d", key - UI_KEY_F1 + 1);
    else if (key > 0 && key < 32)
        snprintf(buf, n, "^%c", (char)(key + '@'));
    else if (key >= 32 && key < 127)
        snprintf(buf, n, "%c", (char)key);
    else
        snprintf(buf, n, "key %d", key);
    return buf;
}
