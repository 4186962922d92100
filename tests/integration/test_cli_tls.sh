#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_cli_tls.sh: the client's TLS path against the demo server's --tls-* options,
# with a throwaway CA, server and client certificates made here by the openssl CLI:
# trusted and untrusted servers, the hostname check, plaintext/TLS mismatches both
# ways, required client certificates, and Barrage rows over TLS. Every failure must
# be one stderr line and exit 1, quickly (no gRPC log lines leak).
. "$(dirname "$0")/lib.sh"

# The one-line rule is about dhtui's defaults: a developer's own gRPC logging settings
# would add lines (dhtui only sets GRPC_VERBOSITY=NONE when it is unset).
unset GRPC_VERBOSITY GRPC_TRACE

if ! command -v openssl >/dev/null 2>&1; then
    echo "FATAL: the openssl CLI is needed to make test certificates (scripts/install-deps.sh --test)"
    exit 1
fi

# ---- certificates ----
PKI=$IT_TMP/pki
mkdir -p "$PKI"
# A minimal config of our own, so the system openssl.cnf does not add extensions.
cat >"$PKI/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[other_host_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:elsewhere.invalid
[client_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
EOF

# ossl args...: run openssl quietly with our config; fail the test with its output.
ossl() {
    if ! OPENSSL_CONF="$PKI/openssl.cnf" openssl "$@" >"$PKI/ossl.log" 2>&1; then
        echo "FATAL: openssl $1 failed: $(head -c 600 "$PKI/ossl.log")"
        exit 1
    fi
}

# make_ca NAME: self-signed CA NAME.pem / NAME.key.
make_ca() {
    ossl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 2 -config "$PKI/openssl.cnf" \
        -extensions ca_ext -subj "/CN=dhtui test $1" -keyout "$PKI/$1.key" -out "$PKI/$1.pem"
}

# make_leaf NAME CA EXT CN: key NAME.key and certificate NAME.pem signed by CA with section EXT.
make_leaf() {
    ossl req -new -newkey rsa:2048 -nodes -sha256 -config "$PKI/openssl.cnf" \
        -subj "/CN=$4" -keyout "$PKI/$1.key" -out "$PKI/$1.csr"
    ossl x509 -req -sha256 -days 2 -in "$PKI/$1.csr" -CA "$PKI/$2.pem" -CAkey "$PKI/$2.key" \
        -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
        -extfile "$PKI/openssl.cnf" -extensions "$3" -out "$PKI/$1.pem"
}

t0=$(now_ms)
make_ca ca
make_ca rogue_ca
make_leaf server ca server_ext localhost
make_leaf other_host ca other_host_ext elsewhere.invalid
make_leaf client ca client_ext "dhtui test client"
make_leaf rogue_client rogue_ca client_ext "dhtui rogue client"
echo "certificates made in $(($(now_ms) - t0)) ms"
CA=$PKI/ca.pem

# timed_cli args...: run_cli and set TOOK (ms).
TOOK=0
timed_cli() {
    local a
    a=$(now_ms)
    run_cli "$@"
    TOOK=$(($(now_ms) - a))
}

# expect_fast_fail "description": exit 1, one stderr line, within 3 s.
expect_fast_fail() {
    expect_rc 1 "$1"
    expect_one_err_line "$1"
    if [ "$TOOK" -lt 3000 ]; then pass "$1: failed within 3 s ($TOOK ms)"; else fail "$1: took $TOOK ms"; fi
    echo "  [$1] $TOOK ms: $(head -c 300 "$ERR")"
}

# expect_all "description": the last run listed the 8 demo objects.
expect_all() {
    expect_rc 0 "$1"
    local n
    n=$(tail -n +2 "$OUT" | grep -c .)
    if [ "$n" -eq 10 ]; then pass "$1: 10 objects"; else fail "$1: expected 10 objects, got $n: $(head -c 400 "$OUT")"; fi
    expect_out_has '^trades +Table ' "$1: trades listed"
    expect_out_has '^price_plot +Figure ' "$1: price_plot listed"
    if [ -s "$ERR" ]; then fail "$1: stderr not empty: $(head -c 300 "$ERR")"; else pass "$1: quiet stderr"; fi
}

# ---- the server side rejects bad option combinations and files ----
"$DH_SERVER" --port 0 --tls-cert "$PKI/server.pem" </dev/null >/dev/null 2>"$IT_TMP/srv.err"
rc=$?
if [ "$rc" -eq 2 ]; then
    pass "server: --tls-cert without --tls-key is a usage error (exit 2)"
else
    fail "server: --tls-cert without --tls-key: exit $rc"
fi
"$DH_SERVER" --port 0 --tls-cert "$PKI/server.pem" --tls-key "$PKI/no-such.key" </dev/null \
    >/dev/null 2>"$IT_TMP/srv.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "no-such.key" "$IT_TMP/srv.err"; then
    pass "server: a missing key file is named (exit 1)"
else
    fail "server: missing key file: exit $rc, $(head -c 300 "$IT_TMP/srv.err")"
fi
# A key that does not belong to the certificate: grpc refuses the port.
"$DH_SERVER" --port 0 --tls-cert "$PKI/server.pem" --tls-key "$PKI/client.key" </dev/null \
    >/dev/null 2>"$IT_TMP/srv.err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "cannot listen" "$IT_TMP/srv.err"; then
    pass "server: a mismatched key is refused (exit 1)"
else
    fail "server: mismatched key: exit $rc, $(head -c 300 "$IT_TMP/srv.err")"
fi
if "$DH_SERVER" --help | grep -q -- '--tls-client-ca'; then
    pass "server --help mentions --tls-client-ca"
else
    fail "server --help lacks --tls-client-ca"
fi

# ---- a TLS server ----
start_server --tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key"
P=$SERVER_PORT

timed_cli ls --host localhost --port "$P" --tls --ca "$CA"
expect_all "ls --tls --ca over localhost"
echo "  TLS ls took $TOOK ms"
timed_cli ls --host 127.0.0.1 --port "$P" --ca "$CA"
expect_all "ls --ca (implies --tls) over the IP SAN 127.0.0.1"

timed_cli rows trades --limit 5 --format csv --host localhost --port "$P" --tls --ca "$CA"
expect_rc 0 "rows trades over TLS"
if [ "$(wc -l <"$OUT")" -eq 6 ] && head -n 1 "$OUT" | grep -q '^Timestamp,Sym,Price,Size,' &&
    sed -n 2p "$OUT" | grep -Eq '^2024-[0-9T:.-]+Z,[A-Z]+,[0-9.]+,[0-9]+,'; then
    pass "rows trades over TLS: header and 5 csv rows"
else
    fail "rows trades over TLS: $(head -c 400 "$OUT")"
fi
timed_cli rows trades --limit 5 --format csv --port "$P"
expect_fast_fail "plaintext rows against the TLS server"

timed_cli ls --host localhost --port "$P" --tls
expect_fast_fail "--tls without --ca (system roots do not trust our CA)"
expect_err_has 'UNAVAILABLE' "untrusted: the status is named"
expect_err_has 'certificate verify failed|certificate|handshake' "untrusted: says it is the certificate"
# Not a check (gRPC's logging may change): what the one-line rule saves us from.
GRPC_VERBOSITY=ERROR timeout 60 "$DHTUI" ls --host localhost --port "$P" --tls >/dev/null \
    2>"$IT_TMP/verbose.err"
echo "  with GRPC_VERBOSITY=ERROR the same failure writes $(count_lines "$IT_TMP/verbose.err") stderr lines"

timed_cli ls --host localhost --port "$P" --ca "$PKI/rogue_ca.pem"
expect_fast_fail "--ca naming a different CA"

timed_cli ls --host localhost --port "$P"
expect_fast_fail "plaintext ls against the TLS server"
expect_err_has 'UNAVAILABLE' "plaintext vs TLS: the status is named"

timed_cli ls --host localhost --port "$P" --ca "$PKI/server.key"
expect_rc 1 "--ca naming a file that holds no certificate"
expect_one_err_line "--ca without a certificate"

timed_cli ls --host localhost --port "$P" --ca "$CA" --cert "$PKI/client.pem"
expect_rc 2 "--cert without --key is a usage error"
stop_server

# ---- the hostname check: a certificate for another name ----
start_server --tls-cert "$PKI/other_host.pem" --tls-key "$PKI/other_host.key"
timed_cli ls --host localhost --port "$SERVER_PORT" --ca "$CA"
expect_fast_fail "a trusted certificate for another host name"
stop_server

# ---- TLS client, plaintext server ----
start_server
timed_cli ls --host localhost --port "$SERVER_PORT" --tls --ca "$CA"
expect_fast_fail "--tls --ca against a plaintext server"
expect_err_has 'UNAVAILABLE' "TLS vs plaintext: the status is named"
stop_server

# ---- client certificates required ----
start_server --tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key" --tls-client-ca "$CA"
P=$SERVER_PORT
timed_cli ls --host localhost --port "$P" --tls --ca "$CA"
expect_fast_fail "no client certificate where one is required"
timed_cli ls --host localhost --port "$P" --ca "$CA" --cert "$PKI/rogue_client.pem" \
    --key "$PKI/rogue_client.key"
expect_fast_fail "a client certificate from an unknown CA"
timed_cli ls --host localhost --port "$P" --ca "$CA" --cert "$PKI/client.pem" --key "$PKI/rogue_client.key"
expect_fast_fail "a client key that does not match its certificate"
timed_cli ls --host localhost --port "$P" --ca "$CA" --cert "$PKI/client.pem" --key "$PKI/client.key"
expect_all "ls with a client certificate"
timed_cli rows trades --limit 5 --format csv --host localhost --port "$P" --ca "$CA" \
    --cert "$PKI/client.pem" --key "$PKI/client.key"
expect_rc 0 "rows trades with a client certificate"
if [ "$(wc -l <"$OUT")" -eq 6 ]; then pass "rows with a client certificate: 6 lines"; else fail "rows with a client certificate: $(head -c 300 "$OUT")"; fi
stop_server

finish
