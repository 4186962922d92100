/* SPDX-License-Identifier: MIT */
/* test_express: plot-express figure documents into the dh_figure model
 * (dh_express), in the shapes the plugin sends. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dh_express.h"

/* px.line(t, x="Timestamp", y="Price", color="Sym") with two keys: a trace
 * per key, each from its own table (ids 0 and 1, sent in that order), then a
 * pie trace, which is not drawn. */
static const char line_by_sym[] =
    "{\"type\":\"NEW_FIGURE\",\"revision\":1,\"new_references\":[0,1],"
    "\"removed_references\":[],\"figure\":{\"plotly\":{\"data\":["
    "{\"type\":\"scatter\",\"mode\":\"lines\",\"name\":\"AAPL\",\"x\":[],\"y\":[]},"
    "{\"type\":\"scattergl\",\"mode\":\"lines\",\"name\":\"MSFT\",\"x\":[],\"y\":[]},"
    "{\"type\":\"pie\",\"name\":\"share\"}],"
    "\"layout\":{\"title\":{\"text\":\"Prices\"},\"xaxis\":{\"title\":{\"text\":\"Time\"}},"
    "\"yaxis\":{\"title\":\"Price ($)\"}}},"
    "\"deephaven\":{\"mappings\":["
    "{\"table\":0,\"data_columns\":{\"Timestamp\":[\"/plotly/data/0/x\"],"
    "\"Price\":[\"/plotly/data/0/y\"]}},"
    "{\"table\":1,\"data_columns\":{\"Timestamp\":[\"/plotly/data/1/x\"],"
    "\"Price\":[\"/plotly/data/1/y\"]}}],"
    "\"is_user_set_template\":false,\"is_user_set_color\":false}}}";

static void test_line_by(void)
{
    struct dh_figure *f = NULL;
    struct dh_error err;
    CHECK_INT(dh_express_decode((const uint8_t *)line_by_sym, strlen(line_by_sym), &f, &err),
              DH_OK);
    CHECK_REQ(f);
    CHECK(f->is_express);
    CHECK_STR(f->title, "Prices");
    CHECK_REQ(f->n_charts == 1 && f->charts[0].n_series == 3);
    const struct dh_figure_series *s = f->charts[0].series;
    CHECK_STR(s[0].name, "AAPL");
    CHECK_INT(s[0].plot_style, 2);
    CHECK_STR(s[0].x_column, "Timestamp");
    CHECK_STR(s[0].y_column, "Price");
    CHECK_STR(s[0].x_axis_label, "Time");
    CHECK_STR(s[0].y_axis_label, "Price ($)");
    CHECK_INT(s[0].table_index, 0);
    CHECK_INT(s[0].partitioned_index, -1);
    CHECK_STR(s[1].name, "MSFT");
    CHECK_INT(s[1].plot_style, 2);
    CHECK_INT(s[1].table_index, 1);
    CHECK_INT(s[2].plot_style, -1);
    CHECK_INT(s[2].table_index, -1);
    CHECK_REQ(f->n_errors == 1);
    CHECK(strstr(f->errors[0], "Trace 3 (pie) is not drawn") != NULL);
    dh_figure_free(f);
}

/* Scatter (markers) and bar; new_references that are not positions (a later
 * revision's ids), and an older plugin's bare document. */
static void test_styles_and_ids(void)
{
    const char doc[] =
        "{\"type\":\"NEW_FIGURE\",\"new_references\":[7,5],\"figure\":{\"plotly\":{\"data\":["
        "{\"type\":\"scatter\",\"mode\":\"markers\",\"name\":\"pts\"},"
        "{\"type\":\"bar\",\"name\":\"vol\"}],\"layout\":{}},"
        "\"deephaven\":{\"mappings\":["
        "{\"table\":5,\"data_columns\":{\"A\":[\"/plotly/data/0/x\"],\"B\":[\"/plotly/data/0/"
        "y\"]}},"
        "{\"table\":7,\"data_columns\":{\"Sym\":[\"/plotly/data/1/x\"],"
        "\"Size\":[\"/plotly/data/1/y\",\"/plotly/data/1/text\"]}},"
        "{\"table\":9,\"data_columns\":{\"Q\":[\"/plotly/data/9/y\"]}}]}}}";
    struct dh_figure *f = NULL;
    CHECK_INT(dh_express_decode((const uint8_t *)doc, strlen(doc), &f, NULL), DH_OK);
    CHECK_REQ(f && f->charts[0].n_series == 2);
    const struct dh_figure_series *s = f->charts[0].series;
    CHECK_INT(s[0].plot_style, 8);
    CHECK_INT(s[0].table_index, 1); /* id 5 is the second reference */
    CHECK_STR(s[0].x_column, "A");
    CHECK_INT(s[1].plot_style, 0);
    CHECK_INT(s[1].table_index, 0);
    CHECK_STR(s[1].y_column, "Size");
    CHECK_STR(f->title, "");
    dh_figure_free(f);

    const char bare[] = "{\"plotly\":{\"data\":[{\"y\":[1,2]}],\"layout\":{\"title\":\"T\"}},"
                        "\"deephaven\":{\"mappings\":[{\"table\":0,\"data_columns\":"
                        "{\"V\":[\"/plotly/data/0/y\"]}}]}}";
    CHECK_INT(dh_express_decode((const uint8_t *)bare, strlen(bare), &f, NULL), DH_OK);
    CHECK_REQ(f && f->charts[0].n_series == 1);
    CHECK_STR(f->title, "T");
    CHECK_INT(f->charts[0].series[0].plot_style, 2); /* plotly's default draws lines */
    CHECK_STR(f->charts[0].series[0].y_column, "V");
    CHECK_STR(f->charts[0].series[0].x_column, "");
    CHECK_INT(f->charts[0].series[0].table_index, 0);
    dh_figure_free(f);
}

static void test_malformed(void)
{
    const char *bad[] = {
        "",
        "{",
        "[1,2]",
        "{\"type\":\"FILTER\"}",
        "{\"type\":\"NEW_FIGURE\",\"figure\":3}",
        "{\"plotly\":7}",
        "{\"plotly\":{\"data\":[]}}\x01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct dh_figure *f = (struct dh_figure *)1;
        struct dh_error err;
        dh_error_clear(&err);
        CHECK_INT(dh_express_decode((const uint8_t *)bad[i], strlen(bad[i]), &f, &err), DH_EINVAL);
        CHECK(f == NULL);
        CHECK(strstr(err.msg, "malformed plot-express figure") != NULL);
    }
    /* Wrong shapes inside are skipped, not trusted. */
    const char odd[] = "{\"plotly\":{\"data\":[5,{\"type\":3,\"name\":[]}],\"layout\":[]},"
                       "\"deephaven\":{\"mappings\":[1,{\"table\":\"x\"},{\"table\":0,"
                       "\"data_columns\":{\"C\":5,\"D\":[3]}}]}}";
    struct dh_figure *f = NULL;
    CHECK_INT(dh_express_decode((const uint8_t *)odd, strlen(odd), &f, NULL), DH_OK);
    CHECK_REQ(f && f->charts[0].n_series == 2);
    CHECK_STR(f->charts[0].series[1].name, "");
    CHECK_INT(f->charts[0].series[1].table_index, -1);
    dh_figure_free(f);
}

int main(void)
{
    CHECK_RUN(T(test_line_by), T(test_styles_and_ids), T(test_malformed));
}
