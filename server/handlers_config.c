/* SPDX-License-Identifier: MIT */
/* handlers_config: ConfigService (authentication and configuration constants). */

#include "handlers_internal.h"

#include <stdio.h>

#include "deephaven_core/proto/config.pb-c.h"

/* Reported as configuration constants (dh-defaults.prop client.configuration.list). */
#define DEMO_DEEPHAVEN_VERSION "42.4"
#define DEMO_BARRAGE_VERSION "1.0.0" /* deephaven-core gradle/libs.versions.toml */

/* One string entry of a config map (both responses share the entry layout). */
struct config_entry {
    DHPB(ConfigurationConstantsResponse__ConfigValuesEntry) entry;
    DHPB(ConfigValue) value;
};

static void config_entry_set(struct config_entry *e, const char *key, const char *value)
{
    DHPB(ConfigurationConstantsResponse__ConfigValuesEntry)
    e0 = DHPB_INIT(CONFIGURATION_CONSTANTS_RESPONSE__CONFIG_VALUES_ENTRY);
    DHPB(ConfigValue) v0 = DHPB_INIT(CONFIG_VALUE);
    e->entry = e0;
    e->value = v0;
    e->value.kind_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONFIG_VALUE__KIND_STRING_VALUE;
    e->value.string_value = (char *)value;
    e->entry.key = (char *)key;
    e->entry.value = &e->value;
}

/* ConfigServiceGrpcImpl.getAuthenticationConstants: no session needed. */
static void h_get_auth_constants(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    DHPB(AuthenticationConstantsResponse__ConfigValuesEntry)
    entry = DHPB_INIT(AUTHENTICATION_CONSTANTS_RESPONSE__CONFIG_VALUES_ENTRY);
    DHPB(ConfigValue) value = DHPB_INIT(CONFIG_VALUE);
    value.kind_case = IO__DEEPHAVEN__PROTO__BACKPLANE__GRPC__CONFIG_VALUE__KIND_STRING_VALUE;
    value.string_value = (char *)demo_registry_auth_handlers(x->app->reg);
    entry.key = (char *)"AuthHandlers";
    entry.value = &value;
    DHPB(AuthenticationConstantsResponse__ConfigValuesEntry) * entries[] = {&entry};
    DHPB(AuthenticationConstantsResponse) resp = DHPB_INIT(AUTHENTICATION_CONSTANTS_RESPONSE);
    resp.n_config_values = 1;
    resp.config_values = entries;
    call_reply(x, &resp.base);
}

/* ConfigServiceGrpcImpl.getConfigurationConstants (client.configuration.list subset). */
static void h_get_config_constants(struct call_ctx *x, const uint8_t *req, size_t len)
{
    (void)req;
    (void)len;
    if (call_need_session(x) != 0)
        return;
    char duration[32];
    snprintf(duration, sizeof duration, "%lld", (long long)demo_registry_duration(x->app->reg));
    struct config_entry e[3];
    config_entry_set(&e[0], "deephaven.version", DEMO_DEEPHAVEN_VERSION);
    config_entry_set(&e[1], "barrage.version", DEMO_BARRAGE_VERSION);
    config_entry_set(&e[2], "http.session.durationMs", duration);
    DHPB(ConfigurationConstantsResponse__ConfigValuesEntry) *
        entries[] = {&e[0].entry, &e[1].entry, &e[2].entry};
    DHPB(ConfigurationConstantsResponse) resp = DHPB_INIT(CONFIGURATION_CONSTANTS_RESPONSE);
    resp.n_config_values = 3;
    resp.config_values = entries;
    call_reply(x, &resp.base);
}

const struct method config_methods[] = {
    {DH_SVC("ConfigService", "GetAuthenticationConstants"), UNARY, h_get_auth_constants,
     &DHPB_DESC(authentication_constants_request)},
    {DH_SVC("ConfigService", "GetConfigurationConstants"), UNARY, h_get_config_constants,
     &DHPB_DESC(configuration_constants_request)},
    {NULL, 0, NULL, NULL},
};
