#!/usr/bin/env bash
# Production-like certificates for examples/gateway.production.json, to try the production
# example before the real ones arrive (docs/deployment.md).
#
#   examples/make-production-certs.sh DIR [DNS-NAME...]
#
# DIR must not exist or be empty. DNS-NAMEs are the names of the gateway's server certificate
# (default: the example's publicUrl and environment host names, and localhost; 127.0.0.1 and ::1
# are always added). Only openssl is needed. Everything is written with umask 077.
#
# DIR/etc/          what the image reads at /etc/sne-gateway (mount it read-only there):
#   gateway.json      examples/gateway.production.json, copied unchanged
#   tls/              server.pem, server.key (encrypted: SNE_SERVER_KEY_PASSPHRASE), the guichets'
#                     CA guichets-ca.pem and its CRL guichets-ca.crl.pem, ticket-keys.bin (48 bytes)
#   upstream/         sne-ca.pem; production-client.pem/.key (SNE_PRODUCTION_KEY_PASSPHRASE),
#                     production-g1104.pem/.key/.pass (a guichet's own credential, its passphrase
#                     in the file), ecole-client.pem/.key (SNE_ECOLE_KEY_PASSPHRASE)
#   ops/token         the ops plane's bearer token (SNE_GATEWAY_OPS_TOKEN_FILE)
# DIR/secrets.env   the three key passphrases, as the environment the example's placeholders read
# DIR/state/        stands for the volume /var/lib/sne-gateway outside the image
# DIR/outside-image.env  SNE_GATEWAY_… overrides that point the example's absolute image paths
#                   (state, wsdl) into DIR and the checkout, to start the example from a checkout
#                   (source it after secrets.env); the files it reads are relative to etc/gateway.json
# DIR/ca/           the three CAs (certificates and keys): never mounted into the gateway
#   guichets-ca       issues the guichets' client certificates (in production: the guichets' CA)
#   server-ca         issues the gateway's server certificate (in production: your usual CA)
#   sne-standin-ca    stands for the SNE: its server certificate and the client certificates it
#                     issues to the gateway (in production: the SNE's)
# DIR/guichets/     client certificates of G1104, G1226, G2301 and integrateur-demo (CN = identity)
# DIR/sne-standin/  a server certificate for the école simulator standing in for the SNE, and the
#                   simulator's configuration: node dist/src/cli.js simulator --config DIR/sne-standin/simulator.json
set -euo pipefail
umask 077

