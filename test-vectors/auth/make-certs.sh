#!/usr/bin/env bash
# Regenerates the test PKI under test-vectors/auth/pki/ with OpenSSL 3.0 (`openssl ca`
# so that validity dates are fixed and tests can inject "now"). Run from anywhere:
#   bash test-vectors/auth/make-certs.sh
# The tests take "now" = 2026-06-01T00:00:00Z. Keys are test keys only.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf pki && mkdir -p pki && cd pki
PASS=styx-test-passphrase

cat > ca.cnf <<'CNF'
[ ca ]
default_ca = styx
[ styx ]
dir = .
database = $dir/$ENV::CA_NAME.index
new_certs_dir = $dir/newcerts
serial = $dir/$ENV::CA_NAME.serial
crlnumber = $dir/$ENV::CA_NAME.crlnumber
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
emailAddress = optional
[ v3_root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_ee ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
subjectAltName = $ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_ee_nodigsig ]
basicConstraints = CA:false
keyUsage = critical, keyEncipherment
subjectAltName = $ENV::SAN
[ v3_ee_ca_false_issuer ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyCertSign
subjectAltName = $ENV::SAN
CNF
mkdir -p newcerts

init_ca() { CA_NAME=$1; : > "$1.index"; echo 1000 > "$1.serial"; echo 01 > "$1.crlnumber"; }
# issue NAME CA_NAME CA_CERT CA_KEY SUBJ EXT START END SAN
issue() {
  openssl req -new -key "$1.key" -subj "$5" -out "$1.csr" 2>/dev/null
  CA_NAME=$2 SAN=$9 openssl ca -batch -config ca.cnf -notext -in "$1.csr" -out "$1.crt" \
    -cert "$3" -keyfile "$4" -extensions "$6" -startdate "$7" -enddate "$8" >/dev/null 2>&1
  rm -f "$1.csr"
}

# Root CA: RSA 3072, self-signed.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out root.key 2>/dev/null
init_ca root
openssl req -new -key root.key -subj "/C=CH/O=Styx Test/CN=Styx Root CA" -out root.csr
CA_NAME=root SAN=DNS:unused openssl ca -batch -config ca.cnf -notext -selfsign -in root.csr \
  -out root.crt -keyfile root.key -extensions v3_root \
  -startdate 20250101000000Z -enddate 20350101000000Z >/dev/null 2>&1
rm root.csr

# Intermediate CA: ECDSA P-256, issued by the root.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out inter.key
init_ca inter
issue inter root root.crt root.key "/C=CH/O=Styx Test/OU=Gateways/CN=Styx Intermediate CA" \
  v3_inter 20250101000000Z 20340101000000Z DNS:unused

# End entities.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out moon-rsa.key 2>/dev/null
issue moon-rsa inter inter.crt inter.key "/C=CH/O=Styx Test/CN=moon.example.org" v3_ee \
  20250101000000Z 20330101000000Z "DNS:moon.example.org,IP:192.0.2.1,IP:2001:db8::1,email:moon@example.org"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out sun-p256.key
issue sun-p256 inter inter.crt inter.key "/C=CH/O=Styx Test/CN=sun.example.org" v3_ee \
  20250101000000Z 20330101000000Z "DNS:sun.example.org"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.key
issue p384 root root.crt root.key "/C=CH/O=Styx Test/CN=p384.example.org" v3_ee \
  20250101000000Z 20330101000000Z "DNS:p384.example.org"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out p521.key
issue p521 root root.crt root.key "/C=CH/O=Styx Test/CN=p521.example.org" v3_ee \
  20250101000000Z 20330101000000Z "DNS:p521.example.org"
openssl genpkey -algorithm ED25519 -out ed25519.key
issue ed25519 inter inter.crt inter.key "/C=CH/O=Styx Test/CN=ed25519.example.org" v3_ee \
  20250101000000Z 20330101000000Z "DNS:ed25519.example.org"
openssl genpkey -algorithm ED448 -out ed448.key
issue ed448 root root.crt root.key "/C=CH/O=Styx Test/CN=ed448.example.org" v3_ee \
  20250101000000Z 20330101000000Z "DNS:ed448.example.org"
# Negative cases.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out expired.key
issue expired inter inter.crt inter.key "/C=CH/O=Styx Test/CN=expired.example.org" v3_ee \
  20200101000000Z 20250101000000Z "DNS:expired.example.org"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out revoked.key
issue revoked inter inter.crt inter.key "/C=CH/O=Styx Test/CN=revoked.example.org" v3_ee \
  20250101000000Z 20330101000000Z "DNS:revoked.example.org"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out nodigsig.key
issue nodigsig inter inter.crt inter.key "/C=CH/O=Styx Test/CN=nodigsig.example.org" v3_ee_nodigsig \
  20250101000000Z 20330101000000Z "DNS:nodigsig.example.org"
# A leaf (CA:false) that nevertheless signs another certificate: must be rejected.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out notca.key
issue notca inter inter.crt inter.key "/C=CH/O=Styx Test/CN=notca.example.org" v3_ee_ca_false_issuer \
  20250101000000Z 20330101000000Z "DNS:notca.example.org"
init_ca notca
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out under-notca.key
issue under-notca notca notca.crt notca.key "/C=CH/O=Styx Test/CN=under-notca.example.org" v3_ee \
  20250101000000Z 20330101000000Z "DNS:under-notca.example.org"
# A different, untrusted root and a leaf under it with moon's subject.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out rogue-root.key
init_ca rogue
openssl req -new -key rogue-root.key -subj "/C=CH/O=Styx Test/CN=Styx Root CA" -out rogue.csr
CA_NAME=rogue SAN=DNS:unused openssl ca -batch -config ca.cnf -notext -selfsign -in rogue.csr \
  -out rogue-root.crt -keyfile rogue-root.key -extensions v3_root \
  -startdate 20250101000000Z -enddate 20350101000000Z >/dev/null 2>&1
rm rogue.csr
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out rogue-moon.key
issue rogue-moon rogue rogue-root.crt rogue-root.key "/C=CH/O=Styx Test/CN=moon.example.org" v3_ee \
  20250101000000Z 20330101000000Z "DNS:moon.example.org"

# CRL of the intermediate revoking "revoked" (and an empty one of the root).
CA_NAME=inter SAN=x openssl ca -config ca.cnf -revoke revoked.crt -keyfile inter.key -cert inter.crt \
  -crl_reason keyCompromise >/dev/null 2>&1
CA_NAME=inter SAN=x openssl ca -config ca.cnf -gencrl -keyfile inter.key -cert inter.crt \
  -crl_lastupdate 20260101000000Z -crl_nextupdate 20270101000000Z -out inter.crl >/dev/null 2>&1
CA_NAME=root SAN=x openssl ca -config ca.cnf -gencrl -keyfile root.key -cert root.crt \
  -crl_lastupdate 20260101000000Z -crl_nextupdate 20270101000000Z -out root.crl >/dev/null 2>&1
openssl crl -in inter.crl -outform DER -out inter.crl.der

# Key and certificate encodings for the loader.
openssl x509 -in moon-rsa.crt -outform DER -out moon-rsa.crt.der
openssl pkey -in moon-rsa.key -outform DER -out moon-rsa.pkcs8.der
openssl rsa -in moon-rsa.key -traditional -out moon-rsa.pkcs1.pem 2>/dev/null
openssl rsa -in moon-rsa.key -traditional -outform DER -out moon-rsa.pkcs1.der 2>/dev/null
openssl pkcs8 -topk8 -in moon-rsa.key -v2 aes-256-cbc -passout "pass:$PASS" -out moon-rsa.enc.pem
openssl pkcs8 -topk8 -in moon-rsa.key -v2 aes-256-cbc -passout "pass:$PASS" -outform DER -out moon-rsa.enc.der
openssl rsa -in moon-rsa.key -traditional -aes256 -passout "pass:$PASS" -out moon-rsa.legacy-enc.pem 2>/dev/null
openssl ec -in sun-p256.key -out sun-p256.sec1.pem 2>/dev/null
openssl ec -in sun-p256.key -outform DER -out sun-p256.sec1.der 2>/dev/null
openssl pkcs8 -topk8 -in sun-p256.key -v2 aes-128-cbc -passout "pass:$PASS" -out sun-p256.enc.pem
cat inter.crt root.crt > chain.pem
# Self-signed RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32) certificate: OpenSSL's encoding of
# the AlgorithmIdentifier of RFC 7427 A.4.3, to check ours against an independent encoder.
openssl req -x509 -new -key moon-rsa.key -subj "/CN=pss" -days 3650 -sha256 \
  -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256 -out pss-selfsigned.crt
rm -rf newcerts ./*.index* ./*.serial* ./*.crlnumber* ./*.old ca.cnf
echo "$PASS" > passphrase.txt
