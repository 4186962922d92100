/* SPDX-License-Identifier: MIT */
/* keybind: the [keys] section: parsing key and action names, and translating user keys. */
#include "keybind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The name of every action in [keys]; test_keybind checks that each action a key table
 * binds has one. */
static const struct {
    enum ui_action action;
    const char *name;
} action_names[] = {
    {ACT_UP, "up"},
    {ACT_DOWN, "down"},
    {ACT_PAGE_UP, "page_up"},
    {ACT_PAGE_DOWN, "page_down"},
    {ACT_TOP, "top"},
    {ACT_BOTTOM, "bottom"},
    {ACT_LEFT, "left"},
    {ACT_RIGHT, "right"},
    {ACT_FIRST_COL, "first_column"},
    {ACT_LAST_COL, "last_column"},
    {ACT_OPEN, "open"},
    {ACT_BACK, "back"},
    {ACT_QUIT, "quit"},
    {ACT_QUIT_NOW, "quit_now"},
    {ACT_HELP, "help"},
    {ACT_REDRAW, "redraw"},
    {ACT_FILTER, "filter"},
    {ACT_PUBLISH, "publish"},
    {ACT_FETCH, "fetch"},
    {ACT_TICKETS, "tickets"},
    {ACT_RELEASE, "release"},
    {ACT_COPY, "copy"},
    {ACT_SCHEMA, "schema"},
    {ACT_GOTO, "goto"},
    {ACT_REFRESH, "refresh"},
    {ACT_YES, "yes"},
    {ACT_NO, "no"},
    {ACT_MESSAGES, "messages"},
    {ACT_COPY_RAW, "copy_raw"},
    {ACT_ZONE, "zone"},
    {ACT_CREDENTIAL, "credential"},
    {ACT_SORT_ASC, "sort_asc"},
    {ACT_SORT_DESC, "sort_desc"},
    {ACT_SORT_ADD_ASC, "sort_add_asc"},
    {ACT_SORT_ADD_DESC, "sort_add_desc"},
    {ACT_WHERE, "where"},
    {ACT_MATCH, "match"},
    {ACT_EXCLUDE, "exclude"},
    {ACT_UNDO, "undo"},
    {ACT_SEARCH, "search"},
    {ACT_SEARCH_NEXT, "search_next"},
    {ACT_SEARCH_PREV, "search_prev"},
    {ACT_HIDE_COLUMN, "hide_column"},
    {ACT_SHOW_COLUMNS, "show_columns"},
    {ACT_STATS, "stats"},
    {ACT_FREQUENCY, "frequency"},
    {ACT_REMOVE, "remove"},
    {ACT_SAVE, "save"},
    {ACT_PAUSE, "pause"},
    {ACT_MERGE, "merge"},
};

const char *keymap_action_name(enum ui_action a)
{
    for (size_t i = 0; i < sizeof action_names / sizeof action_names[0]; i++)
        if (action_names[i].action == a)
            return action_names[i].name;
    return NULL;
}

/* The keys with a name of more than one character (their curses codes). */
static const struct {
    const char *name;
    int key;
} key_names[] = {
    {"Enter", UI_KEY_ENTER},    {"Esc", UI_KEY_ESC},
    {"Tab", UI_KEY_TAB},        {"Space", ' '},
    {"Up", UI_KEY_UP},          {"Down", UI_KEY_DOWN},
    {"Left", UI_KEY_LEFT},      {"Right", UI_KEY_RIGHT},
    {"PgUp", UI_KEY_PPAGE},     {"PgDn", UI_KEY_NPAGE},
    {"Home", UI_KEY_HOME},      {"End", UI_KEY_END},
    {"Bksp", UI_KEY_BACKSPACE}, {"Del", UI_KEY_DC},
};

int keymap_key_parse(const char *s)
{
    size_t n = strlen(s);
    if (n == 1 && s[0] > ' ' && s[0] < 127)
        return s[0];
    if (n == 2 && s[0] == '^' && s[1] >= '@' && s[1] <= '_')
        return s[1] - '@';
    if (n == 2 && s[0] == '^' && s[1] >= 'a' && s[1] <= 'z')
        return s[1] - 'a' + 1;
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (strcasecmp(s, key_names[i].name) == 0)
            return key_names[i].key;
    if ((s[0] == 'F' || s[0] == 'f') && n >= 2 && n <= 3) {
        char *end = NULL;
        long f = strtol(s + 1, &end, 10);
        if (*end == '\0' && f >= 1 && f <= 12)
            return UI_KEY_F1 + (int)f - 1;
    }
    return -1;
}

