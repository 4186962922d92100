/* SPDX-License-Identifier: MIT */
/* test_keybind.c: the user's key bindings ([keys], ui/keybind.c): key and action names,
 * translation to the built-in keys, what help and hints show, and errors. */
#include <stdio.h>
#include <string.h>

#include "check.h"

#include "../../ui/keybind.c"
#include "../../ui/keymap.c"

/* Every key a table binds has a name that reads back as the same key, and every action
 * a table binds has a [keys] name (a new action without one fails here). */
static void test_names_cover_the_tables(void)
{
    for (size_t m = 0; keymap_all[m]; m++) {
        const struct keymap *km = keymap_all[m];
        for (size_t i = 0; i < km->n; i++) {
            const struct key_binding *b = &km->bindings[i];
            char name[16];
            keymap_key_name(b->key, name, sizeof name);
            if (keymap_key_parse(name) != b->key)
                fprintf(stderr, "  key '%s' of table %s does not read back\n", name, km->name);
            CHECK(keymap_key_parse(name) == b->key);
            if (!keymap_action_name(b->action))
                fprintf(stderr, "  action %d of table %s has no name\n", (int)b->action, km->name);
            CHECK(keymap_action_name(b->action) != NULL);
        }
    }
}

static void test_key_names(void)
{
    CHECK(keymap_key_parse("q") == 'q');
    CHECK(keymap_key_parse("^L") == UI_KEY_CTRL_L);
    CHECK(keymap_key_parse("^l") == UI_KEY_CTRL_L);
    CHECK(keymap_key_parse("pgdn") == UI_KEY_NPAGE);
    CHECK(keymap_key_parse("F12") == UI_KEY_F1 + 11);
    CHECK(keymap_key_parse("F13") == -1);
    CHECK(keymap_key_parse("") == -1);
    CHECK(keymap_key_parse("qq") == -1);
    CHECK(keymap_key_parse(" ") == -1); /* a blank is Space */
    char name[16];
    CHECK_STR(keymap_key_name(keymap_key_parse("F4"), name, sizeof name), "F4");
    CHECK_STR(keymap_key_name(keymap_key_parse("^X"), name, sizeof name), "^X");
    CHECK_STR(keymap_key_name(keymap_key_parse("space"), name, sizeof name), "Space");
}

static void test_translate_and_show(void)
{
    struct keybinds kb = {0};
    char why[256] = "";
    CHECK_REQ(keybinds_add(&kb, "pager.sort_desc", "> F5", why, sizeof why) == 0);
    CHECK_REQ(keybinds_add(&kb, "pager.schema", "S", why, sizeof why) == 0); /* was save */
    CHECK(keybinds_translate(&kb, &keymap_pager, '>') == ']');
    CHECK(keybinds_translate(&kb, &keymap_pager, 'S') == 's');
    CHECK(keybinds_translate(&kb, &keymap_pager, ']') == ']'); /* built-in keys still work */
    CHECK(keybinds_translate(&kb, &keymap_objects, '>') == '>');
    CHECK(keybinds_translate(NULL, &keymap_pager, '>') == '>');
    const struct key_binding *sort = NULL;
    for (size_t i = 0; i < keymap_pager.n; i++)
        if (keymap_pager.bindings[i].action == ACT_SORT_DESC)
            sort = &keymap_pager.bindings[i];
    CHECK_REQ(sort != NULL);
    CHECK(keybinds_shown_key(&kb, &keymap_pager, sort) == '>');
    CHECK(keybinds_shown_key(NULL, &keymap_pager, sort) == ']');
    keybinds_clear(&kb);
    CHECK(kb.n == 0 && kb.v == NULL);
}

static void test_errors(void)
{
    struct keybinds kb = {0};
    char why[256] = "";
    CHECK(keybinds_add(&kb, "pager.sort", ">", why, sizeof why) == -1);
    CHECK(strstr(why, "unknown action 'sort' in table pager (") == why);
    CHECK(strstr(why, "page_down") != NULL);
    CHECK(keybinds_add(&kb, "objects.sort_desc", ">", why, sizeof why) == -1); /* not there */
    CHECK(keybinds_add(&kb, "sort_desc", ">", why, sizeof why) == -1);
    CHECK(strstr(why, "is not TABLE.ACTION") != NULL);
    CHECK(keybinds_add(&kb, "pager.sort_desc", "> Hyper", why, sizeof why) == -1);
    CHECK(strstr(why, "'Hyper' is not a key") == why);
    CHECK(kb.n <= 1);
    keybinds_clear(&kb);
}

int main(void)
{
    CHECK_RUN(T(test_names_cover_the_tables), T(test_key_names), T(test_translate_and_show),
              T(test_errors));
}
