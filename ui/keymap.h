/* SPDX-License-Identifier: MIT */
/* keymap: key bindings as data (table, key, action, help note), like tmux's
 * key tables with -N notes. Views look actions up here; the help view and the
 * key-hint line are generated from the same tables. */
#ifndef DHTUI_KEYMAP_H
#define DHTUI_KEYMAP_H

#include <stddef.h>

#include <curses.h>

/* Keys are Unicode code points for characters and UI_KEYFN + a curses KEY_*
 * code for function keys, so the two never collide. */
enum {
    UI_KEYFN = 0x200000,
    UI_KEY_CTRL_C = 3,
    UI_KEY_CTRL_L = 12,
    UI_KEY_CTRL_Z = 26,
    UI_KEY_TAB = 9,
    UI_KEY_ENTER = 13, /* CR, LF and KEY_ENTER are all read as this */
    UI_KEY_ESC = 27,
    UI_KEY_UP = UI_KEYFN + KEY_UP,
    UI_KEY_DOWN = UI_KEYFN + KEY_DOWN,
    UI_KEY_LEFT = UI_KEYFN + KEY_LEFT,
    UI_KEY_RIGHT = UI_KEYFN + KEY_RIGHT,
    UI_KEY_PPAGE = UI_KEYFN + KEY_PPAGE,
    UI_KEY_NPAGE = UI_KEYFN + KEY_NPAGE,
    UI_KEY_HOME = UI_KEYFN + KEY_HOME,
    UI_KEY_END = UI_KEYFN + KEY_END,
    UI_KEY_BACKSPACE = UI_KEYFN + KEY_BACKSPACE,
    UI_KEY_DC = UI_KEYFN + KEY_DC,
    UI_KEY_F1 = UI_KEYFN + KEY_F0 + 1,
    UI_KEY_RESIZE = UI_KEYFN + KEY_RESIZE,
    /* Our own codes (defined with define_key and by signal handling). */
    UI_KEY_PASTE_BEGIN = UI_KEYFN + KEY_MAX + 1, /* ESC [ 200 ~ */
    UI_KEY_PASTE_END = UI_KEYFN + KEY_MAX + 2,   /* ESC [ 201 ~ */
    UI_KEY_INTERRUPT = UI_KEYFN + KEY_MAX + 3,   /* SIGINT (Ctrl-C) */
    UI_KEY_ALT = 0x400000,                       /* ESC then a key: UI_KEY_ALT + key */
};

/* What a key does. Views interpret the actions they know. */
enum ui_action {
    ACT_NONE = 0,
    ACT_UP,
    ACT_DOWN,
    ACT_PAGE_UP,
    ACT_PAGE_DOWN,
    ACT_TOP,
    ACT_BOTTOM,
    ACT_LEFT,
    ACT_RIGHT,
    ACT_FIRST_COL,
    ACT_LAST_COL,
    ACT_OPEN,
    ACT_BACK,
    ACT_QUIT,
    ACT_QUIT_NOW,
    ACT_HELP,
    ACT_REDRAW,
    ACT_FILTER,
    ACT_PUBLISH,
    ACT_FETCH,
    ACT_TICKETS,
    ACT_RELEASE,
    ACT_COPY,
    ACT_SCHEMA,
    ACT_GOTO,
    ACT_REFRESH,
    ACT_YES,
    ACT_NO,
    ACT_MESSAGES,
    ACT_COPY_RAW,
    ACT_ZONE,
    ACT_CREDENTIAL,
    ACT_SORT_ASC,
    ACT_SORT_DESC,
    ACT_SORT_ADD_ASC,
    ACT_SORT_ADD_DESC,
    ACT_WHERE,
    ACT_MATCH,
    ACT_EXCLUDE,
    ACT_UNDO,
    ACT_SEARCH,
    ACT_SEARCH_NEXT,
    ACT_SEARCH_PREV,
    ACT_HIDE_COLUMN,
    ACT_SHOW_COLUMNS,
    ACT_STATS,
    ACT_FREQUENCY,
    ACT_REMOVE,
    ACT_SAVE,
    ACT_PAUSE,
    ACT_MERGE,
};

/* Binding flags. */
enum {
    KB_HINT = 1, /* show this binding in the key-hint line */
};

/* One binding. */
struct key_binding {
    int key;
    enum ui_action action;
    const char *help; /* one short phrase for the help view; NULL = same action as above */
    const char *hint; /* a word for the key-hint line (KB_HINT) */
    unsigned flags;
};

/* A named table of bindings. */
struct keymap {
    const char *name;  /* "objects", "pager", ... */
    const char *title; /* heading in the help view */
    const struct key_binding *bindings;
    size_t n;
    /* Keys this table does not bind act as in parent (NULL: none): a view that
     * is another with a few more keys. */
    const struct keymap *parent;
};

extern const struct keymap keymap_global;
extern const struct keymap keymap_objects;
extern const struct keymap keymap_tickets;
extern const struct keymap keymap_pager;
extern const struct keymap keymap_partition;
extern const struct keymap keymap_schema;
extern const struct keymap keymap_figure;
extern const struct keymap keymap_tree;
extern const struct keymap keymap_help;
extern const struct keymap keymap_popup;
extern const struct keymap keymap_publish;
extern const struct keymap keymap_confirm;
extern const struct keymap keymap_prompt;

/* All tables in help order; NULL-terminated. */
extern const struct keymap *const keymap_all[];

/* The action bound to key in km (or, unbound there, in its parents), or
 * ACT_NONE. km may be NULL. UI thread. */
enum ui_action keymap_lookup(const struct keymap *km, int key);

/* Write a short readable name for key ("Enter", "PgDn", "^L", "q") into
 * buf[0..n). Returns buf. UI thread. */
const char *keymap_key_name(int key, char *buf, size_t n);

#endif