/* The key table called name, or NULL. */
static const struct keymap *table_named(const char *name, size_t len)
{
    for (size_t i = 0; keymap_all[i]; i++)
        if (strlen(keymap_all[i]->name) == len && strncmp(keymap_all[i]->name, name, len) == 0)
            return keymap_all[i];
    return NULL;
}

/* The first built-in binding of action in km, or NULL. */
static const struct key_binding *first_binding(const struct keymap *km, enum ui_action a)
{
    for (size_t i = 0; i < km->n; i++)
        if (km->bindings[i].action == a)
            return &km->bindings[i];
    return NULL;
}

/* "sort_asc, sort_desc, ...": the actions km binds, cut to fit buf. */
static void actions_of(const struct keymap *km, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < km->n && o < n; i++) {
        const char *name = keymap_action_name(km->bindings[i].action);
        if (!name || first_binding(km, km->bindings[i].action) != &km->bindings[i])
            continue;
        int w = snprintf(buf + o, n - o, "%s%s", o ? ", " : "", name);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

/* The table and action of a [keys] name "TABLE.ACTION": the built-in binding, or NULL
 * with why. */
static const struct key_binding *binding_named(const char *name, const struct keymap **km,
                                               char *why, size_t whylen)
{
    const char *dot = strchr(name, '.');
    *km = dot ? table_named(name, (size_t)(dot - name)) : NULL;
    if (!*km) {
        snprintf(why, whylen,
                 "'%.40s' is not TABLE.ACTION with a TABLE of global, objects, pager, tickets, "
                 "figure, schema, popup, publish, confirm, help",
                 name);
        return NULL;
    }
    for (size_t i = 0; i < (*km)->n; i++) {
        const char *an = keymap_action_name((*km)->bindings[i].action);
        if (an && strcmp(an, dot + 1) == 0)
            return &(*km)->bindings[i];
    }
    char acts[400];
    actions_of(*km, acts, sizeof acts);
    snprintf(why, whylen, "unknown action '%.40s' in table %s (%s)", dot + 1, (*km)->name, acts);
    return NULL;
}

static int push(struct keybinds *kb, struct keybind b)
{
    struct keybind *grown = realloc(kb->v, (kb->n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    kb->v = grown;
    kb->v[kb->n++] = b;
    return 0;
}

int keybinds_add(struct keybinds *kb, const char *name, const char *value, char *why, size_t whylen)
{
    const struct keymap *km = NULL;
    const struct key_binding *b = binding_named(name, &km, why, whylen);
    if (!b)
        return -1;
    char copy[256];
    if (snprintf(copy, sizeof copy, "%s", value) >= (int)sizeof copy) {
        snprintf(why, whylen, "too many keys for %.40s", name);
        return -1;
    }
    int added = 0;
    char *save = NULL;
    for (char *k = strtok_r(copy, " \t", &save); k; k = strtok_r(NULL, " \t", &save)) {
        int key = keymap_key_parse(k);
        if (key < 0) {
            snprintf(why, whylen,
                     "'%.20s' is not a key (a character, ^X, Enter, Esc, Tab, Space, Up, Down, "
                     "Left, Right, PgUp, PgDn, Home, End, Bksp, Del, F1..F12)",
                     k);
            return -1;
        }
        if (push(kb, (struct keybind){km, key, b->key, b->action}) != 0) {
            snprintf(why, whylen, "out of memory");
            return -1;
        }
        added++;
    }
    if (!added) {
        snprintf(why, whylen, "no key given for %.40s", name);
        return -1;
    }
    return 0;
}

void keybinds_clear(struct keybinds *kb)
{
    if (!kb)
        return;
    free(kb->v);
    kb->v = NULL;
    kb->n = 0;
}

int keybinds_translate(const struct keybinds *kb, const struct keymap *km, int key)
{
    /* The last line of the file wins, as for every other key of the file; a
     * table's own lines before its parent's (keymap.h). */
    for (; km; km = km->parent)
        for (size_t i = kb ? kb->n : 0; i-- > 0;)
            if (kb->v[i].km == km && kb->v[i].key == key)
                return kb->v[i].target_key;
    return key;
}

int keybinds_shown_key(const struct keybinds *kb, const struct keymap *km,
                       const struct key_binding *b)
{
    for (size_t i = 0; kb && i < kb->n; i++)
        if (kb->v[i].km == km && kb->v[i].action == b->action)
            return kb->v[i].key;
    return b->key;
}
