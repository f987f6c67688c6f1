#!/usr/bin/env bash
# A second test PKI made by strongSwan's own `pki` tool (strongswan-pki 5.9.8),
# the encoder the lab's strongSwan peers use: ECDSA P-384 root, RSA-PSS-signed
# RSA leaf, Ed25519 leaf, and a CRL revoking one leaf. Fixed dates; tests take
# "now" = 2026-06-01. Run: bash test-vectors/auth/make-strongswan-pki.sh
set -euo pipefail
cd "$(dirname "$0")"
rm -rf strongswan-pki && mkdir strongswan-pki && cd strongswan-pki
D=(--dateform "%Y%m%d%H%M%S")
q() { "$@" 2>/dev/null; }
q pki --gen --type ecdsa --size 384 --outform pem > ca.key
q pki --self --ca --in ca.key --type ecdsa --dn "C=CH, O=strongSwan Test, CN=strongSwan Root CA" \
  --not-before 20250101000000 --not-after 20350101000000 "${D[@]}" --outform pem > ca.crt
q pki --gen --type rsa --size 2048 --outform pem > carol.key
q pki --issue --in carol.key --type priv --cacert ca.crt --cakey ca.key \
  --dn "C=CH, O=strongSwan Test, CN=carol@strongswan.org" --san carol@strongswan.org --san 10.3.0.1 \
  --not-before 20250101000000 --not-after 20330101000000 "${D[@]}" --outform pem > carol.crt
q pki --gen --type ed25519 --outform pem > dave.key
q pki --issue --in dave.key --type priv --cacert ca.crt --cakey ca.key \
  --dn "C=CH, O=strongSwan Test, CN=dave.strongswan.org" --san dave.strongswan.org --flag clientAuth \
  --not-before 20250101000000 --not-after 20330101000000 "${D[@]}" --outform pem > dave.crt
q pki --signcrl --cacert ca.crt --cakey ca.key --reason key-compromise --date 1767225600 --cert dave.crt \
  --this-update 20260101000000 --next-update 20270101000000 "${D[@]}" --outform pem > ca.crl
# An RSA intermediate that signs with RSASSA-PSS (certificate and CRL), for the PSS parameter path.
q pki --gen --type rsa --size 3072 --outform pem > pss-ca.key
q pki --issue --in pss-ca.key --type priv --cacert ca.crt --cakey ca.key --ca --pathlen 0 \
  --dn "C=CH, O=strongSwan Test, CN=strongSwan PSS CA" \
  --not-before 20250101000000 --not-after 20340101000000 "${D[@]}" --outform pem > pss-ca.crt
q pki --gen --type ecdsa --size 256 --outform pem > erin.key
q pki --issue --in erin.key --type priv --cacert pss-ca.crt --cakey pss-ca.key --rsa-padding pss \
  --dn "C=CH, O=strongSwan Test, CN=erin.strongswan.org" --san erin.strongswan.org \
  --not-before 20250101000000 --not-after 20330101000000 "${D[@]}" --outform pem > erin.crt
q pki --signcrl --cacert pss-ca.crt --cakey pss-ca.key --rsa-padding pss --reason superseded --date 1767225600 --cert erin.crt \
  --this-update 20260101000000 --next-update 20270101000000 "${D[@]}" --outform pem > pss-ca.crl
