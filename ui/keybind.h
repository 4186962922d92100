/* SPDX-License-Identifier: MIT */
/* keybind: the user's own key bindings, the [keys] section of the configuration file:
 *
 *   [keys]
 *   pager.sort_desc = >        TABLE.ACTION = KEY [KEY ...]
 *   global.quit_now = ^X
 *   objects.open = l Right
 *
 * TABLE is a key table's name (keymap.h: global, objects, pager, tickets, figure, schema,
 * popup, publish, confirm, help) and ACTION an action that table already binds
 * ("sort_desc"). A user key is added in front of the built-in ones: it runs the action in
 * that table whatever it did before, and the built-in keys keep working. Names of keys
 * are those help shows: a character, ^X, Enter, Esc, Tab, Space, Up, Down, Left, Right,
 * PgUp, PgDn, Home, End, Bksp, Del, F1..F12.
 *
 * A user key is translated to the table's first built-in key for the action, so every
 * view sees the keys it knows. Owned by the configuration (config_file.h). UI thread. */
#ifndef DHTUI_KEYBIND_H
#define DHTUI_KEYBIND_H

#include <stddef.h>

#include "keymap.h"

struct keybind {
    const struct keymap *km;
    int key;        /* the user's key */
    int target_key; /* the built-in key of the same action in km */
    enum ui_action action;
};

/* The user's bindings; zero-initialised is empty. */
struct keybinds {
    struct keybind *v;
    size_t n;
};

/* Add the bindings of one [keys] line: name "TABLE.ACTION", value one or more key names
 * separated by blanks. 0, or -1 with a lower-case fragment in why ("unknown action
 * 'srot' in table pager (sort_asc, sort_desc, ...)"). */
int keybinds_add(struct keybinds *kb, const char *name, const char *value, char *why,
                 size_t whylen);

/* Free the bindings (the struct itself is the caller's). NULL-safe. */
void keybinds_clear(struct keybinds *kb);

/* The key to hand the views for key pressed in table km: the built-in key of the action
 * the user bound key to there, else key itself. kb may be NULL. */
int keybinds_translate(const struct keybinds *kb, const struct keymap *km, int key);

/* The user's first key for binding b of km, or b->key when the user bound none: what help
 * and the hint line show. kb may be NULL. */
int keybinds_shown_key(const struct keybinds *kb, const struct keymap *km,
                       const struct key_binding *b);

/* The key named s ("q", "^L", "PgDn", "F5"), or -1. */
int keymap_key_parse(const char *s);

/* The action's name in [keys] ("sort_desc"), or NULL. */
const char *keymap_action_name(enum ui_action a);

#endif
