#!/bin/sh
# Keys and certificates for the neighbouring customs link (mutual TLS) and
# for the services' message signatures, made with the openssl command.
#
#   border-pki.sh [--expired] DIR NAME...
#
# For each service NAME (alashankou, dostyk, ...) it makes, in DIR/NAME/:
#
#   ca.pem, ca.key          the service's own CA: EC P-256, self-signed,
#                           10 years.  The neighbour pins ca.pem.
#   cert.pem, key.pem       the service's TLS certificate, signed by that
#                           CA: EC P-256, CN=NAME, subjectAltName
#                           DNS:NAME, DNS:localhost, IP:127.0.0.1,
#                           extendedKeyUsage serverAuth and clientAuth
#                           (one certificate for both ends of the link),
#                           2 years.
#   signing.pem             Ed25519 private key for message signatures.
#   signing.pub.pem         its public key, for the neighbour.
#
# Private keys (*.key, key.pem, signing.pem) are mode 0600; railgated
# refuses looser ones.  A file that exists is kept, so running it again
# changes nothing and fills in only what is missing; each file appears
# whole (written aside, then renamed) so an interrupted run leaves no
# half-written file to be kept.
#
# --expired (for tests): a new certificate is issued with a validity
# period wholly in the past (2020-01-01 to 2021-01-01), so that a peer
# refuses it as expired.  OpenSSL 3.0 (Debian 12) has no -not_before or
# -not_after for `openssl x509`, so leaves are issued with `openssl ca`,
# whose -startdate and -enddate set any period, from a throw-away CA
# database.
#
# Quiet on success; openssl's own messages on failure.
set -eu

usage() {
	echo "usage: $0 [--expired] DIR NAME..." >&2
	exit 64
}

expired=0
while [ $# -gt 0 ]; do
	case $1 in
	--expired) expired=1; shift ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || usage
dir=$1
shift

work=$(mktemp -d "${TMPDIR:-/tmp}/border-pki.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# Runs a command quietly; its output is shown only when it fails.
quiet() {
	"$@" >"$work/log" 2>&1 || { cat "$work/log" >&2; return 1; }
}

# An EC P-256 private key at $1, mode 0600 from the start.
make_ec_key() {
	[ -f "$1" ] && return 0
	(umask 077 && quiet openssl genpkey -algorithm EC \
	    -pkeyopt ec_paramgen_curve:P-256 -out "$1.tmp")
	mv "$1.tmp" "$1"
}

# The service's CA certificate at $1/ca.pem for CN="$2 CA".
make_ca() {
	[ -f "$1/ca.pem" ] && return 0
	quiet openssl req -x509 -new -key "$1/ca.key" -subj "/CN=$2 CA" \
	    -days 3650 -sha256 \
	    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    -out "$1/ca.pem.tmp"
	mv "$1/ca.pem.tmp" "$1/ca.pem"
}

# The openssl ca configuration: a throw-away database, the leaf's
# extensions, and no policy beyond what the request says.
ca_config() {
	cat <<EOF
[ca]
default_ca = leaf_ca
[leaf_ca]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = leaf_policy
unique_subject = no
copy_extensions = none
[leaf_policy]
commonName = supplied
[leaf_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:$2,DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

# The service's leaf certificate at $1/cert.pem for NAME $2.
make_leaf() {
	[ -f "$1/cert.pem" ] && return 0
	: >"$work/index.txt"
	openssl rand -hex 16 >"$work/serial"
	ca_config "$1" "$2" >"$work/ca.cnf"
	quiet openssl req -new -key "$1/key.pem" -subj "/CN=$2" \
	    -out "$work/leaf.csr"
	validity="-days 730"
	[ "$expired" -eq 1 ] &&
	    validity="-startdate 20200101000000Z -enddate 20210101000000Z"
	# shellcheck disable=SC2086
	quiet openssl ca -batch -notext -config "$work/ca.cnf" \
	    -extensions leaf_ext -cert "$1/ca.pem" -keyfile "$1/ca.key" \
	    -in "$work/leaf.csr" -out "$1/cert.pem.tmp" $validity
	mv "$1/cert.pem.tmp" "$1/cert.pem"
}

# The Ed25519 signing key pair at $1/signing.pem and $1/signing.pub.pem.
make_signing() {
	if [ ! -f "$1/signing.pem" ]; then
		(umask 077 && quiet openssl genpkey -algorithm ED25519 \
		    -out "$1/signing.pem.tmp")
		mv "$1/signing.pem.tmp" "$1/signing.pem"
	fi
	[ -f "$1/signing.pub.pem" ] && return 0
	quiet openssl pkey -in "$1/signing.pem" -pubout \
	    -out "$1/signing.pub.pem.tmp"
	mv "$1/signing.pub.pem.tmp" "$1/signing.pub.pem"
}

for name in "$@"; do
	case $name in
	''|*[!A-Za-z0-9.-]*)
		echo "$0: $name: a service name is letters, digits, '.' and '-'" >&2
		exit 64 ;;
	esac
	d=$dir/$name
	mkdir -p "$d"
	make_ec_key "$d/ca.key"
	make_ca "$d" "$name"
	make_ec_key "$d/key.pem"
	make_leaf "$d" "$name"
	make_signing "$d"
	chmod 600 "$d/ca.key" "$d/key.pem" "$d/signing.pem"
done