if [ $# -lt 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
out=$1
shift
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
  echo "make-production-certs: $out is not empty: refusing to overwrite certificates" >&2
  exit 1
fi
command -v openssl >/dev/null || { echo 'make-production-certs: openssl is needed' >&2; exit 1; }
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(sne-gateway.example.fr sne.gateway.example.fr sne-ecole.gateway.example.fr localhost)

examples=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
mkdir -p "$out"/etc/tls "$out"/etc/upstream "$out"/etc/ops "$out"/ca "$out"/guichets "$out"/sne-standin "$out"/state
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ssl () { openssl "$@" 2>"$work/openssl.err" || { cat "$work/openssl.err" >&2; exit 1; }; }
random_hex () { openssl rand -hex "$1"; }

# A CA: ca/NAME.pem and ca/NAME.key (ten years).
ca () {
  ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -keyout "$out/ca/$1.key" -out "$out/ca/$1.pem" \
    -days 3650 -subj "/O=sne-gateway trial/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}

# leaf CA DEST SUBJECT server|client [PASSPHRASE]: DEST.pem and DEST.key, the key encrypted when a
# passphrase is given; 397 days, the longest validity TLS stacks accept for a leaf.
leaf () {
  local ca=$1 dest=$2 subject=$3 usage=$4 pass=${5:-}
  local ext="$work/ext"
  {
    echo 'basicConstraints=critical,CA:FALSE'
    echo 'keyUsage=critical,digitalSignature,keyEncipherment'
    if [ "$usage" = server ]; then
      echo 'extendedKeyUsage=serverAuth'
      local san="IP:127.0.0.1,IP:::1" name
      for name in "${names[@]}"; do san="DNS:$name,$san"; done
      echo "subjectAltName=$san"
    else
      echo 'extendedKeyUsage=clientAuth'
    fi
  } > "$ext"
  if [ -n "$pass" ]; then
    PASS=$pass ssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes-256-cbc -pass env:PASS -out "$dest.key"
    PASS=$pass ssl req -new -key "$dest.key" -passin env:PASS -subj "$subject" -out "$work/csr"
  else
    ssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -keyout "$dest.key" -subj "$subject" -out "$work/csr"
  fi
  ssl x509 -req -in "$work/csr" -CA "$out/ca/$ca.pem" -CAkey "$out/ca/$ca.key" -set_serial "0x$(random_hex 16)" \
    -days 397 -sha256 -extfile "$ext" -out "$dest.pem"
}

ca guichets-ca 'guichets CA'
ca server-ca 'gateway server CA'
ca sne-standin-ca 'SNE stand-in CA'

server_pass=$(random_hex 24)
production_pass=$(random_hex 24)
ecole_pass=$(random_hex 24)
g1104_pass=$(random_hex 24)

# The gateway's data plane.
leaf server-ca "$out/etc/tls/server" "/O=sne-gateway trial/CN=${names[0]}" server "$server_pass"
cp "$out/ca/guichets-ca.pem" "$out/etc/tls/guichets-ca.pem"
cat > "$work/ca.cnf" <<EOF
[ ca ]
default_ca = guichets
[ guichets ]
database = $work/index.txt
crlnumber = $work/crlnumber
default_md = sha256
certificate = $work/guichets-ca.pem
private_key = $work/guichets-ca.key
EOF
# (copies in the scratch folder: openssl's configuration syntax would misread quotes in DIR)
cp "$out/ca/guichets-ca.pem" "$out/ca/guichets-ca.key" "$work/"
: > "$work/index.txt"
echo 01 > "$work/crlnumber"
# An empty CRL, valid 30 days: publish a new one before it expires (revocations with `openssl ca -revoke`).
ssl ca -config "$work/ca.cnf" -gencrl -crldays 30 -out "$out/etc/tls/guichets-ca.crl.pem"
openssl rand -out "$out/etc/tls/ticket-keys.bin" 48

# The gateway towards the SNE: the SNE's CA and the credentials it issued.
cp "$out/ca/sne-standin-ca.pem" "$out/etc/upstream/sne-ca.pem"
leaf sne-standin-ca "$out/etc/upstream/production-client" '/O=sne-gateway trial/CN=sne-gateway production' client "$production_pass"
leaf sne-standin-ca "$out/etc/upstream/production-g1104" '/O=sne-gateway trial/OU=guichet/CN=G1104' client "$g1104_pass"
printf '%s\n' "$g1104_pass" > "$out/etc/upstream/production-g1104.pass"
leaf sne-standin-ca "$out/etc/upstream/ecole-client" '/O=sne-gateway trial/CN=sne-gateway ecole' client "$ecole_pass"

random_hex 32 > "$out/etc/ops/token"
cp "$examples/gateway.production.json" "$out/etc/gateway.json"

# The guichets' client certificates (the identities the example names).
for id in G1104 G1226 G2301 integrateur-demo; do
  leaf guichets-ca "$out/guichets/$id" "/O=sne-gateway trial/OU=guichet/CN=$id" client
done
cp "$out/ca/server-ca.pem" "$out/guichets/server-ca.pem"

# The école simulator standing in for the SNE: it trusts the CA that issued the gateway's credentials.
leaf sne-standin-ca "$out/sne-standin/simulator" '/O=sne-gateway trial/CN=sne-standin' server
cat > "$out/sne-standin/simulator.json" <<'EOF'
{ "tls": { "cert": "simulator.pem", "key": "simulator.key", "ca": "../ca/sne-standin-ca.pem" } }
EOF

cat > "$out/secrets.env" <<EOF
SNE_SERVER_KEY_PASSPHRASE=$server_pass
SNE_PRODUCTION_KEY_PASSPHRASE=$production_pass
SNE_ECOLE_KEY_PASSPHRASE=$ecole_pass
EOF

# Outside the image: the example names the files it reads relative to its own folder, so DIR/etc/
# serves as /etc/sne-gateway/ as it is, both environments included. Only its absolute paths are
# pointed into DIR and the checkout (docs/configuration.md, "Environment variables"): what it
# writes (the volume /var/lib/sne-gateway) and the interface files (/app/wsdl); and the ops token,
# which the Kubernetes Deployment sets the same way.
q () { printf "'%s'" "${1//\'/\'\\\'\'}"; }
wsdl=$(cd "$examples/.." && pwd)/wsdl
overrides="SNE_GATEWAY_OPS_TOKEN_FILE etc/ops/token
SNE_GATEWAY_AUDIT_FILE state/audit.jsonl
SNE_GATEWAY_IDEMPOTENCY_FILE state/idempotency.sqlite
SNE_GATEWAY_CENSUS_FILE state/tls-census.sqlite"
{
  echo '# examples/gateway.production.json outside the image: source secrets.env, then this file.'
  while read -r variable path; do echo "$variable=$(q "$out/$path")"; done <<< "$overrides"
  echo "SNE_GATEWAY_SPEC_DIR=$(q "$wsdl")"
} > "$out/outside-image.env"

echo "make-production-certs: written to $out (mount $out/etc at /etc/sne-gateway; the passphrases are in $out/secrets.env)"
